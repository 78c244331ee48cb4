"""Read a benchmark's hearing database back, SQLite file or PostgreSQL, with the same SQL.

The checks after a run (tallies, what the crash test's citizens sent) and the scripts' look-ups
during one (a new suggestion's id) read what the bot committed, on either backend: SQLite
read-only through sqlite3, PostgreSQL through a small asyncpg pool, `?` placeholders on both.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Self

import asyncpg

from storage.pg_connection import postgres_sql

# Every B-tree index checked against its table's rows, then every table's pages (PostgreSQL 14+).
_INDEXES = """
SELECT bt_index_check(c.oid, true) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE a.amname = 'btree' AND n.nspname = 'public' AND c.relpersistence <> 't'
"""
_TABLES = """
SELECT c.relname, v.blkno, v.msg FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
LATERAL verify_heapam(c.oid) v WHERE c.relkind = 'r' AND n.nspname = 'public' LIMIT 1
"""


class ReadBack:
    """Read-only queries on the hearing's database: PostgreSQL at `url`, else SQLite at `path`."""

    def __init__(self, path: Path, url: str | None = None) -> None:
        self.path = path
        self.url = url
        self._pool: asyncpg.Pool | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def rows(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one query (`?` placeholders) on what is committed; return its rows as tuples."""
        if self.url is None:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            with sqlite3.connect(uri, uri=True) as conn:
                return [tuple(row) for row in conn.execute(sql, tuple(parameters))]
        pool = await self._connected()
        return [tuple(row) for row in await pool.fetch(postgres_sql(sql), *parameters)]

    async def integrity(self) -> str:
        """Return 'ok' if the database checks out (SQLite's integrity_check, PostgreSQL's
        amcheck), else what is wrong; 'not checked: ...' where amcheck cannot be used."""
        if self.url is None:
            return str((await self.rows("PRAGMA integrity_check"))[0][0])
        pool = await self._connected()
        try:
            await pool.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        except asyncpg.PostgresError as exc:
            return f"not checked: amcheck unavailable ({exc})"
        try:
            await pool.execute(_INDEXES)
            if found := await pool.fetchrow(_TABLES):
                return f"table {found[0]}, page {found[1]}: {found[2]}"
        except asyncpg.UndefinedFunctionError:
            pass  # verify_heapam came with PostgreSQL 14; the indexes were checked
        except asyncpg.PostgresError as exc:
            return str(exc)
        return "ok"

    async def close(self) -> None:
        """Close the PostgreSQL connections, if any were made."""
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def _connected(self) -> asyncpg.Pool:
        if self._pool is None:
            self._pool = await asyncpg.create_pool(self.url, min_size=0, max_size=4)
        return self._pool
