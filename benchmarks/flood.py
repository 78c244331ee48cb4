"""Load test: one chat floods the bot while 200 citizens walk through the plan (#15, point 1).

Run from the project root: `.venv/bin/python -m benchmarks.flood` (about 8 minutes; `--help`
lists the options). The bot runs in its own process with the settings' defaults (the flood gate
on: RATE_LIMIT_PER_MINUTE, RATE_LIMIT_BURST, CHAT_BACKLOG). The emulator enforces Telegram's
one message a second per chat (and, with `--limits telegram`, its 30 a second for the whole bot
too). The citizens walk at a person's pace (seconds between two actions) in phases of one run:

0. first visit (not measured): each citizen opens one item, as a newcomer;
1. quiet: each citizen answers `--items` items (open by link, a stance, a priority);
2. flood: the same again on other items, while one more chat sends `--flood` text messages as
   fast as the emulator takes them;
3. quiet again: the same on other items, after the flood.

Each action's latency is the time from the update entering the emulator to the bot's answer
(its first message or edit for a text, its answerCallbackQuery for a press). The figure is the
ratio of the citizens' p99 latency in the flood phase to the two quiet phases' (target: at
most 1.5), and nothing of theirs may be lost: every answer they gave is in the database.
`--gate off` runs the bot with the gate opened wide, to show what the flood does without it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sqlite3
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.botproc import SECRET, TOKEN  # noqa: E402
from benchmarks.driver import Citizens, Tally, with_button  # noqa: E402
from benchmarks.replay import cpu_of  # noqa: E402
from bot.emulator import Emulator, Limits, RateReport  # noqa: E402
from bot.hearing.privacy import pseudonym  # noqa: E402

STANCES = {"support": "👍 Support", "oppose": "👎 Oppose", "unsure": "🤔 Unsure"}
PRIORITIES = {"high": "High", "medium": "Medium", "low": "Low"}
ITEMS = 20
FIRST_CITIZEN = 300_000
FLOODER = 299_999
SLOW_DOWN = "You are sending messages faster than the bot can answer them"
TARGET = 1.5
OPEN_OVERALL = 10_000.0
STOP_SECONDS = 30.0


@dataclass
class Phase:
    """What one phase measured."""

    name: str
    actions: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    seconds: float = 0.0
    refused_429: int = 0  # the bot's calls the emulator refused for Telegram's limits

    @classmethod
    def of(cls, name: str, tally: Tally, rates: RateReport) -> Phase:
        """Summarise a tally and what the limits refused meanwhile."""
        ms = 1000.0
        worst = max(tally.latencies, default=float("nan"))
        return cls(
            name, len(tally.latencies), tally.percentile(0.5) * ms, tally.percentile(0.99) * ms,
            worst * ms, tally.seconds, rates.rejected_429,
        )  # fmt: skip


@dataclass
class Result:
    """The figures of one run."""

    gate: str = "on"
    limits: str = "per-chat"
    citizens: int = 0
    items_per_phase: int = 0
    flood: int = 0
    flood_enqueue_seconds: float = 0.0
    phases: list[Phase] = field(default_factory=list)
    quiet_p99_ms: float = 0.0  # both quiet phases together
    ratio_p99: float = 0.0
    answers: int = 0
    lost: int = 0
    stuck: int = 0
    flood_stored: int = 0
    flood_answered: int = 0
    slow_down_notices: int = 0
    bot_cpu_seconds: float = 0.0
    load_average: float = 0.0
    problems: list[str] = field(default_factory=list)


class Walker:
    """One citizen: answers items at a person's pace and remembers what it answered."""

    def __init__(
        self, citizens: Citizens, user: int, rng: random.Random, think: tuple[float, float]
    ) -> None:
        self.citizens = citizens
        self.emu = citizens.emu
        self.user = user
        self.rng = rng
        self.think = think
        self.answers: dict[str, tuple[str, str]] = {}
        self.stuck: str | None = None

    async def walk(self, items: list[str]) -> None:
        """Answer the items one by one; a wait that times out marks the citizen stuck."""
        try:
            for item in items:
                await self.answer(item)
        except TimeoutError:
            self.stuck = f"no answer in time after {len(self.answers)} items"

    async def answer(self, item: str) -> None:
        """Open an item by link, choose a stance, then a priority."""
        await self.pause()
        mark = await self.citizens.follow_link(self.user, f"item-{item}")
        card = await self.citizens.until(
            self.user,
            with_button(self.emu, self.user, mark, lambda label, _: label == STANCES["support"]),
        )
        stance, priority = self.rng.choice(list(STANCES)), self.rng.choice(list(PRIORITIES))
        await self.pause()
        await self.press(card.message_id, STANCES[stance])
        self.answers[item] = (stance, "")
        await self.pause()
        await self.press(card.message_id, PRIORITIES[priority])
        self.answers[item] = (stance, priority)

    async def press(self, message_id: int, label: str) -> None:
        """Press the button with this label once the message shows it."""

        def data() -> str | None:
            message = self.emu.message(self.user, message_id)
            rows = message.buttons() if message is not None else []
            return next((d for row in rows for text, d in row if text == label), None)

        await self.citizens.press(
            self.user, message_id, await self.citizens.until(self.user, data)
        )

    async def pause(self) -> None:
        """Think, as a person does between two actions."""
        await asyncio.sleep(self.rng.uniform(*self.think))


async def flood(emu: Emulator, count: int) -> tuple[list[int], float]:
    """Send `count` texts from one chat as fast as the emulator takes them."""
    started, sent = time.perf_counter(), []
    for n in range(count):
        sent.append(emu.send_message(FLOODER, f"flood {n}"))
        if n % 50 == 49:
            await asyncio.sleep(0)  # let the emulator answer the bot meanwhile
    return sent, time.perf_counter() - started


async def phase(
    name: str, emu: Emulator, walkers_of: list[tuple[int, random.Random]],
    items: dict[int, list[str]], think: tuple[float, float],
) -> tuple[Phase, Tally, list[Walker]]:  # fmt: skip
    """Have every citizen walk its items; return the latencies measured."""
    citizens = Citizens(emu)
    walkers = [Walker(citizens, user, rng, think) for user, rng in walkers_of]
    print(f"{time.strftime('%H:%M:%S')} {name}: {len(walkers)} citizens", file=sys.stderr)
    emu.reset_rates()
    citizens.tally.started = time.perf_counter()
    await asyncio.gather(*(w.walk(items[w.user]) for w in walkers))
    citizens.tally.ended = time.perf_counter()
    citizens.close()
    stuck = sum(w.stuck is not None for w in walkers)
    print(f"{time.strftime('%H:%M:%S')} {name} done, {stuck} stuck", file=sys.stderr)
    return Phase.of(name, citizens.tally, emu.rate_report()), citizens.tally, walkers


async def run(args: argparse.Namespace, workdir: Path) -> Result:
    """Start the bot, run the phases (the flood during the second), then check the database."""
    result = Result(gate=args.gate, limits=args.limits, citizens=args.citizens)
    result.items_per_phase = args.items
    result.flood, result.load_average = args.flood, os.getloadavg()[0]
    db = workdir / "flood.db"
    rng = random.Random(args.seed)
    users = [(FIRST_CITIZEN + n, random.Random(rng.random())) for n in range(args.citizens)]
    # A first item each, not measured: a newcomer's first visit (registration, the welcome)
    # costs more than the walk does. Then the quiet phase, the flood, and quiet again: the two
    # quiet phases bracket the flood, so that a change in the machine's load shows.
    phases = (("first visit", 1), ("quiet", args.items), ("flood", args.items),
              ("quiet again", args.items))  # fmt: skip
    chosen = {user: rng.sample([str(i) for i in range(1, ITEMS + 1)], 1 + 3 * args.items)
              for user, _ in users}  # fmt: skip
    think = (args.think[0], args.think[1])
    kind = "gated" if args.gate == "on" else "hearing"
    # Telegram's one message a second per chat always; its 30 a second for the whole bot only
    # when asked: 200 citizens at a person's pace come near it, and then the p99 of every
    # phase is one 429 retry (a second), whatever the flood does.
    limits = Limits() if args.limits == "telegram" else Limits(overall_per_second=OPEN_OVERALL)
    walkers: list[Walker] = []
    quiet = Tally()
    async with Emulator(token=TOKEN, bot_username="flood_bench_bot", limits=limits) as emu:
        for user, _ in users:
            emu.meet(user)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks.botproc", kind, emu.base_url, str(db), "aiohttp",
            "32", cwd=ROOT, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            assert proc.stdout is not None
            line = await asyncio.wait_for(proc.stdout.readline(), 120)
            if line.strip() != b"READY":
                raise RuntimeError(f"the bot did not start: {line!r}")
            start, cpu_before, flooding = 0, 0.0, None
            for name, count in phases:
                items = {user: chosen[user][start : start + count] for user, _ in users}
                start += count
                if name == "flood":
                    flooding = asyncio.create_task(flood(emu, args.flood))
                measured, tally, walked = await phase(name, emu, users, items, think)
                walkers += walked
                if name == "first visit":
                    cpu_before = cpu_of(proc.pid)
                    continue
                result.phases.append(measured)
                if name != "flood":
                    quiet.latencies += tally.latencies
            assert flooding is not None
            flood_ids, result.flood_enqueue_seconds = await flooding
            await settle(emu)
            result.bot_cpu_seconds = cpu_of(proc.pid) - cpu_before
            messages = [m.plain_text() for m in emu.messages(FLOODER)]
            result.slow_down_notices = sum(SLOW_DOWN in text for text in messages)
            result.flood_answered = len(messages) - result.slow_down_notices
        finally:
            await stop(proc)
    verify(db, walkers, flood_ids, result)
    result.quiet_p99_ms = quiet.percentile(0.99) * 1000
    flood_p99 = next(p.p99_ms for p in result.phases if p.name == "flood")
    result.ratio_p99 = round(flood_p99 / result.quiet_p99_ms, 2)
    return result


async def stop(proc: asyncio.subprocess.Process) -> None:
    """Stop the bot with SIGTERM; kill it if it is not gone in time.

    Without the gate, thousands of a flood's updates are still waiting, and python-telegram-bot
    finishes every one before it stops, each paced at one message a second.
    """
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(proc.wait(), STOP_SECONDS)
    except TimeoutError:
        proc.kill()
        await proc.wait()


async def settle(emu: Emulator, quiet: float = 5.0, longest: float = 300.0) -> None:
    """Wait until the bot has taken every update off the emulator and stopped writing."""
    await emu.wait_delivered(timeout=longest)

    def writes() -> int:  # every call but the long polls, which go on while idle
        return sum(name != "getUpdates" for name, _ in emu.calls)

    seen, deadline = -1, time.monotonic() + longest
    while seen != (now := writes()) and time.monotonic() < deadline:
        seen = now
        await asyncio.sleep(quiet)


def verify(db: Path, walkers: list[Walker], flood_ids: list[int], result: Result) -> None:
    """Check every citizen's answers against the database; count what the flood left there."""
    with sqlite3.connect(db) as conn:
        stored = {(p, i): (s, r) for p, i, s, r in conn.execute(
            "SELECT participant_id, item_id, stance, priority FROM stances")}  # fmt: skip
        marks = ",".join("?" * len(flood_ids))
        (result.flood_stored,) = conn.execute(
            f"SELECT COUNT(*) FROM inbox WHERE update_id IN ({marks})", flood_ids
        ).fetchone()
    for walker in walkers:
        pid = pseudonym(SECRET, walker.user)
        result.stuck += walker.stuck is not None
        for item, (stance, priority) in walker.answers.items():
            result.answers += 1
            got = stored.get((pid, item))
            # An answer whose priority was sent is checked whole; one cut short by a timeout,
            # on what was sent.
            expected = (stance, priority) if priority else (stance, got[1] if got else None)
            result.lost += got != expected
    if result.lost:
        result.problems.append(f"lost: {result.lost} answers")
    if result.stuck:
        result.problems.append(f"stuck: {result.stuck} citizens got no answer in time")


def table(result: Result) -> str:
    """Render the figures as Markdown."""
    rows = [
        f"| {p.name} | {p.actions:,} | {p.seconds:.0f} | {p.p50_ms:.0f} | {p.p99_ms:.0f} "
        f"| {p.max_ms:.0f} | {p.refused_429:,} |"
        for p in result.phases
    ]
    return "\n".join(
        [
            "| phase | citizens' actions | seconds | p50 ms | p99 ms | max ms | 429s |",
            "|---|---|---|---|---|---|---|",
            *rows,
            "",
            f"**p99 ratio, flood / quiet: {result.ratio_p99}** (target ≤ {TARGET}; the quiet "
            f"phases together: p99 {result.quiet_p99_ms:.0f} ms)",
            f"gate {result.gate}; limits enforced: {result.limits}; "
            f"{result.citizens} citizens, {result.items_per_phase} items "
            f"each per phase; {result.answers:,} answers checked, {result.lost} lost, "
            f"{result.stuck} stuck",
            f"flood: {result.flood:,} texts enqueued in {result.flood_enqueue_seconds:.1f} s; "
            f"{result.flood_stored:,} stored in the inbox, {result.flood_answered:,} messages "
            f"to the flooder, {result.slow_down_notices} slow-down notice(s)",
            f"bot CPU {result.bot_cpu_seconds:.1f} s; load average {result.load_average:.1f} "
            f"at start ({os.cpu_count()} CPUs)",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Run the load test from the command line and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--citizens", type=int, default=200)
    parser.add_argument("--flood", type=int, default=10_000, help="texts the flooder sends")
    parser.add_argument("--items", type=int, default=3, help="items per citizen per phase")
    parser.add_argument(
        "--think", type=float, nargs=2, default=(6.0, 14.0), metavar=("MIN", "MAX"),
        help="seconds a citizen waits between two actions, drawn between MIN and MAX",
    )  # fmt: skip
    parser.add_argument("--gate", choices=("on", "off"), default="on")
    parser.add_argument(
        "--limits", choices=("per-chat", "telegram"), default="per-chat",
        help="Telegram's limits the emulator enforces: one message a second per chat, or that "
        "and 30 a second in all",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="flood-") as tmp:
        result = asyncio.run(run(args, Path(tmp)))
    print(table(result))
    for problem in result.problems:
        print(f"PROBLEM: {problem}")
    if args.json is not None:
        args.json.write_text(json.dumps(asdict(result), indent=2) + "\n", encoding="utf-8")
    return 0 if not result.problems else 1


if __name__ == "__main__":
    sys.exit(main())
