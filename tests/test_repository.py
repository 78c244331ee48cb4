"""The repositories' query helpers and the migration ledger, on a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest

from storage.db import Database, DatabaseError, apply_migrations
from storage.repository import Repository, returning_id

MOMENT = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)


@pytest.fixture
async def repo(db: Database) -> Repository:
    """A bare repository over the writer, with a small table of its own."""
    async with db.transaction() as repos:
        await repos.conn.execute(
            "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT UNIQUE, note TEXT)"
        )
    return Repository(repos.conn, lambda: MOMENT)


async def test_fetch_one_returns_the_first_row_or_none(repo: Repository) -> None:
    await repo.execute_many("INSERT INTO things (name) VALUES (?)", [("a",), ("b",)])
    row = await repo.fetch_one("SELECT id, name FROM things ORDER BY id")
    assert row is not None and tuple(row) == (1, "a")
    assert await repo.fetch_one("SELECT id FROM things WHERE name = ?", ("z",)) is None
    assert [r[0] for r in await repo.fetch_all("SELECT name FROM things ORDER BY id")] == [
        "a",
        "b",
    ]
    assert await repo.fetch_all("SELECT name FROM things WHERE id > 9") == []


async def test_fetch_value_gives_the_default_for_no_row_or_null(repo: Repository) -> None:
    await repo.execute("INSERT INTO things (name, note) VALUES ('a', NULL)")
    assert await repo.fetch_value("SELECT COUNT(*) FROM things") == 1
    assert await repo.fetch_value("SELECT name FROM things WHERE id = ?", (1,)) == "a"
    assert await repo.fetch_value("SELECT note FROM things", default="-") == "-"
    assert await repo.fetch_value("SELECT name FROM things WHERE id = 9") is None
    assert await repo.fetch_value("SELECT MAX(id) FROM things WHERE id > 9", default=0) == 0
    assert await repo.exists("SELECT 1 FROM things WHERE name = ?", ("a",))
    assert not await repo.exists("SELECT 1 FROM things WHERE name = ?", ("b",))


async def test_execute_counts_the_rows_it_changed(repo: Repository) -> None:
    await repo.execute_many("INSERT INTO things (name) VALUES (?)", [("a",), ("b",), ("c",)])
    assert await repo.execute("UPDATE things SET note = 'x' WHERE name <> 'b'") == 2
    assert await repo.execute("DELETE FROM things WHERE name = 'z'") == 0


async def test_insert_id_returns_each_new_id_by_returning(repo: Repository) -> None:
    first = await repo.insert_id("INSERT INTO things (name) VALUES (?)", ("a",))
    second = await repo.insert_id("INSERT INTO things (name) VALUES (?) RETURNING id", ("b",))
    assert (first, second) == (1, 2)
    assert await repo.fetch_value("SELECT name FROM things WHERE id = ?", (second,)) == "b"


async def test_an_insert_that_inserts_nothing_gives_no_id(repo: Repository) -> None:
    sql = "INSERT INTO things (name) VALUES (?) ON CONFLICT (name) DO NOTHING"
    assert await repo.insert_id_or_none(sql, ("a",)) == 1
    assert await repo.insert_id_or_none(sql, ("a",)) is None
    with pytest.raises(RuntimeError, match="no id"):
        await repo.insert_id(sql, ("a",))


def test_returning_id_is_added_once_and_never_doubled() -> None:
    assert (
        returning_id("INSERT INTO t (x) VALUES (?);\n")
        == "INSERT INTO t (x) VALUES (?) RETURNING id"
    )
    kept = "INSERT INTO t (x) VALUES (?) returning id"
    assert returning_id(kept) == kept


async def test_timestamps_come_from_the_repository_clock(repo: Repository) -> None:
    assert repo.timestamp() == "2026-11-27T05:00:00.000+00:00"


async def test_a_duplicate_digest_slot_gives_no_id(db: Database) -> None:
    async with db.transaction() as repos:
        first = await repos.digests.add("2026-11-27T15:00", (None, "t"), "{}", None, [])
        again = await repos.digests.add("2026-11-27T15:00", (None, "t"), "{}", None, [])
        other = await repos.digests.add("2026-11-28T15:00", (None, "t"), "{}", None, [])
    assert first is not None and again is None and other == first + 1


async def _ledger(conn: aiosqlite.Connection) -> list[tuple[object, ...]]:
    async with conn.execute("SELECT version, name, applied_at FROM schema_migrations") as cur:
        return [tuple(row) for row in await cur.fetchall()]


async def _tables(conn: aiosqlite.Connection) -> list[str]:
    async with conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'schema_migrations'"
        " ORDER BY name"
    ) as cur:
        return [str(row[0]) for row in await cur.fetchall()]


async def test_the_ledger_is_written_with_parameters(tmp_path: Path) -> None:
    scripts = [(1, "o'clock; DROP TABLE x", "CREATE TABLE a (x INTEGER);")]
    async with aiosqlite.connect(tmp_path / "q.db", isolation_level=None) as conn:
        assert await apply_migrations(conn, scripts, clock=lambda: MOMENT) == [1]
        assert await _ledger(conn) == [
            (1, "o'clock; DROP TABLE x", "2026-11-27T05:00:00.000+00:00")
        ]
        assert await _tables(conn) == ["a"]
        assert not conn.in_transaction


async def test_a_failing_migration_keeps_the_earlier_ones_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    scripts = [
        (1, "first", "CREATE TABLE a (x INTEGER);"),
        (2, "second", "CREATE TABLE b (x INTEGER); INSERT INTO a VALUES (1); SELECT nope;"),
    ]
    async with aiosqlite.connect(tmp_path / "f.db", isolation_level=None) as conn:
        with pytest.raises(DatabaseError, match="0002_second"):
            await apply_migrations(conn, scripts)
        assert [row[:2] for row in await _ledger(conn)] == [(1, "first")]
        assert await _tables(conn) == ["a"]
        async with conn.execute("SELECT COUNT(*) FROM a") as cur:
            assert await cur.fetchone() == (0,)
        assert not conn.in_transaction


async def test_a_migration_that_commits_itself_is_refused_unrecorded(tmp_path: Path) -> None:
    scripts = [(1, "sneaky", "CREATE TABLE a (x INTEGER); COMMIT;")]
    async with aiosqlite.connect(tmp_path / "c.db", isolation_level=None) as conn:
        with pytest.raises(DatabaseError, match="ended its own transaction"):
            await apply_migrations(conn, scripts)
        assert await _ledger(conn) == []
