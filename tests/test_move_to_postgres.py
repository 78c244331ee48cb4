"""`hearing-bot move-to-postgres`: a SQLite hearing copied into an empty PostgreSQL database,
every table verified, and the bot going on there where its citizens were; bad input refused."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from pathlib import Path

import asyncpg
import pytest

from bot.cli import main
from bot.emulator import Emulator
from bot.hearing.plan import Plan
from storage.db import Database
from storage.erasure_ledger import FileLedger, LedgerEntry, ledger_path
from storage.moving import row_hash, verify_copy
from storage.postgres import postgres_migration_scripts
from tests.harness import Hearing, make_settings, rows
from tests.results_support import fill

ANA, BILAL = 7001, 7002
PASSWORD = "s3cret-Pa55word"


def move(args: list[str], path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Run the command as an operator would, on the SQLite hearing at `path`."""
    monkeypatch.setenv("DATABASE_PATH", str(path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return main(["move-to-postgres", *args])


async def value(url: str, sql: str) -> object:
    """Return the first value of a query on a PostgreSQL database."""
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


async def sqlite_hearing(emu: Emulator, tmp_path: Path, plan: Plan) -> tuple[Hearing, int]:
    """Citizens take part through the bot on SQLite, and every other kind of row is added."""
    hearing = Hearing(emu, make_settings(tmp_path, database_url=None))
    await hearing.start()
    sid = await hearing.suggest(ANA, "3", "Publish every registration decision within 30 days")
    await hearing.answer_item(BILAL, "5", "👎 Oppose", "Low")
    await hearing.open_link(BILAL, f"s-{sid}")
    await hearing.press(BILAL, "👍 Agree")
    await hearing.stop()
    async with Database(hearing.settings.database_path) as db:
        await fill(db, plan)  # tracking metrics (floats), decisions, hostile and Urdu-less text
        async with db.transaction() as repos:  # and bytes: a digest's chart
            await repos.digests.add("2026-11-27T15:00", (None, "t"), "{}", b"\x89PNG\0\xff", [])
            await repos.participants.ensure("ur-citizen")
            await repos.suggestions.add("ur-citizen", "2", "مدارس کی رجسٹریشن 🙏", "visible", "v")
    return hearing, sid


async def test_a_hearing_moves_and_goes_on_where_its_citizens_were(
    emu: Emulator, tmp_path: Path, plan: Plan, postgres_url: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    hearing, sid = await sqlite_hearing(emu, tmp_path, plan)
    path = hearing.settings.database_path
    async with Database(path) as db:
        highest = (await rows(db, "SELECT MAX(id) FROM suggestions"))[0][0]
        tables = ("participants", "stances", "votes", "inbox", "tracking_metrics")
        counts = {t: (await rows(db, f"SELECT COUNT(*) FROM {t}"))[0][0] for t in tables}

    assert await asyncio.to_thread(move, ["--to", postgres_url], path, monkeypatch) == 0
    out, err = capsys.readouterr()
    verified = [line for line in out.splitlines() if line.endswith(": same")]
    assert len(verified) >= 30 and "DIFFERENT" not in out, out
    assert "tables copied and verified" in out and "copied participants:" in err
    for table, count in counts.items():
        assert await value(postgres_url, f"SELECT COUNT(*) FROM {table}") == count
    assert await value(postgres_url, "SELECT chart FROM digests") == b"\x89PNG\0\xff"
    assert await value(postgres_url, "SELECT text FROM suggestions WHERE participant_id ="
                                     " 'ur-citizen'") == "مدارس کی رجسٹریشن 🙏"  # fmt: skip

    moved = Hearing(emu, replace(hearing.settings, database_url=postgres_url))
    await moved.start()
    try:
        # Bilal goes on from the card he had: his vote changes; nothing was forgotten.
        await moved.press(BILAL, "👎 Disagree")
        assert await value(postgres_url, f"SELECT vote FROM votes WHERE suggestion_id = {sid}"
                           f" AND participant_id <> 'p04' ORDER BY updated_at DESC LIMIT 1"
                           ) == "disagree"  # fmt: skip
        newer = await moved.suggest(BILAL, "6", "Train the registrars before the deadline")
        assert isinstance(highest, int) and newer > highest, "new ids follow the copied ones"
    finally:
        await moved.stop()


async def test_a_bare_database_gets_the_schema_and_the_rows(
    emu: Emulator, tmp_path: Path, plan: Plan, bare_postgres_url: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    hearing, _ = await sqlite_hearing(emu, tmp_path, plan)
    path = hearing.settings.database_path
    assert await asyncio.to_thread(move, ["--to", bare_postgres_url], path, monkeypatch) == 0
    assert "DIFFERENT" not in capsys.readouterr().out
    conn = await asyncpg.connect(bare_postgres_url)
    try:
        versions = [r[0] for r in await conn.fetch("SELECT version FROM schema_migrations")]
    finally:
        await conn.close()
    assert sorted(versions) == [version for version, _, _ in postgres_migration_scripts()]
    assert await value(bare_postgres_url, "SELECT COUNT(*) FROM participants") == 16


async def test_a_target_that_holds_data_is_refused_and_left_alone(
    emu: Emulator, tmp_path: Path, plan: Plan, postgres_url: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    hearing, _ = await sqlite_hearing(emu, tmp_path, plan)
    path = hearing.settings.database_path
    conn = await asyncpg.connect(postgres_url)
    await conn.execute("INSERT INTO app_state (key, value) VALUES ('other', 'hearing')")
    await conn.close()
    assert await asyncio.to_thread(move, ["--to", postgres_url], path, monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not empty (its table app_state has rows)" in err
    assert await value(postgres_url, "SELECT COUNT(*) FROM participants") == 0
    assert await value(postgres_url, "SELECT COUNT(*) FROM app_state") == 1


async def test_the_erasure_ledger_moves_with_the_hearing(
    emu: Emulator, tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    async with Hearing(emu, make_settings(tmp_path, database_url=None)) as hearing:
        await hearing.answer_item(ANA, "3")
        await hearing.say(ANA, "/delete")
        await hearing.press(ANA, "🗑 Yes, erase everything")
    path = hearing.settings.database_path.resolve()
    [erased] = FileLedger(ledger_path(path)).read()
    assert await asyncio.to_thread(move, ["--to", postgres_url], path, monkeypatch) == 0
    out, err = capsys.readouterr()
    assert "copied ledger.erasures: 1 rows" in err
    assert re.search(r"^ledger\.erasures: 1 rows, checksum \w+: same$", out, re.M), out
    kept = await value(postgres_url, "SELECT array_agg(participant || ' ' || erased_at)"
                                     " FROM ledger.erasures")  # fmt: skip
    assert kept == [f"{erased.participant_id} {erased.erased_at}"]
    assert ledger_path(path).is_file(), "left for the SQLite hearing, until it stops"
    # An entry added to the file after the move is found by the check.
    with ledger_path(path).open("a", encoding="utf-8") as file:
        file.write(LedgerEntry("p-later", erased.erased_at).line() + "\n")
    differ = [c.table for c in await verify_copy(path, postgres_url) if not c.matches]
    assert differ == ["ledger.erasures"]


async def test_a_target_whose_ledger_holds_entries_is_refused(
    emu: Emulator, tmp_path: Path, plan: Plan, postgres_url: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    hearing, _ = await sqlite_hearing(emu, tmp_path, plan)
    await value(postgres_url, "INSERT INTO ledger.erasures VALUES ('p-other', '2026-11-27')")
    path = hearing.settings.database_path
    assert await asyncio.to_thread(move, ["--to", postgres_url], path, monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "its erasure ledger, ledger.erasures, has entries" in err
    assert await value(postgres_url, "SELECT COUNT(*) FROM participants") == 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], "say where to: --to postgresql://... or DATABASE_URL"),
        (["--to", "mysql://u@h/db"], "the target URL must start with postgresql://"),
        (["--to", "postgresql://u@h:99999/db"], "the target URL is malformed"),
        (["--to", "postgresql://u@h"], "the target URL must name a database"),
    ],
)
def test_bad_input_is_refused_in_one_line(
    args: list[str], expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    (tmp_path / "hearing.db").write_bytes(b"")
    assert move(args, tmp_path / "hearing.db", monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err


def test_no_sqlite_hearing_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql://u:{PASSWORD}@127.0.0.1:1/db"
    assert move(["--to", url], tmp_path / "absent.db", monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no database at" in err and PASSWORD not in err
    assert not (tmp_path / "absent.db").exists()


async def test_an_unreachable_target_is_one_line_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with Database(tmp_path / "hearing.db"):
        pass
    url = f"postgresql://hearing:{PASSWORD}@127.0.0.1:1/hearing_db?sslmode=disable"
    assert await asyncio.to_thread(move, ["--to", url], tmp_path / "hearing.db", monkeypatch) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and PASSWORD not in err
    assert "cannot reach PostgreSQL database 'hearing_db' on 127.0.0.1:1" in err


async def test_a_copy_that_differs_is_found(
    emu: Emulator, tmp_path: Path, plan: Plan, postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    hearing, sid = await sqlite_hearing(emu, tmp_path, plan)
    path = hearing.settings.database_path.resolve()
    assert await asyncio.to_thread(move, ["--to", postgres_url], path, monkeypatch) == 0
    assert all(check.matches for check in await verify_copy(path, postgres_url))
    conn = await asyncpg.connect(postgres_url)
    await conn.execute("UPDATE suggestions SET text = text || '.' WHERE id = $1", sid)
    await conn.execute("DELETE FROM inbox WHERE id = (SELECT MIN(id) FROM inbox)")
    await conn.close()
    differ = {c.table: c for c in await verify_copy(path, postgres_url) if not c.matches}
    assert set(differ) == {"suggestions", "inbox"}
    assert differ["suggestions"].rows == differ["suggestions"].copied_rows, "same count"
    assert differ["inbox"].copied_rows == differ["inbox"].rows - 1


def test_the_checksum_ignores_order_but_not_types_or_repeats() -> None:
    rows_ = [(1, "a", None), (2, "b", 1.5), (3, b"\x00", "1")]
    total = sum(map(row_hash, rows_))
    assert total == sum(map(row_hash, reversed(rows_)))
    assert row_hash((1, "a", None)) != row_hash(("1", "a", None))
    assert row_hash((1.0,)) != row_hash((1,))
    assert row_hash(("ab", "c")) != row_hash(("a", "bc"))
    assert total != sum(map(row_hash, [*rows_, rows_[0]]))
