"""Replay real Pol.is conversations through the emulator against the real bot, at full speed.

Run from the project root: `.venv/bin/python -m benchmarks.replay` (see BENCHMARKS.md). Every
author and voter becomes a citizen, every comment a suggestion, every vote a button press, each
person's events in timestamp order, `--concurrency` citizens at once. The same update stream is
answered by a bare python-telegram-bot echo bot in the same run: its throughput is the ceiling
ours is compared with. Each conversation's stored tallies must equal a recount of votes.csv.

Data: Pol.is open data (compdemocracy/openData), licensed CC BY 4.0. Data was gathered using
the Polis software (compdemocracy.org/polis) and is sub-licensed under CC BY 4.0 with
Attribution to The Computational Democracy Project.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.botproc import SECRET, TOKEN  # noqa: E402
from benchmarks.driver import Citizens, Tally, run_people  # noqa: E402
from benchmarks.process import bot_process, cpu_of, peak_mib_of, start_profile  # noqa: E402
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


@dataclass(frozen=True)
class Result:
    """One bot's run over one stream."""

    label: str
    tally: Tally
    cpu_seconds: float
    peak_mib: float
    driver_cpu: float
    outcome: Outcome

    @property
    def rate(self) -> float:
        """Return updates per second."""
        return self.tally.updates / self.tally.seconds

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
            f"| {self.driver_cpu / t.updates * 1000:.2f} |"
        )


HEADER = (
    "| bot | updates | seconds | updates/s | ratio to echo | ratio to mirror | p50 ms | p99 ms "
    "| bot CPU s / 1k updates | bot peak MiB | emulator+driver CPU s / 1k |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|"
)


async def measure(
    kind: str, stream: list[Event], rtt: float, transport: str, concurrency: int, workdir: Path
) -> Result:
    """Run one bot in its own process against a fresh emulator and play the stream."""
    db = workdir / f"{kind}-{transport}-{int(rtt * 1000)}.db"
    async with Emulator(token=TOKEN, bot_username="hearing_bench_bot", latency=rtt) as emu:
        args = (kind, emu.base_url, str(db), transport, str(concurrency))
        async with bot_process("benchmarks.botproc", *args) as proc:
            spy: asyncio.subprocess.Process | None = None
            if PROFILE_DIR and kind == "hearing":
                # py-spy samples the running bot until it exits, then writes collapsed stacks.
                out = Path(PROFILE_DIR) / f"{kind}-{int(rtt * 1000)}ms.txt"
                spy = await start_profile(proc.pid, out)
            citizens = Citizens(emu)
            script = HearingScript(citizens, db, SECRET) if kind == "hearing" else None
            player = script or EchoScript(citizens)
            cpu_before, own_before = cpu_of(proc.pid), time.process_time()
            citizens.tally.started = time.perf_counter()
            people = list(by_person(stream).values())
            await run_people(people, player.play, player.outcome.ready, concurrency)
            citizens.tally.ended = time.perf_counter()
            cpu, peak = cpu_of(proc.pid) - cpu_before, peak_mib_of(proc.pid)
            driver = time.process_time() - own_before
            citizens.close()
        if spy is not None:
            await spy.wait()
    label = f"{kind} ({transport})"
    return Result(label, citizens.tally, cpu, peak, driver, player.outcome)


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


def check_tallies(stream: list[Event], result: Result, db: Path) -> str:
    """Compare the stored tallies with the recount of the stream; raise on any difference."""
    outcome = result.outcome
    everything, _ = recount(stream)
    refused = {cid: sum(everything[cid].values()) for cid in sorted(outcome.refused_comments)}
    closed = {cid: sum(everything[cid].values()) for cid in sorted(outcome.closed_comments)}
    kept = [e for e in stream if e.comment_id not in refused and e.comment_id not in closed]
    expected, own = recount(kept)
    repeats = repeated_votes(kept)
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT suggestion_id, vote, COUNT(*) FROM votes GROUP BY 1, 2")
        stored: dict[int, Counter[str]] = {}
        for sid, vote, count in rows:
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


async def replay(
    stream: list[Event], rtts: list[float], transports: list[str], concurrency: int
) -> None:
    """Replay one conversation: echo and hearing bots, each transport, each round trip."""
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
            for transport in transports:
                result = await measure("hearing", stream, rtt, transport, concurrency, Path(tmp))
                print(result.row(baseline, floor), flush=True)
                db = Path(tmp) / f"hearing-{transport}-{int(rtt * 1000)}.db"
                print(f"\n{check_tallies(stream, result, db)}\n", flush=True)


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
    args = parser.parse_args()
    rtts = [float(v) / 1000 for v in args.rtt_ms.split(",")]
    transports = [t.strip() for t in args.transports.split(",")]
    started = time.perf_counter()
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    for name in args.conversations:
        stream = load(name, args.events)
        asyncio.run(replay(stream, rtts, transports, args.concurrency))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
