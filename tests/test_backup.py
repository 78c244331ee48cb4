"""Backups with SQLite's online backup API (and pg_dump on PostgreSQL), and the start-up check
of a damaged database."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from pathlib import Path

import pytest

from bot.cli import main
from storage.backup import BackupError, backup_database
from storage.db import Database, DatabaseError
from storage.pg_backup import backup_postgres
from storage.postgres import PostgresDatabase
from tests.harness import POSTGRES_ONLY, SECRET, SQLITE_ONLY, Hearing, rows, use_database
from tests.test_cli import run_cli

CITIZEN = 3131


def damage(path: Path, table: str = "stances") -> None:
    """Overwrite the root page of a table with garbage, as a failing disk might."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
        ).fetchone()
        (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    with path.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xa5" * page_size)


def names(folder: Path) -> list[str]:
    """Return the names of the files in a folder, sorted."""
    return sorted(p.name for p in folder.iterdir())


async def make_database(path: Path) -> None:
    """Create a migrated, empty hearing database."""
    async with Database(path):
        pass


@SQLITE_ONLY  # a SQLite file is copied
async def test_backup_of_a_running_hearing_is_a_checked_copy(
    hearing: Hearing, tmp_path: Path
) -> None:
    await hearing.answer_item(CITIZEN, "1", "👎 Oppose", "Low")
    target = tmp_path / "backups" / "hearing-1.db"
    target.parent.mkdir()
    result = await backup_database(hearing.settings.database_path, target)
    # The bot keeps running and writing while (and after) the copy is made.
    await hearing.answer_item(CITIZEN, "2")
    assert result.path == target and result.size == target.stat().st_size and result.pages > 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600, "readable by its owner only"
    assert names(target.parent) == ["hearing-1.db"], "one self-contained file, no leftovers"
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT item_id, stance, priority FROM stances").fetchall() == [
            ("1", "oppose", "low")
        ]


@POSTGRES_ONLY
async def test_backup_of_a_running_hearing_on_postgresql_is_a_checked_archive(
    hearing: Hearing, tmp_path: Path, bare_postgres_url: str
) -> None:
    await hearing.answer_item(CITIZEN, "1", "👎 Oppose", "Low")
    target = tmp_path / "backups" / "hearing-1.dump"
    target.parent.mkdir()
    assert hearing.settings.database_url is not None
    result = await backup_postgres(hearing.settings.database_url, target)
    await hearing.answer_item(CITIZEN, "2")  # the bot goes on meanwhile
    assert result.path == target and result.size == target.stat().st_size
    assert result.entries > 30, "every table, index and trigger is in the archive"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600, "readable by its owner only"
    ledger = target.parent / "hearing-1.dump.erasures.jsonl"
    assert names(target.parent) == ["hearing-1.dump", ledger.name], "the ledger beside, no more"
    assert result.ledger == ledger and stat.S_IMODE(ledger.stat().st_mode) == 0o600
    # Restored into an empty database, it holds what was answered before the backup only.
    restore = await asyncio.create_subprocess_exec(
        "pg_restore", "--no-owner", f"--dbname={bare_postgres_url}", str(target)
    )
    assert await restore.wait() == 0
    async with PostgresDatabase(bare_postgres_url) as db:
        found = await rows(db, "SELECT item_id, stance, priority FROM stances")
    assert found == [("1", "oppose", "low")]


@POSTGRES_ONLY
async def test_backup_command_on_postgresql_prints_what_it_wrote(
    hearing: Hearing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    use_database(monkeypatch, hearing.settings.database_path)
    assert await asyncio.to_thread(main, ["backup", str(tmp_path / "copy.dump")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{tmp_path / 'copy.dump'}: ") and "read back by pg_restore" in out


def test_a_failed_pg_dump_is_one_line_without_the_password_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "pg-Pa55word-never-shown"
    monkeypatch.setenv("DATABASE_URL", f"postgresql://hearing:{secret}@127.0.0.1:1/hearing")
    assert main(["backup", str(tmp_path / "copy.dump")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and secret not in err
    assert "pg_dump failed on PostgreSQL database 'hearing' on 127.0.0.1:1" in err
    assert names(tmp_path) == []


def test_backup_command_prints_what_it_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(make_database(tmp_path / "hearing.db"))
    monkeypatch.chdir(tmp_path)
    use_database(monkeypatch, tmp_path / "hearing.db")
    assert main(["backup", str(tmp_path / "copy.db")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{tmp_path / 'copy.db'}: ") and "integrity check ok" in out


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("exists.db", "already exists; a backup never overwrites a file"),
        ("missing/copy.db", "is not a folder"),
        ("a-file/copy.db", "is not a folder"),
        ("/proc/hearing-copy.db", "cannot write in /proc"),
    ],
    ids=["existing-file", "missing-folder", "parent-is-a-file", "unwritable-place"],
)
async def test_backup_refuses_a_path_it_cannot_or_must_not_write(
    tmp_path: Path, target: str, expected: str
) -> None:
    source = tmp_path / "hearing.db"
    await make_database(source)
    (tmp_path / "exists.db").write_bytes(b"keep me")
    (tmp_path / "a-file").write_bytes(b"")
    before = names(tmp_path)
    with pytest.raises(BackupError, match=expected):
        await backup_database(source, tmp_path / target)
    assert names(tmp_path) == before, "nothing left behind"
    assert (tmp_path / "exists.db").read_bytes() == b"keep me"


async def test_backup_of_a_missing_database_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no database at"):
        await backup_database(tmp_path / "absent.db", tmp_path / "copy.db")
    assert names(tmp_path) == []


@pytest.mark.parametrize("how", ["damaged-page", "not-a-database"])
async def test_backup_of_a_damaged_database_fails_its_check(tmp_path: Path, how: str) -> None:
    source = tmp_path / "hearing.db"
    await make_database(source)
    if how == "damaged-page":
        damage(source)
    else:
        source.write_bytes(b"this is not SQLite " * 400)
    with pytest.raises(BackupError, match=r"integrity check|cannot copy"):
        await backup_database(source, tmp_path / "copy.db")
    assert not (tmp_path / "copy.db").exists()
    assert not (tmp_path / ".copy.db.partial").exists()


@pytest.mark.parametrize("how", ["damaged-page", "not-a-database"])
async def test_opening_a_damaged_database_is_refused(tmp_path: Path, how: str) -> None:
    path = tmp_path / "hearing.db"
    await make_database(path)
    if how == "damaged-page":
        damage(path)
    else:
        path.write_bytes(b"this is not SQLite " * 400)
    damaged = path.read_bytes()
    with pytest.raises(DatabaseError, match=r"is damaged .*Refusing to start: restore"):
        await Database(path).open()
    assert path.read_bytes() == damaged, "nothing was written to it"


def test_run_on_a_damaged_database_stops_with_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "hearing.db"
    asyncio.run(make_database(path))
    damage(path)
    result = run_cli(
        ["run"],
        tmp_path,
        TELEGRAM_BOT_TOKEN="123:abc",
        PSEUDONYM_SECRET=SECRET,
        TELEGRAM_API_URL="http://127.0.0.1:9/bot",
        DATABASE_PATH=str(path),
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(f"hearing-bot: database error: {path} is damaged (")
