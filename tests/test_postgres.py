"""What only the PostgreSQL backend has: translated placeholders, migrations two processes start
at once, one writer at a time across processes, a server that goes away, and DATABASE_URL kept
secret in every message."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import asyncpg
import pytest

from bot.cli import main
from storage.backend import DATABASE_ERRORS, open_database
from storage.db import Database, DatabaseError
from storage.pg_connection import postgres_sql, rows_affected
from storage.pg_url import describe, url_problem, without_password
from storage.postgres import PostgresDatabase, apply_postgres_migrations
from tests.harness import INTEGRITY_ERRORS, SECRET, TOKEN, rows

PASSWORD = "n0t-to-be-Seen"


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT 1", "SELECT 1"),
        ("SELECT ? , ?", "SELECT $1 , $2"),
        ("UPDATE t SET a = ?2 WHERE b = ?1 AND ?2 = ?2",
         "UPDATE t SET a = $2 WHERE b = $1 AND $2 = $2"),
        ("SELECT '?' || ? FROM t WHERE x = 'it''s ?'",
         "SELECT '?' || $1 FROM t WHERE x = 'it''s ?'"),
        ('SELECT "a?" FROM t -- a ? in a comment\nWHERE y = ?',
         'SELECT "a?" FROM t -- a ? in a comment\nWHERE y = $1'),
        ("SELECT /* ? */ ?", "SELECT /* ? */ $1"),
    ],
)  # fmt: skip
def test_placeholders_are_translated_outside_strings_and_comments(sql: str, expected: str) -> None:
    assert postgres_sql(sql) == expected


def test_mixed_placeholders_are_refused() -> None:
    with pytest.raises(ValueError, match="mixes"):
        postgres_sql("SELECT ?1, ?")


@pytest.mark.parametrize(
    ("status", "count"),
    [("UPDATE 3", 3), ("INSERT 0 1", 1), ("DELETE 0", 0), ("SELECT 2", 2), ("BEGIN", -1),
     (None, -1)],
)  # fmt: skip
def test_the_rows_a_statement_changed_are_read_from_its_tag(
    status: str | None, count: int
) -> None:
    assert rows_affected(status) == count


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("postgresql://u:p@db.example.org:5432/hearing?sslmode=verify-full", None),
        ("postgres://u@localhost/hearing", None),
        ("sqlite:///data/hearing.db", "must start with postgresql://"),
        (
            "postgresql://u@host:5432",
            "must name a database (postgresql://user@host:5432/DATABASE)",
        ),
        ("postgresql://u@host:port/db", "is malformed"),
    ],
)
def test_database_urls_are_checked(url: str, problem: str | None) -> None:
    assert url_problem(url) == problem


def test_a_url_is_described_and_handed_on_without_its_password() -> None:
    url = f"postgresql://hearing:{PASSWORD}@db.example.org:6432/votes?sslmode=require"
    assert describe(url) == "PostgreSQL database 'votes' on db.example.org:6432 (DATABASE_URL)"
    assert (
        without_password(url) == "postgresql://hearing@db.example.org:6432/votes?sslmode=require"
    )


async def test_two_processes_starting_at_once_apply_each_migration_once(
    bare_postgres_url: str,
) -> None:
    databases = [PostgresDatabase(bare_postgres_url) for _ in range(3)]
    await asyncio.gather(*(db.open() for db in databases))
    try:
        found = await rows(databases[0], "SELECT version, COUNT(*) FROM schema_migrations"
                                         " GROUP BY version HAVING COUNT(*) > 1")  # fmt: skip
        assert found == []
        assert len(await rows(databases[1], "SELECT version FROM schema_migrations")) >= 17
    finally:
        for db in databases:
            await db.close()


async def test_a_failing_migration_keeps_the_earlier_ones_and_leaves_nothing(
    bare_postgres_url: str,
) -> None:
    scripts = [
        (1, "first", "CREATE TABLE a (x INTEGER);"),
        (2, "second", "CREATE TABLE b (x INTEGER); INSERT INTO a VALUES (1); SELECT nope;"),
    ]
    conn = await asyncpg.connect(bare_postgres_url)
    try:
        with pytest.raises(DatabaseError, match="0002_second"):
            await apply_postgres_migrations(conn, scripts)
        assert [tuple(r) for r in await conn.fetch("SELECT version FROM schema_migrations")] == [
            (1,)
        ]
        assert await conn.fetchval("SELECT to_regclass('b')") is None
        assert await conn.fetchval("SELECT COUNT(*) FROM a") == 0
        assert not conn.is_in_transaction()
        # and the lock is released: a later start applies what is missing
        assert await apply_postgres_migrations(conn, scripts[:1]) == []
    finally:
        await conn.close()


async def test_writers_in_two_processes_take_turns(postgres_url: str) -> None:
    first, second = PostgresDatabase(postgres_url), PostgresDatabase(postgres_url)
    await first.open()
    await second.open()
    order: list[str] = []
    try:
        held = asyncio.Event()

        async def slow_writer() -> None:
            async with first.transaction() as repos:
                await repos.participants.ensure("p1")
                held.set()
                await asyncio.sleep(0.3)  # another process would wait all this time
                order.append("first commits")

        async def second_writer() -> None:
            await held.wait()
            async with second.transaction() as repos:
                order.append("second begins")
                # It sees what the first committed before it was let in.
                assert await repos.participants.get("p1") is not None

        await asyncio.gather(slow_writer(), second_writer())
    finally:
        await first.close()
        await second.close()
    assert order == ["first commits", "second begins"]


async def test_the_append_only_logs_refuse_truncate_too(postgres_url: str) -> None:
    async with PostgresDatabase(postgres_url) as db:
        for table in ("moderation_log", "tracking_history"):
            with pytest.raises(INTEGRITY_ERRORS, match="append-only"):
                async with db.transaction() as repos:
                    await repos.conn.execute(f"TRUNCATE {table}")


async def test_a_connection_the_server_ends_fails_its_transaction_only(postgres_url: str) -> None:
    async def end_connections() -> None:  # what a restart of the server does to them
        admin = await asyncpg.connect(postgres_url)
        try:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        finally:
            await admin.close()

    async with PostgresDatabase(postgres_url) as db:
        with pytest.raises(DATABASE_ERRORS):
            async with db.transaction() as repos:
                await repos.participants.ensure("p1")
                await end_connections()
                await repos.participants.ensure("p2")
        await end_connections()  # idle ones too: the pool replaces them unseen
        async with db.transaction() as repos:
            await repos.participants.ensure("p3")
        async with db.reading() as repos:
            assert await repos.participants.get("p1") is None, "rolled back with its connection"
            assert await repos.participants.get("p3") is not None


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("127.0.0.1:1/hearing", "cannot reach PostgreSQL database 'hearing' on 127.0.0.1:1"),
        ("127.0.0.1:1/hearing?sslmode=require", "cannot reach PostgreSQL database 'hearing'"),
    ],
)
def test_an_unreachable_database_stops_start_up_with_one_line(
    address: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("PSEUDONYM_SECRET", SECRET)
    monkeypatch.setenv("DATABASE_URL", f"postgresql://hearing:{PASSWORD}@{address}")
    with caplog.at_level(logging.DEBUG):
        assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err and "DATABASE_URL" in err
    assert PASSWORD not in err and PASSWORD not in caplog.text


async def test_tls_options_reach_the_driver(postgres_url: str) -> None:
    # The throwaway server has no TLS: a URL that demands it is refused, so it was honoured.
    with pytest.raises(DatabaseError, match="cannot reach"):
        async with PostgresDatabase(f"{postgres_url}?sslmode=require"):
            pass
    async with PostgresDatabase(f"{postgres_url}?sslmode=disable") as db:
        assert await rows(db, "SELECT 1") == [(1,)]


async def test_an_unknown_database_or_user_is_one_line(postgres_url: str) -> None:
    base = postgres_url.rsplit("/", 1)[0]
    with pytest.raises(DatabaseError, match=r"database 'no_such_db' on .*does not exist"):
        async with PostgresDatabase(f"{base}/no_such_db"):
            pass


async def test_without_a_url_the_hearing_stays_on_sqlite(tmp_path: Path) -> None:
    db = open_database(None, tmp_path / "hearing.db")
    assert isinstance(db, Database)
    async with db:
        assert (tmp_path / "hearing.db").is_file()
