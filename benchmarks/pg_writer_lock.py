"""How many write transactions PostgreSQL's one writer lock lets through, with K writers at once.

Run from the project root: `.venv/bin/python -m benchmarks.pg_writer_lock` (DATABASE_URL's
server if set, else a durable throwaway cluster). Every write transaction of the bot begins with
`pg_advisory_xact_lock` (docs/postgres.md, "one writer at a time"): across a fleet they run one
after another, so the lock's hold time bounds the fleet's writes however many workers it has.
K writers (each its own connection, as K workers' writers are) run the bot's statements for one
citizen's answer after another (`benchmarks/pg_drivers.py: one_update`: its write transactions
and the reads between them), and each write transaction's hold of the lock is timed, from the
lock granted to COMMIT answered. The lock is the limit where it is busy nearly all the time:
its ceiling is then one over the mean hold, of which each statement's round trip is a part.
`--modes alone,concurrent` also runs the writers as the bot's updates now run on PostgreSQL
(docs/postgres.md, Transactions): SERIALIZABLE under the lock shared, an update that conflicts
run again.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.pg_drivers import Transaction, one_update  # noqa: E402
from benchmarks.pg_server import pg_server  # noqa: E402
from storage.pg_connection import CONFLICTS, PgConnection, PgExecution  # noqa: E402
from storage.postgres import BEGIN_CONCURRENT, BEGIN_WRITE, PostgresDatabase  # noqa: E402
from storage.repositories import Repositories  # noqa: E402
from storage.repository import Params  # noqa: E402
from storage.unit import WriteConflict  # noqa: E402


class CountingConnection(PgConnection):
    """PgConnection that counts the statements sent (each is one round trip), each delayed by
    `delay` seconds more (a network's round trip, emulated)."""

    statements = 0
    delay = 0.0

    def execute(self, sql: str, parameters: Params = (), /) -> PgExecution:
        """Count, then run one statement."""
        CountingConnection.statements += 1
        return super().execute(sql, parameters)

    async def count(self, sql: str, parameters: Params = ()) -> Any:
        """Run one statement, a round trip later."""
        await _round_trip()
        return await super().count(sql, parameters)

    async def execute_fetchall(self, sql: str, parameters: Params = (), /) -> list[Any]:
        """Count, then run one statement and return its rows."""
        CountingConnection.statements += 1
        await _round_trip()
        return await super().execute_fetchall(sql, parameters)


async def _round_trip() -> None:
    if CountingConnection.delay:
        await asyncio.sleep(CountingConnection.delay)


@dataclass
class Holds:
    """Each write transaction's hold of the lock, and the statements run while holding it."""

    seconds: list[float] = field(default_factory=list)
    statements: int = 0
    conflicts: int = 0


@asynccontextmanager
async def writer(
    url: str, holds: Holds, concurrent: bool
) -> AsyncIterator[tuple[Transaction, Transaction]]:
    """Give one writer's transactions (timed from the lock granted to COMMIT) and reads:
    alone (the lock held exclusively), or concurrent (SERIALIZABLE, the lock shared)."""
    write_conn, read_conn = await asyncpg.connect(url), await asyncpg.connect(url)

    @asynccontextmanager
    async def write() -> AsyncIterator[Repositories]:
        await write_conn.execute(BEGIN_CONCURRENT if concurrent else BEGIN_WRITE)
        await _round_trip()
        granted, before = time.perf_counter(), CountingConnection.statements
        try:
            yield Repositories(CountingConnection(write_conn))
            await _round_trip()
            await write_conn.execute("COMMIT")
        except BaseException:
            if write_conn.is_in_transaction():
                await write_conn.execute("ROLLBACK")
            raise
        holds.seconds.append(time.perf_counter() - granted)
        holds.statements += CountingConnection.statements - before

    @asynccontextmanager
    async def read() -> AsyncIterator[Repositories]:
        yield Repositories(PgConnection(read_conn))

    try:
        yield write, read
    finally:
        await write_conn.close()
        await read_conn.close()


@dataclass(frozen=True)
class Row:
    """One run with K writers."""

    writers: int
    updates: int
    seconds: float
    holds: Holds
    concurrent: bool = False
    server_cpu: float | None = None
    load: float = 0.0

    def render(self) -> str:
        """Render a Markdown table row."""
        writes = len(self.holds.seconds)
        mean = statistics.fmean(self.holds.seconds)
        busy = sum(self.holds.seconds) / self.seconds
        mode = "concurrent" if self.concurrent else "alone"
        return (
            f"| {mode} | {self.writers} | {self.updates / self.seconds:,.0f} "
            f"| {writes / self.seconds:,.0f} "
            f"| {mean * 1000:.2f} | {busy:.2f} | {1 / mean:,.0f} "
            f"| {self.holds.statements / writes + 2:.1f} "
            f"| {_ms(self.server_cpu, self.updates)} "
            f"| {self.holds.conflicts} "
            f"| {self.load:.1f} |"
        )


def _ms(seconds: float | None, updates: int) -> str:
    return "-" if seconds is None else f"{seconds / updates * 1000:.2f}"


HEADER = (
    "| write transactions | writers at once | updates/s | write transactions/s "
    "| mean hold of the lock ms | lock busy share (summed over writers) "
    "| ceiling if alone: write transactions/s (1 / mean hold) "
    "| round trips per write transaction (BEGIN and COMMIT included) "
    "| server CPU ms / update | updates run again after a conflict | load average |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


async def run_writers(url: str, writers: int, updates: int, concurrent: bool) -> Row:
    """Run `updates` updates over `writers` writers at once; time each hold of the lock."""
    holds = Holds()
    async with AsyncExitStack() as stack:
        pairs = [
            await stack.enter_async_context(writer(url, holds, concurrent)) for _ in range(writers)
        ]
        for n in range(20):  # warm up: each connection's statements prepared
            for k, (write, read) in enumerate(pairs):
                await one_update(write, read, 10_000_000 + n * writers + k, 20)
        holds.seconds.clear()
        holds.statements = 0
        share = updates // writers

        again = itertools.count(1_000)  # past the warm-up's update ids

        async def loop(k: int) -> None:
            write, read = pairs[k]
            for n in range(share):
                number = k * share + n
                while True:
                    try:
                        await one_update(write, read, number, max(1, share // 8))
                        break
                    except (WriteConflict, *CONFLICTS):
                        holds.conflicts += 1
                        # Again, under an update id of its own (the inbox would take the same
                        # one for a duplicate).
                        number = next(again) * share * writers + k * share + n

        began = time.perf_counter()
        await asyncio.gather(*(loop(k) for k in range(writers)))
        seconds = time.perf_counter() - began
    return Row(writers, share * writers, seconds, holds, concurrent)


async def run(
    counts: list[int], updates: int, rtt: float, settings: list[str], modes: list[bool]
) -> None:
    """Measure each number of writers on a fresh database; print the table and the ceiling."""
    async with pg_server(settings) as server:
        print(f"PostgreSQL: {server.describe}; {', '.join(settings) or 'synchronous_commit=off'}")
        print(f"\n{HEADER}")
        rows = []
        for concurrent, count in itertools.product(modes, counts):
            url = await server.new_database()
            async with PostgresDatabase(url):
                pass  # opening applies the migrations
            before = server.cpu()
            row = await run_writers(url, count, updates, concurrent)
            after = server.cpu()
            spent = None if before is None or after is None else after - before
            rows.append(replace(row, server_cpu=spent, load=os.getloadavg()[0]))
            print(rows[-1].render(), flush=True)
    alone = [row for row in rows if not row.concurrent]
    if not alone:
        return
    busiest = max(alone, key=lambda r: sum(r.holds.seconds) / r.seconds)
    mean = statistics.fmean(busiest.holds.seconds)
    trips = busiest.holds.statements / len(busiest.holds.seconds) + 1
    print(
        f"\nWith {rtt * 1000:.1f} ms more per round trip (a database on another machine), each "
        f"hold grows by about {trips:.1f} round trips (the statements and COMMIT): a ceiling of "
        f"{1 / (mean + trips * rtt):,.0f} write transactions/s against {1 / mean:,.0f} here "
        f"(from the run with {busiest.writers} writers)."
    )


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writers", default="1,2,4,8", help="writers at once, comma-separated")
    parser.add_argument("--updates", type=int, default=2000, help="updates per run")
    parser.add_argument(
        "--rtt-ms", type=float, default=0.5, help="a LAN round trip, for the ceiling"
    )
    parser.add_argument(
        "--delay-ms", type=float, default=0.0,
        help="emulate a network: add this to each statement of a write transaction",
    )  # fmt: skip
    parser.add_argument(
        "--modes", default="alone,concurrent",
        help="alone (the lock held exclusively), concurrent (SERIALIZABLE, the lock shared)",
    )  # fmt: skip
    parser.add_argument(
        "--setting", action="append", default=[], metavar="NAME=VALUE",
        help="a server setting of the throwaway cluster, e.g. synchronous_commit=on",
    )  # fmt: skip
    args = parser.parse_args()
    counts = [int(n) for n in args.writers.split(",")]
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    named = args.modes.split(",")
    if unknown := [mode for mode in named if mode not in ("alone", "concurrent")]:
        parser.error(f"--modes: alone or concurrent, not {', '.join(unknown)}")
    if args.delay_ms < 0:
        parser.error("--delay-ms: 0 or more")
    modes = [mode == "concurrent" for mode in named]
    CountingConnection.delay = args.delay_ms / 1000
    if args.delay_ms:
        print(f"each statement of a write transaction delayed by {args.delay_ms} ms")
    asyncio.run(run(counts, args.updates, args.rtt_ms / 1000, args.setting, modes))


if __name__ == "__main__":
    main()
