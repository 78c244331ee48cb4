"""One clock: the time the composition injects is the time storage stamps and services read."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.emulator import Emulator
from bot.hearing.plan import Plan
from bot.services import Services
from storage.backend import Store
from storage.clock import iso
from tests.after_support import CITIZEN, running
from tests.harness import SECRET, Clock, at, database_at, make_settings, query

MOMENT = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)


async def test_a_database_stamps_rows_and_migrations_with_its_clock(tmp_path: Path) -> None:
    clock = Clock(MOMENT)
    async with database_at(tmp_path / "h.db", clock) as db:
        async with db.transaction() as repos:
            await repos.participants.ensure("p1")
        clock.now = MOMENT + timedelta(days=2)
        async with db.transaction() as repos:
            await repos.participants.ensure("p2")
            await repos.stances.record("p1", "3", "support", None, "v1")
        async with db.reading() as repos:
            first, second = await repos.participants.get("p1"), await repos.participants.get("p2")
            stance = await repos.stances.get("p1", "3")
    assert first is not None and first.created_at == iso(MOMENT)
    assert second is not None and second.created_at == iso(clock.now)
    assert stance is not None and stance.updated_at == iso(clock.now)
    ledger = await query(tmp_path / "h.db", "SELECT DISTINCT applied_at FROM schema_migrations")
    assert ledger == [(iso(MOMENT),)]


async def test_setting_the_services_clock_moves_storage_and_the_domain(
    db: Store, plan: Plan, tmp_path: Path, database_url: str | None
) -> None:
    services = Services.build(make_settings(tmp_path), db, plan, SECRET)
    fixed = Clock(MOMENT)
    services.clock = fixed
    assert services.clock is fixed and db.now() == MOMENT
    assert services.moderation.clock() == MOMENT and services.today().isoformat() == "2026-11-27"
    pid = await services.participants.register(CITIZEN, CITIZEN)
    rows = await query(db.path, "SELECT created_at FROM participants WHERE id = ?", pid)
    assert rows == [(iso(MOMENT),)]
    document = json.loads((await services.my_data.document(pid)).content)
    assert document["generated_at"] == iso(MOMENT)
    # The erasure's cutoff is the same clock's time, so what was stamped at it is erased.
    await services.erasure.erase(pid)
    [entry] = await db.erasure_ledger().entries()
    assert entry.erased_at == iso(MOMENT)
    assert await query(db.path, "SELECT erased_at FROM participants") == [(iso(MOMENT),)]


async def test_a_running_hearing_stamps_what_it_stores_with_the_injected_clock(
    emu: Emulator, tmp_path: Path
) -> None:
    clock = Clock(at(27))
    async with running(emu, tmp_path, clock) as hearing:
        await hearing.answer_item(CITIZEN, "3")
        clock.now = at(28)
        await hearing.say(CITIZEN, "/help")
    path = hearing.settings.database_path
    stances = await query(path, "SELECT updated_at FROM stances")
    assert stances == [(iso(at(27)),)]
    inbox = await query(path, "SELECT MIN(received_at), MAX(received_at) FROM inbox")
    assert inbox == [(iso(at(27)), iso(at(28)))]
