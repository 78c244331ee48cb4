"""A PostgreSQL server for a benchmark: the one DATABASE_URL names, or a throwaway cluster.

Each measurement gets a database of its own, with nothing in it (the bot migrates it at
start): on the throwaway cluster (started as the tests start theirs, but durable: fsync on),
or, given a URL, on that server (its role needs CREATEDB; the databases are dropped at the end).
The server's CPU is read from /proc where it runs here: the throwaway cluster's.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from benchmarks.process import tree_cpu
from tests.postgres_cluster import Cluster, start_cluster

# Counts each statement the bot runs, so that a run can say what an update costs the database.
STATEMENTS = "pg_stat_statements"
# What the bot's statements cost, from pg_stat_statements, in one run's database: its write
# transactions (each takes the writer lock: shared by those run concurrently), every
# statement, the time the server spent, and the transactions rolled back (pg_stat_database:
# those undone by a conflict among them).
_COUNTS = """
SELECT COALESCE(SUM(calls) FILTER (WHERE query LIKE '%pg_advisory_xact_lock%'), 0),
       COALESCE(SUM(calls) FILTER (WHERE query LIKE '%pg_advisory_xact_lock_shared%'), 0),
       COALESCE(SUM(calls), 0), COALESCE(SUM(total_exec_time), 0),
       (SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database())
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
AND query NOT LIKE ALL ($1::text[])
"""


@dataclass(frozen=True)
class Statements:
    """What one run's statements cost the server."""

    write_transactions: int
    concurrent: int
    statements: int
    exec_seconds: float
    rollbacks: int


class PgServer:
    """Where a benchmark's PostgreSQL databases are made, and what the server's CPU is."""

    def __init__(self, cluster: Cluster | None, url: str | None) -> None:
        self.cluster = cluster
        self.url = url
        self.made: list[str] = []
        self._names = itertools.count(1)

    @property
    def describe(self) -> str:
        """Say which server this is (never a password)."""
        if self.cluster is not None:
            version = self.cluster.version.rstrip(")")
            return f"a throwaway PostgreSQL {version} cluster on this machine (fsync on)"
        return f"the PostgreSQL server of DATABASE_URL ({urlsplit(self.url or '').hostname})"

    async def new_database(self) -> str:
        """Create an empty database and return its URL."""
        if self.cluster is not None:
            return await self.cluster.empty_database()
        assert self.url is not None
        name = f"bench_{os.getpid()}_{next(self._names)}"
        await _admin(self.url, f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\''
                     " LC_COLLATE 'C' LC_CTYPE 'C'")  # fmt: skip
        self.made.append(name)
        return urlunsplit(urlsplit(self.url)._replace(path=f"/{name}"))

    async def statements(self, url: str, besides: Sequence[str] = ()) -> Statements | None:
        """Count the statements run in a database (not those LIKE any of `besides`), or None
        where pg_stat_statements is not loaded (a server of DATABASE_URL's)."""
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(f"CREATE EXTENSION IF NOT EXISTS {STATEMENTS}")
            writes, concurrent, calls, milliseconds, rollbacks = await conn.fetchrow(
                _COUNTS, list(besides) or [""]
            )
        except asyncpg.PostgresError:
            return None
        finally:
            await conn.close()
        return Statements(
            int(writes), int(concurrent), int(calls), float(milliseconds) / 1000, int(rollbacks)
        )

    def cpu(self) -> float | None:
        """Return the server's CPU seconds so far (every process of it), or None if not here."""
        if self.cluster is None:
            return None
        pid = int((self.cluster.folder / "data" / "postmaster.pid").read_text().split()[0])
        return tree_cpu(pid)

    async def close(self) -> None:
        """Stop the throwaway cluster, or drop the databases made on DATABASE_URL's server."""
        if self.cluster is not None:
            self.cluster.stop()
        for name in self.made:
            assert self.url is not None
            await _admin(self.url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@asynccontextmanager
async def pg_server(settings: Sequence[str] = ()) -> AsyncIterator[PgServer]:
    """Use DATABASE_URL's server if it is set, else start a durable throwaway cluster (with
    more server `settings`, `name=value`, if any)."""
    url = os.environ.get("DATABASE_URL") or None
    cluster: Cluster | None = None
    if url is None:
        preload = f"shared_preload_libraries={STATEMENTS}"
        started = start_cluster(durable=True, settings=(preload, *settings))
        if isinstance(started, str):
            raise SystemExit(f"no PostgreSQL to run on: {started} (or set DATABASE_URL)")
        cluster = started
    server = PgServer(cluster, url)
    try:
        yield server
    finally:
        await server.close()


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()
