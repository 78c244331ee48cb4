"""One hearing on PostgreSQL: pooled writers and readers, migrations.

The same repositories and guarantees as storage/db.py's SQLite database. Why writers share one
lock (docs/postgres.md, Transactions): every service reads, then writes, in one transaction,
written for SQLite's single writer; a transaction-scoped advisory lock taken with BEGIN gives
them that here too, across every process on the database (the bot, `tracking import`...). A
transaction that asks to be concurrent (an update's unit of work) shares the lock with others
like it, SERIALIZABLE, so PostgreSQL fails one of two that conflict instead.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeAlias, cast

import asyncpg

from bot.model.clock import Clock, system_clock
from storage.clock import iso
from storage.db import DatabaseError
from storage.erasure_ledger import ledger_path
from storage.pg_connection import CONFLICTS, STATEMENT_CACHE, PgConnection
from storage.pg_ledger import PostgresLedger
from storage.pg_url import describe, scrub
from storage.repositories import Repositories
from storage.unit import conflicted, running_unit
from storage.units import UnitsOfWork

log = logging.getLogger(__name__)

# A connection lent by a pool (the writers' or the readers'); subscripted for the checker only.
Pooled: TypeAlias = "asyncpg.pool.PoolConnectionProxy[Any]"

# Advisory lock keys, one per purpose, within the hearing's own database.
MIGRATION_LOCK = 0x6865_6172_0001
WRITER_LOCK = 0x6865_6172_0002
CONNECT_TIMEOUT_SECONDS = 10.0
POOL_SIZE = 10
# Write transactions one process runs at once (concurrent ones beside each other; one alone).
WRITERS = 4
# How long closing waits for a connection still in use before it ends it.
CLOSE_SECONDS = 10.0
DEFAULT_PATH = Path("data/hearing.db")
_MIGRATION_RE = re.compile(r"^(\d{4})_([a-z0-9_]+)(\.postgres)?\.sql$")
# What a connection that failed or was refused raises (the server gone, a network error).
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.InterfaceError,
    # What asyncpg raises for a connection the server ended while it was idle in a transaction.
    asyncpg.InternalClientError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.InvalidAuthorizationSpecificationError,
    asyncpg.InvalidCatalogNameError,
)
# READ COMMITTED under the writer lock: each transaction runs alone among writers, and sees
# everything committed before it (docs/postgres.md). One round trip for both.
BEGIN_WRITE = f"BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock({WRITER_LOCK})"
# SERIALIZABLE with the lock shared: beside other concurrent transactions only, never beside one
# that runs alone, and PostgreSQL fails one of two that conflict (WriteConflict).
BEGIN_CONCURRENT = (
    f"BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT pg_advisory_xact_lock_shared({WRITER_LOCK})"
)


class PostgresDatabase(UnitsOfWork):
    """Own the writers' and the readers' pools and the clock; hand out transactions and reads."""

    concurrent_writers = True

    def __init__(
        self,
        url: str,
        clock: Clock = system_clock,
        path: Path = DEFAULT_PATH,
        pool_size: int = POOL_SIZE,
        writers: int = WRITERS,
    ) -> None:
        self.url = url
        # DATABASE_PATH: no database here, but where an earlier version kept the erasure
        # ledger, taken into the database at start (storage/pg_ledger.py).
        self.path = path
        self.clock = clock
        self.pool_size = pool_size
        self.writers = writers
        # Where it is, for messages: host, port and database, never the password.
        self.where = describe(url)
        self._pool: asyncpg.Pool[Any] | None = None
        # Writers have a pool of their own: one waiting for the lock never holds up a reader.
        self._writers: asyncpg.Pool[Any] | None = None

    async def open(self) -> None:
        """Connect, apply pending migrations (one process at a time), and open the readers."""
        try:
            migrator = await self._connect()
            try:
                await apply_postgres_migrations(migrator, clock=self.now)
            finally:
                await migrator.close()
            self._writers = await self._create_pool(self.writers)
            self._pool = await self._create_pool(self.pool_size)
        except BaseException as exc:
            await self.close()
            if isinstance(exc, CONNECTION_ERRORS):
                raise DatabaseError(f"cannot reach {self.where}: {scrub(exc, self.url)}") from None
            raise

    async def _create_pool(self, size: int) -> asyncpg.Pool[Any]:
        return await asyncpg.create_pool(
            self.url,
            min_size=1,
            max_size=size,
            timeout=CONNECT_TIMEOUT_SECONDS,
            statement_cache_size=STATEMENT_CACHE,
            reset=_keep_session,
        )

    async def _connect(self) -> asyncpg.Connection:
        return await asyncpg.connect(
            self.url, timeout=CONNECT_TIMEOUT_SECONDS, statement_cache_size=STATEMENT_CACHE
        )

    async def close(self) -> None:
        """Close every connection; safe to call twice."""
        writers, self._writers = self._writers, None
        pool, self._pool = self._pool, None
        for each in (writers, pool):
            if each is None:
                continue
            try:
                async with asyncio.timeout(CLOSE_SECONDS):
                    await each.close()
            except TimeoutError:
                each.terminate()  # a transaction still under way: rolled back by the server

    def now(self) -> datetime:
        """Return the current moment by the hearing's clock."""
        return self.clock()

    def erasure_ledger(self) -> PostgresLedger:
        """Return the erasure ledger: the database's schema `ledger`, which backups leave out."""
        return PostgresLedger(self, self.where, ledger_path(self.path))

    async def __aenter__(self) -> PostgresDatabase:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def checkpoint(self) -> bool:
        """Commit a running unit of work; PostgreSQL's own log needs nothing from the bot.

        Erased rows stay as dead tuples until autovacuum reclaims them (docs/postgres.md).
        """
        unit = running_unit()
        if unit is not None and unit.open and unit.depth == 0:
            await self.commit_so_far(unit)
        return True

    async def _begin_write(self, concurrent: bool, held: object = None) -> object:
        if held is not None:
            conn = cast(Pooled, held)
            await conn.execute(_begin(concurrent))
            return conn
        try:
            return await self._begin_on_pooled(concurrent)
        except CONNECTION_ERRORS:
            # A pooled connection the server ended while it sat idle fails at its first
            # statement: nothing had begun on it, so BEGIN is tried once more on another.
            return await self._begin_on_pooled(concurrent)

    async def _begin_on_pooled(self, concurrent: bool) -> Pooled:
        writers = self._require(self._writers)
        try:
            conn = await writers.acquire()
        except CONNECTION_ERRORS as exc:
            raise DatabaseError(f"cannot reach {self.where}: {scrub(exc, self.url)}") from None
        try:
            if conn.is_in_transaction():
                # Left open by a task cancelled while it rolled back: never build on it.
                await conn.execute("ROLLBACK")
            await conn.execute(_begin(concurrent))
        except BaseException:
            await _roll_back(conn)
            await _give_back(writers, conn)
            raise
        return conn

    async def _end_write(self, writer: object, commit: bool, release: bool = True) -> None:
        conn = cast(Pooled, writer)
        try:
            if not commit:
                await _roll_back(conn)
                return
            try:
                await conn.execute("COMMIT")
            except CONFLICTS as exc:
                await _roll_back(conn)
                raise conflicted() from exc
            except BaseException:
                await _roll_back(conn)
                raise
        finally:
            if release:
                await self._release_writer(conn)

    async def _release_writer(self, writer: object) -> None:
        if self._writers is not None:
            await _give_back(self._writers, cast(Pooled, writer))

    async def _on_writer(self, writer: object, sql: str) -> None:
        await cast(Pooled, writer).execute(sql)

    def _writer_repositories(self, writer: object) -> Repositories:
        return Repositories(PgConnection(cast(Pooled, writer)), self.now)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Repositories]:
        """Give repositories on a pooled connection: each query sees what is committed.

        A unit of work that has written reads on the writer, so that it sees its own writes.
        """
        pool = self._require(self._pool)
        unit = running_unit()
        if unit is not None and unit.open:
            yield self._writer_repositories(unit.writer)
            return
        try:
            conn = await pool.acquire()
        except CONNECTION_ERRORS as exc:  # a new connection, and the server does not answer
            raise DatabaseError(f"cannot reach {self.where}: {scrub(exc, self.url)}") from None
        try:
            yield Repositories(PgConnection(conn), self.now)
        finally:
            await pool.release(conn)

    def _require(self, pool: asyncpg.Pool[Any] | None) -> asyncpg.Pool[Any]:
        if pool is None:
            raise DatabaseError("the database is not open")
        return pool


def _begin(concurrent: bool) -> str:
    return BEGIN_CONCURRENT if concurrent else BEGIN_WRITE


async def _roll_back(conn: asyncpg.Connection | Pooled) -> None:
    try:
        if not conn.is_closed() and conn.is_in_transaction():
            await conn.execute("ROLLBACK")
    except Exception:
        # A connection that broke lost its transaction with it; whatever state it is left in,
        # the next transaction opens a new one.
        conn.terminate()


async def _give_back(pool: asyncpg.Pool[Any], conn: Pooled) -> None:
    """Return a writer to its pool; one still in a transaction (its rollback cut short by a
    cancelled task) is ended instead: the server rolls the transaction back."""
    if not conn.is_closed() and conn.is_in_transaction():
        conn.terminate()
    await pool.release(conn)


async def _keep_session(conn: asyncpg.Connection) -> None:
    # Nothing to reset between uses, and a round trip saved on each: a transaction is always
    # closed by then (asyncpg rolls back one left open), and the bot sets no session state.
    return None


def postgres_migration_scripts() -> list[tuple[int, str, str]]:
    """List the migrations as PostgreSQL runs them: each version's `.postgres.sql` if any."""
    found: dict[int, tuple[str, str, bool]] = {}
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_RE.match(entry.name)
        if match is None:
            continue
        version, name, own = int(match.group(1)), match.group(2), match.group(3) is not None
        if version not in found or own:
            found[version] = (name, entry.read_text(encoding="utf-8"), own)
    return [(version, name, sql) for version, (name, sql, _) in sorted(found.items())]


async def apply_postgres_migrations(
    conn: asyncpg.Connection,
    scripts: list[tuple[int, str, str]] | None = None,
    clock: Clock = system_clock,
) -> list[int]:
    """Apply every migration not yet recorded, each in one transaction with its record.

    A session advisory lock makes a second process starting at the same time wait, then find
    the migrations recorded and apply nothing.
    """
    await conn.execute(f"SELECT pg_advisory_lock({MIGRATION_LOCK})")
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        done = {row[0] for row in await conn.fetch("SELECT version FROM schema_migrations")}
        applied = []
        for version, name, sql in postgres_migration_scripts() if scripts is None else scripts:
            if version in done:
                continue
            try:
                async with conn.transaction():
                    await conn.execute(sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at)"
                        " VALUES ($1, $2, $3)",
                        version,
                        name,
                        iso(clock()),
                    )
            except asyncpg.PostgresError as exc:
                raise DatabaseError(f"migration {version:04d}_{name} failed: {exc}") from exc
            log.info("applied migration %04d_%s", version, name)
            applied.append(version)
        return applied
    finally:
        await conn.execute(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})")
