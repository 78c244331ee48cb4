"""What one vote costs the bot, end to end: the hearing bot against a naive bot with its UI.

Run from the project root: `.venv/bin/python -m benchmarks.per_vote` (see BENCHMARKS.md, §6).
The comments of a Pol.is conversation the replays do not use (london.youth.policing) become
suggestions: posted through the hearing bot's real buttons, written straight into the naive
bot's database (`benchmarks/naive_bot.py`). Then `--citizens` citizens each open
`--votes-each` suggestions by deep link and press a vote on each: those votes are measured.
By default the citizens have begun the hearing first (`/start`, Begin: not measured), so that
both bots answer a deep link with the card. With `--citizens-from links` they arrive by links
alone, as the replays' voters do: the hearing bot then shows its short welcome before a
citizen's first card (one more update per citizen; the naive bot has no welcome).

Each bot runs in its own process, charged with its own CPU time (every thread) from /proc;
the emulator and the citizens run here. Both bots get the same votes, in the same order,
`--concurrency` citizens at once. The bots take turns in each run (which one goes first
alternates), and `--runs` runs give a median and a range. With REPLAY_PROFILE_DIR set, py-spy
samples each bot over its measured votes (`benchmarks/profile_shares.py` reads the profiles).

Data: Pol.is open data, licensed CC BY 4.0. Data was gathered using the Polis software
(compdemocracy.org/polis) and is sub-licensed under CC BY 4.0 with Attribution to The
Computational Democracy Project."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import process  # noqa: E402
from benchmarks.botproc import SECRET, TOKEN  # noqa: E402
from benchmarks.driver import Citizens, Tally, run_people  # noqa: E402
from benchmarks.naive_bot import seed  # noqa: E402
from benchmarks.readback import ReadBack  # noqa: E402
from benchmarks.scripts import ITEM, HearingScript, user_of  # noqa: E402
from benchmarks.voters import Ballot, ballots, begin, open_and_vote  # noqa: E402
from bot.commands.polis_data import events  # noqa: E402
from bot.emulator import Emulator  # noqa: E402

CONVERSATION = ROOT / "datasets" / "polis" / "london.youth.policing"
BOTS = ("hearing", "naive")
# Time for work a bot does after its last reply (marking updates handled) to be counted.
SETTLE_SECONDS = 0.5
PROFILE_DIR = os.environ.get("REPLAY_PROFILE_DIR", "")


@dataclass(frozen=True)
class Phase:
    """A bot's figures over one phase of a run."""

    votes: int
    updates: int
    seconds: float
    cpu_seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def cpu_ms_per_vote(self) -> float:
        """Return the bot's CPU milliseconds per vote."""
        return self.cpu_seconds / self.votes * 1000


@dataclass(frozen=True)
class Measured:
    """One bot's run: its measured votes, its peak memory, what it stored and showed."""

    bot: str
    votes: Phase
    peak_mib: float
    stored_votes: int
    # The first citizen's last card as they see it (text, buttons), to check the UIs match.
    card: tuple[str, list[list[tuple[str, str]]]]


async def phase(
    citizens: Citizens, pid: int, people: list[list[Ballot]], ids: Sequence[int], in_flight: int
) -> Phase:
    """Play every person's ballots, `in_flight` people at once; charge the bot's CPU over it.

    The bot's CPU is read after a pause before and after, so that the phase is charged with
    the work the bot does after its last reply (marking updates handled), and only that.
    """
    await asyncio.sleep(SETTLE_SECONDS)
    before = process.cpu_of(pid)
    tally = citizens.tally = Tally(started=time.perf_counter())
    vote = lambda b: open_and_vote(citizens, b, ids[b.index])  # noqa: E731
    await run_people(people, vote, lambda _: None, in_flight)
    tally.ended = time.perf_counter()
    await asyncio.sleep(SETTLE_SECONDS)
    cpu = process.cpu_of(pid) - before
    votes = sum(len(p) for p in people)
    p50, p99 = tally.percentile(0.5) * 1000, tally.percentile(0.99) * 1000
    return Phase(votes, tally.updates, tally.seconds, cpu, p50, p99)


async def post_hearing(
    citizens: Citizens, db: Path, texts: Sequence[tuple[str, str]]
) -> list[int]:
    """Post each comment through the hearing bot's buttons, by its author; return the ids."""
    script = HearingScript(citizens, ReadBack(db), SECRET)
    ids = [await script.comment(user_of(author), text) for author, text in texts]
    with sqlite3.connect(db) as conn:
        visible = {
            r[0] for r in conn.execute("SELECT id FROM suggestions WHERE status = 'visible'")
        }
    if any(sid not in visible for sid in ids):
        raise SystemExit("the hearing bot refused or held a comment: choose another conversation")
    return [sid for sid in ids if sid is not None]


async def measure(
    bot: str, texts: Sequence[tuple[str, str]], people: list[list[Ballot]],
    args: argparse.Namespace, db: Path, profile: Path | None,
) -> Measured:  # fmt: skip
    """Run one bot against a fresh emulator: suggestions, citizens, then the measured votes."""
    async with Emulator(token=TOKEN, bot_username="hearing_bench_bot") as emu:
        if bot == "naive":
            ids = seed(db, ITEM, [text for _, text in texts])
            command = ["benchmarks.naive_bot", emu.base_url, str(db), str(args.naive_updates)]
            command.append(args.naive_transport)
        else:
            command = ["benchmarks.botproc", "hearing", emu.base_url, str(db), args.transport]
            command.append(str(args.concurrency))
        async with process.bot_process(*command) as proc:
            citizens, in_flight = Citizens(emu), args.concurrency
            if bot == "hearing":
                ids = await post_hearing(citizens, db, texts)
            if args.citizens_from == "begun":
                users = [[p[0].user] for p in people]
                await run_people(users, lambda u: begin(citizens, u), lambda _: None, in_flight)
            spy = await process.start_profile(proc.pid, profile) if profile else None
            votes = await phase(citizens, proc.pid, people, ids, in_flight)
            if spy is not None:
                await process.stop_profile(spy)
            peak = process.peak_mib_of(proc.pid)
            citizens.close()
        last = emu.messages_since(people[0][0].user, 0)[-1]
        card = (last.plain_text(), last.buttons())
    with sqlite3.connect(db) as conn:
        stored = int(conn.execute("SELECT COUNT(*) FROM votes").fetchone()[0])
    return Measured(bot, votes, peak, stored, card)


HEADER = (
    "| run | bot | votes | seconds | votes/s | **bot CPU ms / vote** | **ratio to naive** "
    "| updates / vote | p50 ms | p99 ms | peak MiB |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|"
)


def row(run: int, m: Measured, naive: Measured) -> str:
    """Render one bot's run as a Markdown table row."""
    v, ratio = m.votes, m.votes.cpu_ms_per_vote / naive.votes.cpu_ms_per_vote
    return (
        f"| {run} | {m.bot} | {v.votes:,} | {v.seconds:.1f} | {v.votes / v.seconds:,.0f} "
        f"| {v.cpu_ms_per_vote:.2f} | {ratio:.2f} | {v.updates / v.votes:.0f} "
        f"| {v.p50_ms:.1f} | {v.p99_ms:.1f} | {m.peak_mib:.0f} |"
    )


def summary(runs: list[dict[str, Measured]]) -> str:
    """Render the median and spread of each bot's CPU per vote, and of the ratio."""

    def spread(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} | {min(values):.2f} to {max(values):.2f}"

    lines = ["| figure | median | range |", "|---|---|---|"]
    for bot in BOTS:
        per_vote = [r[bot].votes.cpu_ms_per_vote for r in runs]
        lines.append(f"| {bot}: bot CPU ms / vote | {spread(per_vote)} |")
    ratios = [r["hearing"].votes.cpu_ms_per_vote / r["naive"].votes.cpu_ms_per_vote for r in runs]
    lines.append(f"| **hearing / naive, CPU per vote** | {spread(ratios)} |")
    return "\n".join(lines)


def comments(folder: Path) -> list[tuple[str, str]]:
    """Return a conversation's comments as (author, text), in the order they were written."""
    return [(e.person, e.value) for e in events(folder) if e.kind == "comment"]


async def run_all(args: argparse.Namespace) -> list[dict[str, Measured]]:
    """Run both bots `--runs` times, alternating which goes first; print each run's rows."""
    texts = comments(args.conversation)
    people = ballots(args.citizens, args.votes_each, len(texts), args.seed)
    runs: list[dict[str, Measured]] = []
    print(f"\n{HEADER}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(1, args.runs + 1):
            order = BOTS if run % 2 else BOTS[::-1]
            measured: dict[str, Measured] = {}
            for bot in order:
                profile = Path(PROFILE_DIR) / f"per-vote-{bot}-{run}.txt" if PROFILE_DIR else None
                m = await measure(bot, texts, people, args, Path(tmp) / f"{bot}-{run}.db", profile)
                expected = sum(len(p) for p in people)
                if m.stored_votes != expected:
                    raise AssertionError(f"{bot} stored {m.stored_votes} votes, not {expected}")
                measured[bot] = m
            runs.append(measured)
            for bot in BOTS:
                print(row(run, measured[bot], measured["naive"]), flush=True)
    return runs


def main() -> None:
    """Parse the options, run, print the tables (and write the figures as JSON if asked)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversation", type=Path, default=CONVERSATION)
    parser.add_argument("--citizens", type=int, default=200)
    parser.add_argument("--votes-each", type=int, default=5, help="measured votes per citizen")
    parser.add_argument(
        "--citizens-from", choices=("begun", "links"), default="begun",
        help="begun: citizens began the hearing first; links: they come by links alone",
    )  # fmt: skip
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=64, help="citizens in flight")
    parser.add_argument("--transport", default="aiohttp", help="the hearing bot's transport")
    parser.add_argument(
        "--naive-updates", type=int, default=1,
        help="the naive bot's concurrent updates (1: python-telegram-bot's default)",
    )  # fmt: skip
    parser.add_argument("--naive-transport", default="httpx", help="httpx or aiohttp")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    for name in ("citizens", "votes_each", "runs", "concurrency", "naive_updates"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    started = time.perf_counter()
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; "
        f"{args.conversation.name}; {args.citizens} citizens ({args.citizens_from}), "
        f"{args.votes_each} votes each, "
        f"{args.concurrency} in flight; hearing bot: {args.transport}, MAX_CONCURRENT_UPDATES="
        f"{args.concurrency}; naive bot: {args.naive_transport}, {args.naive_updates} update(s) "
        "at a time"
    )
    runs = asyncio.run(run_all(args))
    print(
        f"\n{summary(runs)}\n\ntotal {time.perf_counter() - started:.0f} s, load average "
        f"{os.getloadavg()[0]:.1f} at the end"
    )
    if args.json:
        figures = [{bot: asdict(m) for bot, m in r.items()} for r in runs]
        args.json.write_text(json.dumps({"runs": figures}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
