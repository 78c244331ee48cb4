"""The writer's connection, run on the event loop's own thread with aiosqlite's interface.

A write transaction is a few short statements on indexed rows, microseconds each in SQLite;
handing each to aiosqlite's thread and back costs more than running it (BENCHMARKS.md §6).
The writer runs them in place. What could block (waiting for another process's lock) does
not: BEGIN IMMEDIATE is tried without waiting and retried by the event loop, and the WAL is
checkpointed on a thread (`Database.checkpoint`), never by a commit.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Coroutine, Generator, Iterable, Sequence
from pathlib import Path
from typing import Any

# Waiting for another process to release the write lock: how long in all, and how often.
BUSY_SECONDS = 5.0
BUSY_PAUSE = 0.005


class DirectCursor:
    """A finished statement's rows and counts, read with aiosqlite's (async) cursor methods."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        """Return how many rows the statement changed."""
        return self._cursor.rowcount

    @property
    def row_factory(self) -> Any:
        """Return how this cursor's rows are built."""
        return self._cursor.row_factory

    @row_factory.setter
    def row_factory(self, factory: Any) -> None:
        self._cursor.row_factory = factory

    @property
    def lastrowid(self) -> int | None:
        """Return the id of the row the statement inserted last."""
        return self._cursor.lastrowid

    async def fetchone(self) -> Any:
        """Return the next row, or None."""
        return self._cursor.fetchone()

    async def fetchall(self) -> list[Any]:
        """Return the remaining rows."""
        return self._cursor.fetchall()

    async def fetchmany(self, size: int) -> list[Any]:
        """Return up to `size` more rows."""
        return self._cursor.fetchmany(size)

    async def close(self) -> None:
        """Close the cursor."""
        self._cursor.close()

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._rows()

    async def _rows(self) -> AsyncIterator[Any]:
        for row in self._cursor:
            yield row

    async def __aenter__(self) -> DirectCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()


class Pending:
    """What `execute` returns: awaited, a cursor; entered with `async with`, one that closes."""

    def __init__(self, run: Callable[[], Coroutine[Any, Any, DirectCursor]]) -> None:
        self._run = run
        self._cursor: DirectCursor | None = None

    def __await__(self) -> Generator[Any, None, DirectCursor]:
        return self._run().__await__()

    async def __aenter__(self) -> DirectCursor:
        self._cursor = await self._run()
        return self._cursor

    async def __aexit__(self, *exc: object) -> None:
        if self._cursor is not None:
            await self._cursor.close()


class DirectConnection:
    """A sqlite3 connection used in place, with the part of aiosqlite's API storage uses."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    @classmethod
    async def open(cls, path: Path) -> DirectConnection:
        """Connect without waiting on locks (busy_timeout 0: `begin` waits instead)."""
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout=0")
        return cls(conn)

    @property
    def row_factory(self) -> Any:
        """Return how rows are built."""
        return self._conn.row_factory

    @row_factory.setter
    def row_factory(self, factory: Any) -> None:
        self._conn.row_factory = factory

    @property
    def in_transaction(self) -> bool:
        """Tell whether a transaction is open."""
        return self._conn.in_transaction

    def execute(self, sql: str, params: Iterable[Any] = ()) -> Pending:
        """Run one statement."""
        return Pending(lambda: self._execute(sql, params))

    async def _execute(self, sql: str, params: Iterable[Any]) -> DirectCursor:
        if sql.lstrip().upper().startswith("BEGIN"):
            await self._begin(sql)
            return DirectCursor(self._conn.cursor())
        return DirectCursor(self._conn.execute(sql, tuple(params)))

    async def execute_fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        """Run one statement and return all its rows."""
        return self._conn.execute(sql, tuple(params)).fetchall()

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> DirectCursor:
        """Run one statement once per row of parameters."""
        return DirectCursor(self._conn.executemany(sql, rows))

    async def executescript(self, sql: str) -> DirectCursor:
        """Run a script of statements (the migrations)."""
        return DirectCursor(self._conn.executescript(sql))

    async def commit(self) -> None:
        """Commit the open transaction, if any."""
        if self._conn.in_transaction:
            self._conn.execute("COMMIT")

    async def rollback(self) -> None:
        """Roll back the open transaction, if any."""
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    async def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    async def _begin(self, sql: str) -> None:
        # Another process (a command run beside the bot) may hold the write lock: wait for it
        # on the event loop, never in SQLite, which would stop every chat meanwhile.
        waited = 0.0
        while True:
            try:
                self._conn.execute(sql)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if waited >= BUSY_SECONDS:
                    raise
            await asyncio.sleep(BUSY_PAUSE)
            waited += BUSY_PAUSE
