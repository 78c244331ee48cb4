"""The weekly oversight report and the digest's overdue section, on a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.emulator import Emulator
from bot.runtime.retry import OTHER_RETRIES
from bot.senders.digests import send_digests, send_oversight
from tests.after_support import DRAFTER, OVERSEER, running
from tests.harness import Clock, Hearing, at, query

REPORT = "Weekly oversight report"


@pytest.fixture
async def hearing(
    emu: Emulator, tmp_path: Path, database_url: str | None, clock: Clock
) -> AsyncIterator[Hearing]:
    """A hearing whose item 18 is due on Saturday 28 November."""
    async with running(emu, tmp_path, clock) as started:
        await started.say(DRAFTER, "/track 18")
        await started.press(DRAFTER, "Deadline")
        await started.say(DRAFTER, "2026-11-28")
        await started.say(DRAFTER, "/track 18")
        await started.press(DRAFTER, "Responsible body")
        await started.say(DRAFTER, "Ministry of Interior")
        yield started


def reports(hearing: Hearing) -> list[str]:
    """The oversight reports the overseer received."""
    return [m.plain_text() for m in hearing.emu.messages(OVERSEER) if REPORT in m.plain_text()]


async def run_job(hearing: Hearing) -> bool:
    """Do what the daily job does for the weekly report when it fires."""
    assert hearing.app is not None
    return await send_oversight(hearing.app)


async def test_the_report_is_weekly_lists_overdue_items_and_is_never_doubled(
    hearing: Hearing, clock: Clock
) -> None:
    clock.now = at(29, 20, 5)  # Sunday: no report is due yet
    assert await run_job(hearing)
    assert reports(hearing) == []
    clock.now = at(30, 20, 1)  # Monday, after the report's time
    assert await run_job(hearing)
    assert len(reports(hearing)) == 1
    report = reports(hearing)[0]
    assert "⚠️ 1 item overdue" in report
    assert "18. An effective Witness Protection Program." in report
    assert "due 28 Nov 2026 · 📝 Proposed · Ministry of Interior" in report
    assert "Changes this week: 2" in report
    clock.now = at(30, 21)
    assert await run_job(hearing)
    await hearing.restart()
    assert len(reports(hearing)) == 1, "neither a second run nor a restart sends it again"
    assert hearing.emu.messages(DRAFTER) and not [
        m for m in hearing.emu.messages(DRAFTER) if REPORT in m.plain_text()
    ], "the report goes to the oversight committee only"
    clock.now = at(7, 20, 1, month=12)
    assert await run_job(hearing)
    assert len(reports(hearing)) == 2
    rows = await query(hearing.settings.database_path,
                       "SELECT COUNT(*) FROM digests WHERE kind = 'oversight'")  # fmt: skip
    assert rows == [(2,)]


async def test_a_missed_report_is_sent_once_at_start_up(hearing: Hearing, clock: Clock) -> None:
    await hearing.stop()
    clock.now = at(16, 9, month=12)  # down over three Mondays
    await hearing.start()
    assert len(reports(hearing)) == 1, "one report covers the time away"
    assert "As of 16 Dec 2026 09:00" in reports(hearing)[0]
    await hearing.restart()
    assert len(reports(hearing)) == 1


async def test_the_drafters_digest_marks_overdue_items(hearing: Hearing, clock: Clock) -> None:
    clock.now = at(27, 20, 5)
    assert hearing.app is not None
    await send_digests(hearing.app)
    first = "\n".join(m.plain_text() for m in hearing.emu.messages(DRAFTER) if m.kind == "text")
    assert "Overdue items" not in first, "not overdue before its deadline"
    clock.now = at(29, 20, 5)
    await send_digests(hearing.app)
    overdue = [
        m.plain_text() for m in hearing.emu.messages(DRAFTER) if "Overdue" in m.plain_text()
    ]
    assert len(overdue) == 1
    assert "⚠️ Overdue items: 1" in overdue[0]
    assert "18. An effective Witness Protection Program.\n    due 28 Nov 2026" in overdue[0]


async def test_an_overseer_removed_before_delivery_never_receives_the_prepared_report(
    hearing: Hearing, clock: Clock
) -> None:
    clock.now = at(30, 20, 1)
    hearing.emu.inject_error("sendMessage", 502, "Bad Gateway", times=1 + OTHER_RETRIES)
    assert not await run_job(hearing), "prepared, not sent: Telegram was down"
    await hearing.stop()
    hearing.settings = replace(hearing.settings, oversight_ids=frozenset())
    await hearing.start()
    assert reports(hearing) == [], "the role is checked at delivery"
    parts = await query(
        hearing.settings.database_path,
        "SELECT COUNT(*), COUNT(p.withheld_at), COUNT(p.sent_at), COUNT(d.completed_at)"
        " FROM digest_parts p JOIN digests d ON d.id = p.digest_id WHERE d.kind = 'oversight'",
    )
    total = parts[0][0]
    assert total > 0 and parts == [(total, total, 0, total)], "withheld, and the report closed"
