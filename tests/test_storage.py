"""Storage on SQLite (and PostgreSQL): migrations, pragmas, transactions, repositories."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import aiosqlite
import pytest

from storage.backend import Store
from storage.db import Database, DatabaseError, apply_migrations, migration_scripts
from tests.harness import INTEGRITY_ERRORS, SQLITE_ONLY, table_names


async def test_migrations_are_numbered_and_recorded_once(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    async with Database(path):
        pass
    sql = "SELECT version FROM schema_migrations"
    async with Database(path) as db, db.reading() as repos, repos.conn.execute(sql) as cursor:
        versions = [row[0] for row in await cursor.fetchall()]
    assert versions == [version for version, _, _ in migration_scripts()]
    assert versions[0] == 1


@SQLITE_ONLY
async def test_pragmas(db: Store) -> None:
    async with db.reading() as repos:
        for pragma, expected in (
            ("journal_mode", "wal"),
            ("foreign_keys", 1),
            ("busy_timeout", 5000),
        ):
            async with repos.conn.execute(f"PRAGMA {pragma}") as cursor:
                row = await cursor.fetchone()
            assert row is not None and row[0] == expected


async def test_failed_migration_is_rolled_back_whole(tmp_path: Path) -> None:
    broken = [(1, "initial", "CREATE TABLE a (x INTEGER); CREATE TABLE a (y INTEGER);")]
    async with aiosqlite.connect(tmp_path / "b.db", isolation_level=None) as conn:
        with pytest.raises(DatabaseError, match="0001_initial"):
            await apply_migrations(conn, broken)
        async with conn.execute("SELECT name FROM sqlite_master WHERE name IN ('a')") as cur:
            assert await cur.fetchall() == []
        async with conn.execute("SELECT COUNT(*) FROM schema_migrations") as cur:
            assert (await cur.fetchone()) == (0,)


async def test_transaction_rolls_back_on_error(db: Store) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as repos:
            await repos.participants.ensure("p1")
            raise RuntimeError("boom")
    async with db.reading() as repos:
        assert await repos.participants.get("p1") is None


async def test_reader_sees_only_committed_data(db: Store) -> None:
    async with db.transaction() as repos:
        await repos.participants.ensure("p1")
        async with db.reading() as reader:
            assert await reader.participants.get("p1") is None
    async with db.reading() as reader:
        assert await reader.participants.get("p1") is not None


@pytest.mark.parametrize(
    ("stance", "priority"),
    [("maybe", None), ("support", "urgent"), ("", None)],
)
async def test_check_constraints_refuse_unknown_values(
    db: Database, stance: str, priority: str | None
) -> None:
    async with db.transaction() as repos:
        await repos.participants.ensure("p1")
    with pytest.raises(INTEGRITY_ERRORS):
        async with db.transaction() as repos:
            await repos.stances.record("p1", "1", stance, priority, "v")


async def test_stance_is_upserted_with_history(db: Store) -> None:
    async with db.transaction() as repos:
        assert await repos.participants.ensure("p1") is True
        assert await repos.participants.ensure("p1") is False
        await repos.stances.record("p1", "3", "support", None, "v1")
        await repos.stances.record("p1", "3", "oppose", "low", "v1")
    async with db.reading() as repos:
        current = await repos.stances.for_participant("p1")
        assert [(s.item_id, s.stance, s.priority) for s in current.values()] == [
            ("3", "oppose", "low")
        ]
        assert await repos.stances.history_count("p1", "3") == 2


async def test_foreign_keys_are_enforced(db: Store) -> None:
    with pytest.raises(INTEGRITY_ERRORS):
        async with db.transaction() as repos:
            await repos.stances.record("nobody", "1", "support", None, "v")


async def test_delivery_keeps_one_chat_per_participant(db: Store) -> None:
    async with db.transaction() as repos:
        await repos.participants.ensure("p1")
        await repos.delivery.upsert("p1", 42)
        await repos.delivery.upsert("p1", 43)
    async with db.reading() as repos:
        assert await repos.delivery.chat_id("p1") == 43
        assert await repos.delivery.chat_id("p2") is None


async def test_suggestions_refuse_empty_text(db: Store) -> None:
    async with db.transaction() as repos:
        await repos.participants.ensure("p1")
        first = await repos.suggestions.add("p1", "1", "Register madaris", "visible", "v")
    async with db.reading() as repos:
        stored = await repos.suggestions.get(first)
        assert stored is not None and stored.text == "Register madaris"
    with pytest.raises(INTEGRITY_ERRORS):
        async with db.transaction() as repos:
            await repos.suggestions.add("p1", "1", "", "visible", "v")


async def test_closed_database_says_so(tmp_path: Path) -> None:
    db = Database(tmp_path / "c.db")
    with pytest.raises(DatabaseError, match="not open"):
        async with db.reading():
            pass


async def test_a_file_that_is_not_a_database_leaves_no_connection_open(tmp_path: Path) -> None:
    path = tmp_path / "broken.db"
    path.write_bytes(b"not a database at all, just bytes" * 200)
    before = {t.ident for t in threading.enumerate()}
    with pytest.raises(DatabaseError, match="is damaged"):
        async with Database(path):
            pass
    started = [t for t in threading.enumerate() if t.ident not in before]
    for thread in started:
        # A closed connection's thread ends just after close() returns; one never stopped stays.
        thread.join(timeout=5)
    leaked = [t for t in started if t.is_alive()]
    assert leaked == [], "a connection's thread would keep the process from exiting"


@SQLITE_ONLY  # another process holding SQLite's write lock
async def test_a_transaction_cancelled_while_it_begins_leaves_the_writer_usable(
    db: Store,
) -> None:
    # What stopping the bot does to a task that was storing an update (polling is cancelled),
    # here while another process (a command run beside the bot) holds the write lock.
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")

    async def write() -> None:
        async with db.transaction() as repos:
            await repos.conn.execute("CREATE TABLE never (x INTEGER)")

    task = asyncio.create_task(write())
    ticks = 0
    while ticks < 5:  # the event loop stays free while the writer waits for the lock
        await asyncio.sleep(0.005)
        ticks += 1
    assert not task.done(), "the task is waiting for its BEGIN IMMEDIATE"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    other.execute("ROLLBACK")
    other.close()
    async with db.transaction() as repos:
        await repos.conn.execute("CREATE TABLE later (x INTEGER)")
    found = await table_names(db)
    assert "later" in found and "never" not in found


async def test_the_same_answer_again_adds_no_history(db: Store) -> None:
    async with db.transaction() as repos:
        await repos.participants.ensure("p1")
        for stance, priority in (("support", None), ("support", None), ("support", "high"),
                                 ("support", "high"), ("oppose", "high")):  # fmt: skip
            await repos.stances.record("p1", "3", stance, priority, "v1")
        assert await repos.stances.history_count("p1", "3") == 3
        current = await repos.stances.get("p1", "3")
    assert current is not None and (current.stance, current.priority) == ("oppose", "high")
