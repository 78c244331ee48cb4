"""Replay real Pol.is conversations through the emulator against the real bot, at full speed.

Run from the project root: `.venv/bin/python -m benchmarks.replay` (see BENCHMARKS.md). Every
author and voter becomes a citizen, every comment a suggestion, every vote a button press, each
person's events in timestamp order, `--concurrency` citizens at once. The same update stream is
answered by a bare python-telegram-bot echo bot in the same run: its throughput is the ceiling
ours is compared with. Each conversation's stored tallies must equal a recount of votes.csv.

`--database postgres` runs the hearing bot on PostgreSQL (`sqlite,postgres`: both, in one run,
with ratios to SQLite), on DATABASE_URL's server if set (a database of its own is made for each
run: the role needs CREATEDB), else on a throwaway cluster started as the tests start theirs.
`--workers 1,2` runs PostgreSQL with one hearing-bot process, then with two on one database.

Data: Pol.is open data (compdemocracy/openData), licensed CC BY 4.0. Data was gathered using
the Polis software (compdemocracy.org/polis) and is sub-licensed under CC BY 4.0 with
Attribution to The Computational Democracy Project.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import Counter
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.botproc import SECRET, TOKEN  # noqa: E402
from benchmarks.driver import Citizens, Tally, run_people  # noqa: E402
from benchmarks.pg_server import PgServer, Statements, pg_server  # noqa: E402
from benchmarks.process import bot_process, cpu_of, peak_mib_of, start_profile  # noqa: E402
from benchmarks.readback import ReadBack  # noqa: E402
from benchmarks.scripts import EchoScript, HearingScript, Outcome  # noqa: E402
from bot.commands.polis_data import Event, by_person, events, recount  # noqa: E402
from bot.emulator import Emulator  # noqa: E402

POLIS = ROOT / "datasets" / "polis"
CONVERSATIONS = ("vtaiwan.uberx", "scoop-hivemind.biodiversity")
# The first 6,000 events of each conversation keep the default run (two conversations, two
# round trips, echo and hearing) near 10 minutes; `--events 0` replays them whole.
DEFAULT_EVENTS = 6_000
# Where py-spy writes the hearing bot's profile (set by --profile).
PROFILE_DIR = os.environ.get("REPLAY_PROFILE_DIR", "")
DATABASES = ("sqlite", "postgres")
# The benchmark's own reads (HearingScript's, check_tallies'), left out of the bot's statements.
READ_BACK = ("SELECT MAX(id) FROM suggestions%", "SELECT suggestion_id, vote, COUNT(*)%")


@dataclass(frozen=True)
class Target:
    """Where the hearing bot keeps its data, and how many processes of it run."""

    database: str = "sqlite"
    workers: int = 1

    @property
    def label(self) -> str:
        """Name the target in a table."""
        return f"{self.database}, {self.workers} worker{'s' if self.workers > 1 else ''}"


@dataclass(frozen=True)
class Result:
    """One bot's run over one stream."""

    label: str
    tally: Tally
    cpu_seconds: float
    peak_mib: float
    driver_cpu: float
    outcome: Outcome
    # The database server's CPU over the run (PostgreSQL on this machine; None otherwise).
    server_cpu: float | None = None
    check: str = ""
    statements: Statements | None = None

    @property
    def rate(self) -> float:
        """Return updates per second."""
        return self.tally.updates / self.tally.seconds

    def per_update(self, seconds: float | None) -> float | None:
        """Return CPU milliseconds per update, or None."""
        return None if seconds is None else seconds / self.tally.updates * 1000

    def row(self, baseline: Result | None, floor: Result | None = None) -> str:
        """Render a Markdown table row; ratios to the echo bot's and the mirror bot's rates."""
        t = self.tally
        ratio = f"{self.rate / baseline.rate:.2f}" if baseline else "1.00"
        mirrored = f"{self.rate / floor.rate:.2f}" if floor else "-"
        return (
            f"| {self.label} | {t.updates:,} | {t.seconds:.1f} | {self.rate:,.0f} | {ratio} "
            f"| {mirrored} "
            f"| {t.percentile(0.5) * 1000:.1f} | {t.percentile(0.99) * 1000:.1f} "
            f"| {self.cpu_seconds / t.updates * 1000:.2f} | {self.peak_mib:.0f} "
            f"| {_ms(self.per_update(self.server_cpu))} "
            f"| {self.driver_cpu / t.updates * 1000:.2f} |"
        )


HEADER = (
    "| bot | updates | seconds | updates/s | ratio to echo | ratio to mirror | p50 ms | p99 ms "
    "| bot CPU s / 1k updates | bot peak MiB | database server CPU s / 1k "
    "| emulator+driver CPU s / 1k |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


async def measure(
    kind: str, stream: list[Event], rtt: float, transport: str, concurrency: int, workdir: Path,
    target: Target = Target(), server: PgServer | None = None,
) -> Result:  # fmt: skip
    """Run one bot (or `target.workers` of them) in processes of their own against a fresh
    emulator, play the stream, and check the tallies the hearing bot stored."""
    db = workdir / f"{kind}-{transport}-{target.database}-{target.workers}-{int(rtt * 1000)}.db"
    url = await server.new_database() if server and target.database == "postgres" else None
    # DATABASE_URL is the bot's only if this run is on PostgreSQL (the benchmark's own may
    # name the server where the runs' databases are made).
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"DATABASE_URL": url} if url else {}
    workers = target.workers if kind == "hearing" else 1
    async with (
        Emulator(token=TOKEN, bot_username="hearing_bench_bot", latency=rtt) as emu,
        ReadBack(db, url) as reader,
        AsyncExitStack() as stack,
    ):
        args = (kind, emu.base_url, str(db), transport, str(concurrency))
        procs = [
            await stack.enter_async_context(bot_process("benchmarks.botproc", *args, env=env))
            for _ in range(workers)
        ]
        spy: asyncio.subprocess.Process | None = None
        if PROFILE_DIR and kind == "hearing":
            # py-spy samples the running bot until it exits, then writes collapsed stacks.
            out = Path(PROFILE_DIR) / f"{kind}-{target.database}-{int(rtt * 1000)}ms.txt"
            spy = await start_profile(procs[0].pid, out)
        citizens = Citizens(emu)
        script = HearingScript(citizens, reader, SECRET) if kind == "hearing" else None
        player = script or EchoScript(citizens)
        cpu_before, own_before = sum(cpu_of(p.pid) for p in procs), time.process_time()
        server_before = server.cpu() if url and server else None
        citizens.tally.started = time.perf_counter()
        people = list(by_person(stream).values())
        await run_people(people, player.play, player.outcome.ready, concurrency)
        citizens.tally.ended = time.perf_counter()
        cpu = sum(cpu_of(p.pid) for p in procs) - cpu_before
        # The fleet's memory: every worker's peak.
        peak = sum(peak_mib_of(p.pid) for p in procs)
        server_after = server.cpu() if url and server else None
        driver = time.process_time() - own_before
        citizens.close()
        await stack.aclose()
        if spy is not None:
            await spy.wait()
        where = f"{transport}, {target.label}" if kind == "hearing" else transport
        spent = None
        if server_before is not None and server_after is not None:
            spent = server_after - server_before
        result = Result(
            f"{kind} ({where})", citizens.tally, cpu, peak, driver, player.outcome, spent
        )
        if url and server:
            result = replace(result, statements=await server.statements(url, READ_BACK))
        if kind == "hearing":
            result = replace(result, check=await check_tallies(stream, result, reader))
    return result


def repeated_votes(stream: list[Event]) -> int:
    """Count votes equal to the voter's current vote on that comment (the bot refuses them)."""
    authors = {e.comment_id: e.person for e in stream if e.kind == "comment"}
    current: dict[tuple[str, str], str] = {}
    repeats = 0
    for e in stream:
        if e.kind != "vote" or authors[e.comment_id] == e.person:
            continue
        repeats += current.get((e.comment_id, e.person)) == e.value
        current[(e.comment_id, e.person)] = e.value
    return repeats


async def check_tallies(stream: list[Event], result: Result, reader: ReadBack) -> str:
    """Compare the stored tallies with the recount of the stream; raise on any difference."""
    outcome = result.outcome
    everything, _ = recount(stream)
    refused = {cid: sum(everything[cid].values()) for cid in sorted(outcome.refused_comments)}
    closed = {cid: sum(everything[cid].values()) for cid in sorted(outcome.closed_comments)}
    kept = [e for e in stream if e.comment_id not in refused and e.comment_id not in closed]
    expected, own = recount(kept)
    repeats = repeated_votes(kept)
    stored: dict[int, Counter[str]] = {}
    for sid, vote, count in await reader.rows(
        "SELECT suggestion_id, vote, COUNT(*) FROM votes GROUP BY 1, 2"
    ):
        stored.setdefault(int(sid), Counter())[str(vote)] = int(count)
    wrong = [
        cid
        for cid, sid in outcome.suggestion_of.items()
        if cid not in closed and stored.get(sid, Counter()) != expected[cid]
    ]
    wrong += [
        f"{cid} (closed)"
        for cid in closed
        if sum(stored.get(outcome.suggestion_of[cid], Counter()).values())
    ]
    total = sum(sum(c.values()) for c in expected.values())
    if (
        wrong
        or (outcome.refused_own, outcome.refused_other) != (own, repeats)
        or len(outcome.suggestion_of) != len(expected) + len(closed)
    ):
        raise AssertionError(
            f"tallies differ from the recount on comments {wrong[:10]} (own votes refused "
            f"{outcome.refused_own}, expected {own}; repeats refused {outcome.refused_other}, "
            f"expected {repeats})"
        )
    note = "".join(
        f"; comment {cid} refused by the bot (a bare link), its {n} current votes left out"
        for cid, n in refused.items()
    )
    if closed:
        note += (
            f"; {len(closed)} comments held for a moderator, not open for voting: "
            f"{outcome.refused_closed:,} votes on them refused and none stored"
        )
    return (
        f"exact: {len(expected)} suggestions, {total:,} current votes equal the recount; "
        f"{own} own votes and {repeats} repeats of a voter's current vote refused, as "
        f"expected{note}"
    )


def load(name: str, limit: int) -> list[Event]:
    """Read a conversation by name (in datasets/polis) or path, maybe only its first events."""
    folder = Path(name) if Path(name).is_dir() else POLIS / name
    stream = events(folder)
    people = len({e.person for e in stream[: limit or None]})
    print(f"\n### {folder.name}: {len(stream[: limit or None]):,} events, {people:,} citizens")
    return stream[: limit or None]


COMPARISON = (
    "| hearing bot | updates/s | ratio | p50 ms | ratio | p99 ms | ratio | bot CPU ms / update "
    "| ratio | bot + database server CPU ms / update | ratio |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def compared(result: Result, base: Result) -> str:
    """Render a row of ratios to the SQLite run (its CPU is all in the bot's process)."""
    t, b = result.tally, base.tally
    cpu, base_cpu = result.per_update(result.cpu_seconds), base.per_update(base.cpu_seconds)
    assert cpu is not None and base_cpu is not None
    total = cpu + (result.per_update(result.server_cpu) or 0.0)
    measured = result.server_cpu is not None or result is base
    return (
        f"| {result.label} | {result.rate:,.0f} | {result.rate / base.rate:.2f} "
        f"| {t.percentile(0.5) * 1000:.1f} | {t.percentile(0.5) / b.percentile(0.5):.2f} "
        f"| {t.percentile(0.99) * 1000:.1f} | {t.percentile(0.99) / b.percentile(0.99):.2f} "
        f"| {cpu:.2f} | {cpu / base_cpu:.2f} "
        f"| {f'{total:.2f} | {total / base_cpu:.2f}' if measured else 'not measured | -'} |"
    )


async def replay(
    stream: list[Event], rtts: list[float], transports: list[str], concurrency: int,
    targets: list[Target], server: PgServer | None,
) -> None:  # fmt: skip
    """Replay one conversation: echo and hearing bots, each transport, each round trip, each
    database and number of workers."""
    print(
        f"\n{concurrency} citizens in flight at most; the hearing bot runs with "
        f"MAX_CONCURRENT_UPDATES={concurrency}, the echo bot with "
        f"concurrent_updates({concurrency})."
    )
    with tempfile.TemporaryDirectory() as tmp:
        for rtt in rtts:
            print(f"\nRound trip added by the emulator: {rtt * 1000:.0f} ms\n\n{HEADER}")
            baseline: Result | None = None
            floor: Result | None = None
            for transport in transports:
                echo = await measure("echo", stream, rtt, transport, concurrency, Path(tmp))
                baseline = baseline or echo
                print(echo.row(baseline), flush=True)
                mirror = await measure("mirror", stream, rtt, transport, concurrency, Path(tmp))
                floor = floor or mirror
                print(mirror.row(baseline, floor), flush=True)
            hearings: list[tuple[Result, float]] = []
            for transport in transports:
                for target in targets:
                    result = await measure(
                        "hearing", stream, rtt, transport, concurrency, Path(tmp), target, server
                    )
                    hearings.append((result, os.getloadavg()[0]))
                    print(result.row(baseline, floor), flush=True)
            for result, load in hearings:
                print(f"\n{result.label}: {result.check}; load average {load:.1f} at its end")
                if (counted := result.statements) is not None:
                    n = result.tally.updates
                    print(
                        f"\n{result.label}, per update: {counted.write_transactions / n:.2f} "
                        f"write transactions ({counted.concurrent / n:.2f} of them concurrent, "
                        f"the rest alone), {counted.rollbacks / n:.3f} rolled back, "
                        f"{counted.statements / n:.1f} statements (BEGIN and COMMIT included), "
                        f"{counted.exec_seconds / n * 1000:.2f} ms executing them in the server"
                    )
            if len(targets) > 1:
                print(f"\nRatios to the first hearing run ({hearings[0][0].label}):\n")
                print(COMPARISON)
                for result, _ in hearings:
                    print(compared(result, hearings[0][0]))
            print(flush=True)


def targets_of(databases: str, workers: str) -> list[Target]:
    """Read --database and --workers: SQLite runs one worker; PostgreSQL each number given."""
    chosen = [d.strip() for d in databases.split(",")]
    counts = [int(n) for n in workers.split(",")]
    if unknown := [d for d in chosen if d not in DATABASES]:
        raise SystemExit(f"unknown database {unknown[0]!r}: sqlite, postgres or both")
    if any(n < 1 for n in counts):
        raise SystemExit("--workers: each number of workers is at least 1")
    if "postgres" not in chosen and counts != [1]:
        raise SystemExit("--workers: several workers need PostgreSQL (--database postgres)")
    return [Target(d, n) for d in chosen for n in (counts if d == "postgres" else [1])]


async def replay_all(
    names: list[str], events_limit: int, rtts: list[float], transports: list[str],
    concurrency: int, targets: list[Target],
) -> None:  # fmt: skip
    """Replay each conversation, with a PostgreSQL server for the whole run if one is needed."""
    async with AsyncExitStack() as stack:
        server = None
        if any(t.database == "postgres" for t in targets):
            server = await stack.enter_async_context(pg_server())
            print(f"PostgreSQL: {server.describe}")
        for name in names:
            stream = load(name, events_limit)
            await replay(stream, rtts, transports, concurrency, targets, server)


def main() -> None:
    """Parse the options and run the replays."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("conversations", nargs="*", default=list(CONVERSATIONS))
    parser.add_argument("--rtt-ms", default="0,50", help="round trips to run, comma-separated")
    parser.add_argument("--transports", default="aiohttp", help="aiohttp, httpx or both")
    parser.add_argument("--concurrency", type=int, default=64, help="citizens in flight")
    parser.add_argument(
        "--events", type=int, default=DEFAULT_EVENTS, help="replay the first N events (0: all)"
    )
    parser.add_argument(
        "--database", default="sqlite", help="sqlite, postgres or both (sqlite,postgres)"
    )
    parser.add_argument(
        "--workers", default="1", help="hearing-bot processes on PostgreSQL, e.g. 1 or 1,2"
    )
    args = parser.parse_args()
    rtts = [float(v) / 1000 for v in args.rtt_ms.split(",")]
    transports = [t.strip() for t in args.transports.split(",")]
    targets = targets_of(args.database, args.workers)
    started = time.perf_counter()
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    asyncio.run(
        replay_all(args.conversations, args.events, rtts, transports, args.concurrency, targets)
    )
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
