"""What every repository shares: its connection, its clock, and one way to run each query."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Generator, Iterable, Iterator, Sequence
from typing import Any, Protocol

from bot.model.clock import Clock, system_clock
from storage.clock import iso

Params = Sequence[object]


class Row(Protocol):
    """A result row, read by position or by column name (aiosqlite's Row, asyncpg's Record)."""

    def __getitem__(self, key: Any, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...

    def keys(self) -> Iterable[str]: ...


class Cursor(Protocol):
    """A statement run with `execute`: how many rows it changed, and the rows it returned."""

    @property
    def rowcount(self) -> int: ...

    # None: plain tuples, which cost about half what named rows do (a million votes).
    row_factory: Any

    async def fetchall(self) -> Iterable[Any]: ...


class Execution(Protocol):
    """What `execute` returns: awaited, the cursor; in `async with`, a cursor closed after."""

    def __await__(self) -> Generator[Any, None, Cursor]: ...

    async def __aenter__(self) -> Cursor: ...

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any, /) -> object: ...


class Connection(Protocol):
    """The part of aiosqlite's connection repositories use; storage/pg_connection.py has it too.

    Statements are written for SQLite, with `?` placeholders and portable SQL.
    """

    def execute(self, sql: str, parameters: Params = ..., /) -> Execution: ...

    def execute_fetchall(
        self, sql: str, parameters: Params = ..., /
    ) -> Awaitable[Iterable[Row]]: ...

    def executemany(self, sql: str, parameters: Iterable[Params], /) -> Awaitable[object]: ...


_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)


def returning_id(sql: str) -> str:
    """Return an INSERT statement that gives back the new row's id (RETURNING id added once)."""
    return sql if _RETURNING.search(sql) else f"{sql.rstrip().rstrip(';')} RETURNING id"


class Repository:
    """A repository over one connection; its timestamps come from the injected clock."""

    def __init__(self, conn: Connection, clock: Clock = system_clock) -> None:
        self.conn = conn
        self.clock = clock

    def timestamp(self) -> str:
        """Return the clock's current time in the stored format."""
        return iso(self.clock())

    # Each query is one crossing to the database thread: executed and read to its end there,
    # so no statement stays open on the connection (an open one would keep a reader on an old
    # snapshot, or block a COMMIT). A cursor opened, read and closed took three.

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """Return the first row of a query (by key, or LIMIT 1), or None when it has none."""
        rows = await self.conn.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Return every row of a query."""
        return list(await self.conn.execute_fetchall(sql, params))

    async def fetch_value(self, sql: str, params: Params = (), default: Any = None) -> Any:
        """Return the first column of the first row; `default` when there is no row or NULL."""
        row = await self.fetch_one(sql, params)
        return default if row is None or row[0] is None else row[0]

    async def exists(self, sql: str, params: Params = ()) -> bool:
        """Tell whether a query returns any row."""
        return await self.fetch_one(sql, params) is not None

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement that returns no rows; return how many rows it changed."""
        # Such a statement is finished once executed: its cursor holds nothing to close.
        cursor = await self.conn.execute(sql, params)
        return cursor.rowcount

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement once per row of parameters."""
        await self.conn.executemany(sql, rows)

    async def insert_id(self, sql: str, params: Params = ()) -> int:
        """Run an INSERT and return the new row's id (by RETURNING id, as PostgreSQL does)."""
        new_id = await self.insert_id_or_none(sql, params)
        if new_id is None:
            raise RuntimeError(f"the insert returned no id: {sql}")
        return new_id

    async def insert_id_or_none(self, sql: str, params: Params = ()) -> int | None:
        """Run an INSERT that may insert nothing (a conflict, a guard); return the id or None."""
        new_id = await self.fetch_value(returning_id(sql), params)
        return None if new_id is None else int(new_id)
