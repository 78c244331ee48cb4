"""One hearing on PostgreSQL: a writer connection, pooled readers, migrations.

The same repositories and guarantees as storage/db.py's SQLite database. Why writers take one
lock (docs/postgres.md, Transactions): every service reads, then writes, in one transaction,
written for SQLite's single writer; a transaction-scoped advisory lock taken with BEGIN gives
them that here too, across every process on the database (the bot, `tracking import`...).
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
from typing import Any

import asyncpg

from bot.model.clock import Clock, system_clock
from storage.clock import iso
from storage.db import DatabaseError
from storage.erasure_ledger import ledger_path
from storage.pg_connection import STATEMENT_CACHE, PgConnection
from storage.pg_ledger import PostgresLedger
from storage.pg_url import describe, scrub
from storage.repositories import Repositories
from storage.unit import running_unit
from storage.units import UnitsOfWork

log = logging.getLogger(__name__)

# Advisory lock keys, one per purpose, within the hearing's own database.
MIGRATION_LOCK = 0x6865_6172_0001
WRITER_LOCK = 0x6865_6172_0002
CONNECT_TIMEOUT_SECONDS = 10.0
POOL_SIZE = 10
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


class PostgresDatabase(UnitsOfWork):
    """Own the writer, the readers' pool and the clock; hand out transactions and reads."""

    def __init__(
        self,
        url: str,
        clock: Clock = system_clock,
        path: Path = DEFAULT_PATH,
        pool_size: int = POOL_SIZE,
    ) -> None:
        self.url = url
        # DATABASE_PATH: no database here, but where an earlier version kept the erasure
        # ledger, taken into the database at start (storage/pg_ledger.py).
        self.path = path
        self.clock = clock
        self.pool_size = pool_size
        # Where it is, for messages: host, port and database, never the password.
        self.where = describe(url)
        self._pool: asyncpg.Pool[Any] | None = None
        # Writers take turns, as on SQLite: one connection of their own, no pool in between.
        self._writer: asyncpg.Connection | None = None
        self._write_lock = asyncio.Lock()

    async def open(self) -> None:
        """Connect, apply pending migrations (one process at a time), and open the readers."""
        try:
            self._writer = await self._connect()
            await apply_postgres_migrations(self._writer, clock=self.now)
            self._pool = await asyncpg.create_pool(
                self.url,
                min_size=1,
                max_size=self.pool_size,
                timeout=CONNECT_TIMEOUT_SECONDS,
                statement_cache_size=STATEMENT_CACHE,
                reset=_keep_session,
            )
        except BaseException as exc:
            await self.close()
            if isinstance(exc, CONNECTION_ERRORS):
                raise DatabaseError(f"cannot reach {self.where}: {scrub(exc, self.url)}") from None
            raise

    async def _connect(self) -> asyncpg.Connection:
        return await asyncpg.connect(
            self.url, timeout=CONNECT_TIMEOUT_SECONDS, statement_cache_size=STATEMENT_CACHE
        )

    async def close(self) -> None:
        """Close every connection; safe to call twice."""
        writer, self._writer = self._writer, None
        pool, self._pool = self._pool, None
        if writer is not None and not writer.is_closed():
            await writer.close()
        if pool is not None:
            await pool.close()

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
            await self._close_unit(unit, commit=True)
        return True

    async def _begin_write(self) -> None:
        self._require()
        conn = await self._writer_connection()
        try:
            await conn.execute(BEGIN_WRITE)
        except BaseException:
            await _roll_back(conn)
            raise

    async def _end_write(self, commit: bool) -> None:
        conn = self._writer
        if conn is None:
            raise DatabaseError("the database is not open")
        if not commit:
            await _roll_back(conn)
            return
        try:
            await conn.execute("COMMIT")
        except BaseException:
            await _roll_back(conn)
            raise

    async def _on_writer(self, sql: str) -> None:
        if self._writer is None:
            raise DatabaseError("the database is not open")
        await self._writer.execute(sql)

    def _writer_repositories(self) -> Repositories:
        if self._writer is None:
            raise DatabaseError("the database is not open")
        return Repositories(PgConnection(self._writer), self.now)

    async def _writer_connection(self) -> asyncpg.Connection:
        writer = self._writer
        if writer is None or writer.is_closed():
            # The server ended it (a restart, a network cut): a new one, if the server answers.
            try:
                writer = self._writer = await self._connect()
            except CONNECTION_ERRORS as exc:
                raise DatabaseError(f"cannot reach {self.where}: {scrub(exc, self.url)}") from None
        elif writer.is_in_transaction():
            # Left open by a task cancelled while it rolled back: never build on it.
            await writer.execute("ROLLBACK")
        return writer

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Repositories]:
        """Give repositories on a pooled connection: each query sees what is committed.

        A unit of work that has written reads on the writer, so that it sees its own writes.
        """
        pool = self._require()
        unit = running_unit()
        if unit is not None and unit.open:
            yield self._writer_repositories()
            return
        try:
            conn = await pool.acquire()
        except CONNECTION_ERRORS as exc:  # a new connection, and the server does not answer
            raise DatabaseError(f"cannot reach {self.where}: {scrub(exc, self.url)}") from None
        try:
            yield Repositories(PgConnection(conn), self.now)
        finally:
            await pool.release(conn)

    def _require(self) -> asyncpg.Pool[Any]:
        if self._pool is None:
            raise DatabaseError("the database is not open")
        return self._pool


async def _roll_back(conn: asyncpg.Connection) -> None:
    try:
        if not conn.is_closed() and conn.is_in_transaction():
            await conn.execute("ROLLBACK")
    except Exception:
        # A connection that broke lost its transaction with it; whatever state it is left in,
        # the next transaction opens a new one.
        conn.terminate()


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
