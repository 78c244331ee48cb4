"""The erasure ledger on either backend: a file beside SQLite, the schema `ledger` of PostgreSQL.

On PostgreSQL every worker, whatever its DATABASE_PATH, records into the database and
re-applies it; backups leave it out (and write it beside); a restore into a new database is
refused until the ledger is imported; a damaged entry stops start-up; a file ledger an earlier
version kept is taken in once; `hearing-bot ledger export|import` carry it.
"""

from __future__ import annotations

import asyncio
import stat
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from bot.cli import main
from bot.emulator import Emulator
from bot.hearing.privacy import pseudonym
from storage.backup import BackupError
from storage.clock import iso
from storage.erasure_ledger import LedgerEntry, LedgerError, ledger_path
from storage.pg_backup import backup_postgres
from storage.postgres import PostgresDatabase
from tests.harness import (
    POSTGRES_ONLY,
    SECRET,
    Hearing,
    erasures,
    make_settings,
    use_database,
)
from tests.test_backup import names
from tests.test_cli import run_cli

ANA, BILAL = 4101, 4102
ANA_ID, BILAL_ID = pseudonym(SECRET, ANA), pseudonym(SECRET, BILAL)
ERASE = "🗑 Yes, erase everything"


async def value(url: str, sql: str, *args: object) -> object:
    """Return the first value of a query on a PostgreSQL database."""
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def stances_of(url: str, pid: str) -> object:
    """Count a participant's current answers."""
    return await value(url, "SELECT COUNT(*) FROM stances WHERE participant_id = $1", pid)


async def restore(url: str, dump: Path, *options: str) -> None:
    """Restore an archive as docs/postgres.md says (`--clean` into the same database)."""
    process = await asyncio.create_subprocess_exec(
        "pg_restore", *options, "--no-owner", f"--dbname={url}", str(dump),
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await process.communicate()
    assert process.returncode == 0, err.decode()


def worker(emu: Emulator, tmp_path: Path, name: str, url: str) -> Hearing:
    """A worker on its own machine: its own DATABASE_PATH folder, the fleet's database."""
    folder = tmp_path / name
    return Hearing(emu, make_settings(folder, database_url=url))


async def erase(hearing: Hearing, user: int) -> None:
    """Ask for erasure and confirm it."""
    await hearing.say(user, "/delete")
    await hearing.press(user, ERASE)


@POSTGRES_ONLY
async def test_an_erasure_on_one_worker_is_reapplied_after_a_restore_on_another(
    emu: Emulator, tmp_path: Path, database_url: str
) -> None:
    a = worker(emu, tmp_path, "machine-a", database_url)
    await a.start()
    await a.answer_item(ANA, "3")
    await a.answer_item(BILAL, "5")
    dump = tmp_path / "before.dump"
    await backup_postgres(database_url, dump)
    await erase(a, ANA)
    await a.stop()
    await restore(database_url, dump, "--clean", "--if-exists")
    assert await stances_of(database_url, ANA_ID) == 1, "the backup still holds Ana"

    b = worker(emu, tmp_path, "machine-b", database_url)
    await b.start()
    try:
        assert await stances_of(database_url, ANA_ID) == 0, "erased again by the other worker"
        assert await stances_of(database_url, BILAL_ID) == 1
        kept = await value(database_url, "SELECT array_agg(participant) FROM ledger.erasures")
        assert kept == [ANA_ID], "one ledger, in the database every worker shares"
    finally:
        await b.stop()
    for machine in ("machine-a", "machine-b"):
        assert not ledger_path(tmp_path / machine / "hearing.db").exists(), "no file: the database"


@POSTGRES_ONLY
async def test_a_backup_leaves_the_ledger_out_and_writes_it_beside(
    hearing: Hearing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    await hearing.answer_item(ANA, "3")
    await erase(hearing, ANA)
    use_database(monkeypatch, hearing.settings.database_path)
    dump = tmp_path / "hearing.dump"
    assert await asyncio.to_thread(main, ["backup", str(dump)]) == 0
    out = capsys.readouterr().out
    beside = ledger_path(dump)
    assert f"{beside}: the erasure ledger, 1 erasures" in out
    listing = await asyncio.create_subprocess_exec(
        "pg_restore", "--list", str(dump), stdout=asyncio.subprocess.PIPE
    )
    archived, _ = await listing.communicate()
    assert b" ledger " not in archived and b"erasures" not in archived, "the ledger is left out"
    assert b" public stances " in archived.replace(b"TABLE DATA", b""), "the hearing is in"
    assert [line.count(ANA_ID) for line in beside.read_text("utf-8").splitlines()] == [1]
    assert stat.S_IMODE(beside.stat().st_mode) == 0o600
    # Never written over: a second backup to the same name refuses, leaving both as they were.
    dump.unlink()
    kept = beside.read_bytes()
    assert await asyncio.to_thread(main, ["backup", str(dump)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert not dump.exists() and beside.read_bytes() == kept


@POSTGRES_ONLY
async def test_a_restore_into_a_new_database_waits_for_the_ledger_to_be_imported(
    emu: Emulator, tmp_path: Path, database_url: str, bare_postgres_url: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    old = worker(emu, tmp_path, "old", database_url)
    await old.start()
    await old.answer_item(ANA, "3")
    dump = tmp_path / "before.dump"
    await backup_postgres(database_url, dump)
    await erase(old, ANA)
    await old.stop()
    await restore(bare_postgres_url, dump)

    new = worker(emu, tmp_path, "new", bare_postgres_url)
    with pytest.raises(LedgerError, match=r"erasure ledger \(schema `ledger`\) is missing"):
        await new.start()
    await new.stop()
    assert await stances_of(bare_postgres_url, ANA_ID) == 1, "nothing was handled or changed"
    # The operator carries the old database's ledger over, then starts the bot.
    exported = tmp_path / "erasures.jsonl"
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "old" / "hearing.db"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert await asyncio.to_thread(main, ["ledger", "export", str(exported)]) == 0
    monkeypatch.setenv("DATABASE_URL", bare_postgres_url)
    assert await asyncio.to_thread(main, ["ledger", "import", str(exported)]) == 0
    assert "1 erasures added" in capsys.readouterr().out
    async with new:
        assert await stances_of(bare_postgres_url, ANA_ID) == 0, "erased again at start-up"


def test_run_without_its_ledger_stops_with_one_line(
    tmp_path: Path, bare_postgres_url: str
) -> None:
    asyncio.run(_migrated_without_ledger(bare_postgres_url))
    result = run_cli(
        ["run"], tmp_path, TELEGRAM_BOT_TOKEN="123:abc", PSEUDONYM_SECRET=SECRET,
        TELEGRAM_API_URL="http://127.0.0.1:9/bot", DATABASE_URL=bare_postgres_url,
        DATABASE_PATH=str(tmp_path / "hearing.db"),
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("hearing-bot: the erasure ledger (schema `ledger`) is missing")
    assert "hearing-bot ledger import FILE" in line
    # With no copy of the ledger left, the operator starts an empty one, knowingly.
    imported = run_cli(["ledger", "import", "/dev/null"], tmp_path, DATABASE_URL=bare_postgres_url)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("0 erasures added to the ledger of PostgreSQL database")
    assert asyncio.run(value(bare_postgres_url, "SELECT COUNT(*) FROM ledger.erasures")) == 0


async def test_a_backup_of_a_database_without_its_ledger_fails_and_leaves_nothing(
    tmp_path: Path, bare_postgres_url: str
) -> None:
    await _migrated_without_ledger(bare_postgres_url)
    with pytest.raises(BackupError, match=r"has no erasure ledger \(schema `ledger`\)"):
        await backup_postgres(bare_postgres_url, tmp_path / "hearing.dump")
    assert names(tmp_path) == [], "no archive, no ledger file, no leftovers"


async def _migrated_without_ledger(url: str) -> None:
    """A database at this version's schema whose ledger is gone (restored without it)."""
    async with PostgresDatabase(url):
        pass
    await value(url, "DROP SCHEMA ledger CASCADE")


@POSTGRES_ONLY
@pytest.mark.parametrize(
    ("participant", "erased_at", "problem"),
    [
        ("p-someone", "yesterday", "is not a time"),
        ("p-someone", "2026-11-27T10:00:00", "is not a time as the bot writes them"),
        ("p-someone", "2026-11-27T15:00:00.000+05:00", "is not a time as the bot writes them"),
        ("  ", "2026-11-27T10:00:00.000+00:00", "its participant is empty"),
    ],
)
async def test_a_damaged_ledger_entry_stops_start_up_and_changes_nothing(
    emu: Emulator, tmp_path: Path, database_url: str, participant: str, erased_at: str,
    problem: str,
) -> None:  # fmt: skip
    async with Hearing(emu, make_settings(tmp_path)) as hearing:
        await hearing.answer_item(ANA, "3")
        await erase(hearing, ANA)
        await hearing.answer_item(BILAL, "5")
    await value(
        database_url,
        "INSERT INTO ledger.erasures (participant, erased_at) VALUES ($1, $2)",
        participant,
        erased_at,
    )
    before = await value(database_url, "SELECT COUNT(*) FROM stances")
    with pytest.raises(LedgerError, match=f"is damaged \\(.*{problem}"):
        await hearing.start()
    await hearing.stop()
    assert await value(database_url, "SELECT COUNT(*) FROM stances") == before == 1


@POSTGRES_ONLY
async def test_the_ledger_refuses_changes(database_url: str, hearing: Hearing) -> None:
    await hearing.answer_item(ANA, "3")
    await erase(hearing, ANA)
    for sql in ("UPDATE ledger.erasures SET erased_at = ''", "DELETE FROM ledger.erasures",
                "TRUNCATE ledger.erasures"):  # fmt: skip
        with pytest.raises(asyncpg.RestrictViolationError, match="append-only"):
            await value(database_url, sql)
    assert [e.participant_id for e in await erasures(hearing.settings.database_path)] == [ANA_ID]


@POSTGRES_ONLY
async def test_a_file_ledger_beside_is_taken_into_the_database_once(
    emu: Emulator, tmp_path: Path, database_url: str
) -> None:
    settings = make_settings(tmp_path)
    async with Hearing(emu, settings) as hearing:
        await hearing.answer_item(ANA, "3")
        await hearing.answer_item(BILAL, "5")
    # What an earlier version wrote beside DATABASE_PATH (a backup restored since left Ana in).
    file = ledger_path(settings.database_path)
    later = iso(datetime.now(UTC))
    file.write_text(LedgerEntry(ANA_ID, later).line() + "\n" + '{"participant": "p', "utf-8")
    async with hearing:
        assert await stances_of(database_url, ANA_ID) == 0
        assert await stances_of(database_url, BILAL_ID) == 1
    assert not file.exists(), "taken in: never read again"
    assert file.with_name(file.name + ".imported").read_text("utf-8").startswith('{"part')
    await hearing.restart()
    await hearing.stop()
    assert await erasures(settings.database_path) == [LedgerEntry(ANA_ID, later)]


async def test_the_ledger_is_exported_and_imported_on_either_backend(
    hearing: Hearing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    await hearing.answer_item(ANA, "3")
    await erase(hearing, ANA)
    path = hearing.settings.database_path
    use_database(monkeypatch, path)
    exported = tmp_path / "exported.jsonl"
    assert await asyncio.to_thread(main, ["ledger", "export", str(exported)]) == 0
    assert f"{exported}: 1 erasures" in capsys.readouterr().out
    assert stat.S_IMODE(exported.stat().st_mode) == 0o600
    # Importing what is already there adds nothing; another copy's entries are added.
    other = LedgerEntry(BILAL_ID, iso(datetime.now(UTC)))
    exported.chmod(0o600)
    with exported.open("a", encoding="utf-8") as file:
        file.write(other.line() + "\n\n")
    assert await asyncio.to_thread(main, ["ledger", "import", str(exported)]) == 0
    assert "1 erasures added" in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["ledger", "import", str(exported)]) == 0
    assert "0 erasures added" in capsys.readouterr().out
    assert [e.participant_id for e in await erasures(path)] == [ANA_ID, BILAL_ID]


@pytest.mark.parametrize(
    ("args", "content", "said"),
    [
        (["export"], "", "already exists; a ledger is never written over one"),
        (["import"], '{"participant": "p1", "erased_at": "2026-11-27T10:00:00.000+00:00"}\n'
                     '{"participant": "p2"}\n', "line 2, is not an erasure ledger entry"),
        (["import"], "not json\n", "line 1, is not an erasure ledger entry"),
        (["import"], None, "cannot read"),
    ],
)  # fmt: skip
async def test_bad_ledger_files_are_refused_and_nothing_changes(
    hearing: Hearing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], args: list[str], content: str | None, said: str,
) -> None:  # fmt: skip
    await hearing.answer_item(ANA, "3")
    await erase(hearing, ANA)
    path = hearing.settings.database_path
    use_database(monkeypatch, path)
    file = tmp_path / "given.jsonl"
    if content is not None:
        file.write_text(content, "utf-8")
    before = await erasures(path)
    assert await asyncio.to_thread(main, ["ledger", *args, str(file)]) == 2
    err = capsys.readouterr().err.strip()
    assert said in err and len(err.splitlines()) == 1
    assert await erasures(path) == before
    assert (file.read_text("utf-8") if content is not None else None) == content
