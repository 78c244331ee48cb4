"""asyncpg against psycopg 3 on the bot's own query mix, with SQLite in the same run.

Run from the project root: `.venv/bin/python -m benchmarks.pg_drivers` (psycopg is measured
when installed: `.venv/bin/pip install 'psycopg[binary]'`). Without `--url`, a throwaway
PostgreSQL cluster is started in a temporary folder, as the tests do.

Each simulated update runs the statements the bot runs for a citizen's answer, through the
bot's own repositories (storage/): the update stored in the inbox (one write transaction), the
handler's transaction (participant, delivery, the answer, the next position), the reads that
render the next card, a suggestion or a vote every other update, and the update marked handled
(a third write transaction). Every write transaction begins as PostgresDatabase's do
(READ COMMITTED and the writer lock, in one round trip). Updates run one after the other, so
the figures are each driver's own cost per statement: client CPU (this process; the server's
is apart) and wall time per update, and their ratio to SQLite's (aiosqlite, as the bot uses).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import time
from collections.abc import AsyncIterator, Callable, Generator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage.db import Database  # noqa: E402
from storage.inbox import InboxRepository  # noqa: E402
from storage.pg_connection import PgConnection  # noqa: E402
from storage.postgres import BEGIN_WRITE, PostgresDatabase  # noqa: E402
from storage.repositories import Repositories  # noqa: E402
from tests.postgres_cluster import Cluster, start_cluster  # noqa: E402

try:
    import psycopg
except ImportError:  # measured only where installed
    psycopg = None

Transaction = Callable[[], AbstractAsyncContextManager[Repositories]]
ITEMS = [str(n) for n in range(1, 19)]
STANCES = ("support", "oppose", "unsure")


async def one_update(write: Transaction, read: Transaction, n: int, citizens: int) -> None:
    """Run the bot's statements for one citizen's answer (and a suggestion or a vote)."""
    person, step = n % citizens, n // citizens
    pid, chat, item = f"p{person:05d}", 10_000 + person, ITEMS[step % len(ITEMS)]
    payload = json.dumps({"update_id": n, "message": {"chat": {"id": chat}, "text": "x" * 40}})
    async with write() as repos:
        [entry] = await InboxRepository(repos.conn).add_batch(
            [(n, chat, payload)], received_at=repos.participants.timestamp(), since="2000-01-01"
        )
    async with write() as repos:
        await repos.participants.ensure(pid)
        await repos.delivery.upsert(pid, chat)
        await repos.participants.get(pid)
        await repos.stances.record(pid, item, STANCES[n % 3], "high", "v1")
        await repos.participants.set_position(pid, ITEMS[(step + 1) % len(ITEMS)], "stance")
    async with read() as repos:
        await repos.stances.for_participant(pid)
        candidate = await repos.votes.next_candidate(pid, item)
        await repos.suggestions.count_shown(item, pid)
    async with write() as repos:
        if candidate is None or n % 2:
            await repos.suggestions.add(
                pid, item, f"Suggestion {n} on item {item}", "visible", "v1"
            )
        else:
            # As a vote is taken (bot/hearing/deliberation.py): the voter's current vote first.
            await repos.votes.get(pid, candidate)
            await repos.votes.record(pid, candidate, "agree")
    async with write() as repos:
        assert entry is not None
        await InboxRepository(repos.conn).mark_done([entry], repos.participants.timestamp())


@dataclass(frozen=True)
class Measured:
    """One driver's run: CPU and wall seconds for `updates` updates."""

    label: str
    updates: int
    cpu: float
    wall: float


async def measure(label: str, write: Transaction, read: Transaction, updates: int) -> Measured:
    """Run `updates` updates one after the other and time them."""
    for n in range(50):  # warm up: statements prepared, caches filled
        await one_update(write, read, 10_000_000 + n, 50)
    cpu, wall = time.process_time(), time.perf_counter()
    for n in range(updates):
        await one_update(write, read, n, max(1, updates // 8))
    return Measured(label, updates, time.process_time() - cpu, time.perf_counter() - wall)


# --- SQLite, as the bot uses it, for the ratios -------------------------------------------


@asynccontextmanager
async def sqlite_driver(folder: Path) -> AsyncIterator[tuple[Transaction, Transaction]]:
    """Give the bot's SQLite database's transactions and reads."""
    async with Database(folder / "bench.db") as db:
        yield db.transaction, db.reading


# --- asyncpg, as storage/postgres.py uses it ------------------------------------------------


@asynccontextmanager
async def asyncpg_driver(url: str) -> AsyncIterator[tuple[Transaction, Transaction]]:
    """Give transactions and reads on one asyncpg connection each (no pool)."""
    writer, reader = await asyncpg.connect(url), await asyncpg.connect(url)

    @asynccontextmanager
    async def write() -> AsyncIterator[Repositories]:
        await writer.execute(BEGIN_WRITE)
        yield Repositories(PgConnection(writer))
        await writer.execute("COMMIT")

    @asynccontextmanager
    async def read() -> AsyncIterator[Repositories]:
        yield Repositories(PgConnection(reader))

    try:
        yield write, read
    finally:
        await writer.close()
        await reader.close()


@asynccontextmanager
async def pooled_driver(url: str) -> AsyncIterator[tuple[Transaction, Transaction]]:
    """Give the bot's own PostgresDatabase (asyncpg: its writer and lock, its pooled readers)."""
    async with PostgresDatabase(url) as db:
        yield db.transaction, db.reading


# --- psycopg 3, with what the repositories would need of it ---------------------------------

_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|%|\?")


@lru_cache(maxsize=4096)
def psycopg_sql(sql: str) -> str:
    """Translate `?` placeholders to psycopg's `%s` (and a literal % to %%)."""
    return _TOKENS.sub(lambda m: {"?": "%s", "%": "%%"}.get(m.group(0), m.group(0)), sql)


class NamedRow(tuple[Any, ...]):
    """A row read by position or by column name, as aiosqlite's Row and asyncpg's Record are."""

    names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        return super().__getitem__(self.names[key] if isinstance(key, str) else key)

    def keys(self) -> list[str]:
        """Return the column names."""
        return list(self.names)


def named_rows(cursor: Any) -> Callable[[Sequence[Any]], NamedRow]:
    """psycopg row factory making NamedRows."""
    names = {column.name: i for i, column in enumerate(cursor.description or [])}
    row_type = type("Row", (NamedRow,), {"names": names})
    return row_type


class _Counted:
    def __init__(self, rowcount: int) -> None:
        self.rowcount = rowcount


class _Execution:
    def __init__(self, conn: Any, sql: str, params: Sequence[object]) -> None:
        self.conn, self.sql, self.params = conn, sql, params

    def __await__(self) -> Generator[Any, None, _Counted]:
        return self._run().__await__()

    async def _run(self) -> _Counted:
        cursor = await self.conn.execute(psycopg_sql(self.sql), tuple(self.params))
        return _Counted(cursor.rowcount)


class PsycopgConnection:
    """storage.repository.Connection over one psycopg 3 AsyncConnection."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def execute(self, sql: str, parameters: Sequence[object] = (), /) -> _Execution:
        """Run one statement; awaited, its cursor counts the rows it changed."""
        return _Execution(self.conn, sql, parameters)

    async def execute_fetchall(self, sql: str, parameters: Sequence[object] = (), /) -> list[Any]:
        """Run one statement and return every row."""
        cursor = await self.conn.execute(psycopg_sql(sql), tuple(parameters))
        return await cursor.fetchall()

    async def executemany(self, sql: str, parameters: Iterable[Sequence[object]], /) -> None:
        """Run one statement once per row of parameters (pipelined)."""
        async with self.conn.cursor() as cursor:
            await cursor.executemany(psycopg_sql(sql), [tuple(p) for p in parameters])


@asynccontextmanager
async def psycopg_driver(url: str) -> AsyncIterator[tuple[Transaction, Transaction]]:
    """Give transactions and reads on one psycopg connection each (no pool)."""
    assert psycopg is not None
    writer = await psycopg.AsyncConnection.connect(url, autocommit=True, row_factory=named_rows)
    reader = await psycopg.AsyncConnection.connect(url, autocommit=True, row_factory=named_rows)

    @asynccontextmanager
    async def write() -> AsyncIterator[Repositories]:
        await writer.execute(BEGIN_WRITE)
        yield Repositories(PsycopgConnection(writer))  # type: ignore[arg-type]
        await writer.execute("COMMIT")

    @asynccontextmanager
    async def read() -> AsyncIterator[Repositories]:
        yield Repositories(PsycopgConnection(reader))  # type: ignore[arg-type]

    try:
        yield write, read
    finally:
        await writer.close()
        await reader.close()


async def fresh(url: str, cluster: Cluster | None) -> str:
    """Empty the benchmark's PostgreSQL database between runs."""
    if cluster is not None:
        return await cluster.fresh_database()
    async with PostgresDatabase(url):
        pass
    return url


async def run(url: str | None, updates: int, rounds: int) -> list[list[Measured]]:
    """Measure every driver `rounds` times, interleaved, in one run."""
    cluster: Cluster | None = None
    if url is None:
        started = start_cluster()
        if isinstance(started, str):
            raise SystemExit(f"no PostgreSQL to measure: {started}")
        cluster = started
    try:
        results: list[list[Measured]] = []
        for _ in range(rounds):
            measured = []
            with TemporaryDirectory() as folder:
                async with sqlite_driver(Path(folder)) as (write, read):
                    measured.append(await measure("SQLite (aiosqlite)", write, read, updates))
            drivers: list[tuple[str, Callable[[str], Any]]] = [
                ("asyncpg", asyncpg_driver),
                ("asyncpg, as PostgresDatabase", pooled_driver),
            ]
            if psycopg is not None:
                drivers.append(("psycopg 3", psycopg_driver))
            for label, driver in drivers:
                target = await fresh(url or "", cluster)
                async with driver(target) as (write, read):
                    measured.append(await measure(label, write, read, updates))
            results.append(measured)
        return results
    finally:
        if cluster is not None:
            cluster.stop()


def table(results: list[list[Measured]]) -> str:
    """Render the medians of each driver's rounds as a Markdown table."""
    labels = [m.label for m in results[0]]
    median = {
        label: (statistics.median(r[i].cpu / r[i].updates for r in results),
                statistics.median(r[i].wall / r[i].updates for r in results))
        for i, label in enumerate(labels)
    }  # fmt: skip
    base_cpu, base_wall = median[labels[0]]
    lines = [
        "| driver | client CPU per update | ratio to SQLite | wall per update | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for label in labels:
        cpu, wall = median[label]
        lines.append(f"| {label} | {cpu * 1000:.2f} ms | {cpu / base_cpu:.2f} | "
                     f"{wall * 1000:.2f} ms | {wall / base_wall:.2f} |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    """Parse the options, run the measurement, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an empty PostgreSQL database (default: a throwaway one)")
    parser.add_argument("--updates", type=int, default=2000, help="updates per driver and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (medians are reported)")
    args = parser.parse_args()
    results = asyncio.run(run(args.url, args.updates, args.rounds))
    print(f"{args.updates} updates per driver, one after the other, median of {args.rounds}"
          " rounds\n")  # fmt: skip
    print(table(results))


if __name__ == "__main__":
    main()
