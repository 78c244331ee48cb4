"""Repositories' SQL on PostgreSQL: `?` placeholders translated once per statement.

`PgConnection` offers the part of aiosqlite's connection that repositories use
(`storage.repository.Connection`) over one asyncpg connection: the same statements, the same
rows (asyncpg's Record is read by position or by name, like aiosqlite's Row). asyncpg keeps
each connection's statements prepared (STATEMENT_CACHE of them).
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable
from functools import lru_cache
from typing import Any

import asyncpg

from storage.repository import Params
from storage.unit import conflicted

# Statements asyncpg keeps prepared per connection: the bot's, with room for IN (...) lists.
STATEMENT_CACHE = 1024

# A quoted string or identifier, a comment, or a placeholder (`?` or SQLite's numbered `?NNN`).
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|\?(\d*)", re.S)
_AFFECTED = re.compile(r"(\d+)$")
# What PostgreSQL raises where a SERIALIZABLE transaction met a concurrent one's writes.
CONFLICTS = (asyncpg.SerializationError, asyncpg.DeadlockDetectedError)


@lru_cache(maxsize=4096)
def postgres_sql(sql: str) -> str:
    """Translate SQLite's `?` and `?NNN` placeholders to PostgreSQL's `$n` (cached)."""
    count = 0
    numbered = plain = False

    def placeholder(match: re.Match[str]) -> str:
        nonlocal count, numbered, plain
        if not match.group(0).startswith("?"):
            return match.group(0)
        if match.group(1):
            numbered = True
            return f"${int(match.group(1))}"
        plain = True
        count += 1
        return f"${count}"

    translated = _TOKENS.sub(placeholder, sql)
    if numbered and plain:
        raise ValueError(f"a statement mixes ? and ?NNN placeholders: {sql}")
    return translated


def rows_affected(status: str | None) -> int:
    """Read how many rows a statement changed from its command tag ('UPDATE 3', 'INSERT 0 1')."""
    found = _AFFECTED.search(status or "")
    return int(found.group(1)) if found else -1


class PgCursor:
    """A statement's outcome: the rows it returned, or how many rows it changed."""

    def __init__(self, rows: list[Any] | None, rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount
        # As on aiosqlite: None asks for plain tuples rather than named rows.
        self.row_factory: Any = object()

    async def fetchall(self) -> list[Any]:
        """Return the rows (as tuples when row_factory was set to None)."""
        if self.rows is None:
            # One round trip gives the rows or the count, not both: awaited, `execute` counts.
            raise TypeError("read rows with `async with conn.execute(...)` or execute_fetchall")
        return [tuple(r) for r in self.rows] if self.row_factory is None else list(self.rows)

    async def fetchone(self) -> Any:
        """Return the first row, or None."""
        rows = await self.fetchall()
        return rows[0] if rows else None

    async def close(self) -> None:
        """Nothing to close: the rows were read when the statement ran."""


class PgExecution:
    """`execute`'s result, awaited or used in `async with` (aiosqlite's two ways)."""

    def __init__(self, conn: PgConnection, sql: str, parameters: Params) -> None:
        self._conn = conn
        self._sql = sql
        self._parameters = parameters

    def __await__(self) -> Generator[Any, None, PgCursor]:
        return self._conn.count(self._sql, self._parameters).__await__()

    async def __aenter__(self) -> PgCursor:
        rows = await self._conn.execute_fetchall(self._sql, self._parameters)
        return PgCursor(rows, -1)

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any, /) -> None:
        return None


class PgConnection:
    """The repositories' connection on PostgreSQL (see storage.repository.Connection)."""

    def __init__(self, conn: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy[Any]) -> None:
        self.conn = conn

    def execute(self, sql: str, parameters: Params = (), /) -> PgExecution:
        """Run one statement: awaited, count the rows it changed; in `async with`, read rows."""
        return PgExecution(self, sql, parameters)

    async def count(self, sql: str, parameters: Params = ()) -> PgCursor:
        """Run one statement now; its cursor says how many rows it changed."""
        try:
            status = await self.conn.execute(postgres_sql(sql), *parameters)
        except CONFLICTS as exc:
            raise conflicted() from exc
        return PgCursor(None, rows_affected(status))

    async def execute_fetchall(self, sql: str, parameters: Params = (), /) -> list[Any]:
        """Run one statement and return every row."""
        try:
            return await self.conn.fetch(postgres_sql(sql), *parameters)
        except CONFLICTS as exc:
            raise conflicted() from exc

    async def executemany(self, sql: str, parameters: Iterable[Params], /) -> None:
        """Run one statement once per row of parameters (pipelined: one round trip)."""
        batch = [tuple(row) for row in parameters]
        if batch:
            try:
                await self.conn.executemany(postgres_sql(sql), batch)
            except CONFLICTS as exc:
                raise conflicted() from exc
