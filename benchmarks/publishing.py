"""Time publishing the digest's figures by the rule against differencing, and what it costs
a citizen's answer recorded meanwhile.

Run from the project root: `.venv/bin/python -m benchmarks.publishing` (see BENCHMARKS.md).
Each size is the synthetic hearing of benchmarks/digest_scale.py. The digest is built twice
with MIN_GROUP_SIZE 5: first with nothing published yet, then after a day in which 1% of the
participants changed an answer and voted once more (through the repositories, so that the
histories hold them). While each digest is built, a citizen answers an item every 5 ms; the
time each answer waits to be recorded is set against the same answers with no digest running,
measured in the same run. "Publishing alone" times the figures' publishing by itself, just
before the digest (which then finds them published).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.digest_scale import generate, migrate  # noqa: E402
from bot.hearing.digest import DigestBuilder  # noqa: E402
from bot.hearing.plan import load_plan  # noqa: E402
from bot.hearing.publishable import Publisher  # noqa: E402
from storage.db import Database  # noqa: E402

SIZES = (100_000, 1_000_000)
MIN_GROUP = 5
CHANGED = 0.01  # the share of participants who answer again in a day
PACE = 0.005  # a citizen's answer every 5 ms while a digest is built


async def answers_meanwhile(db: Database, stop: asyncio.Event, people: int) -> list[float]:
    """Record an answer every PACE seconds until `stop`; return how long each took."""
    rng = random.Random(3)
    waits = []
    while not stop.is_set():
        pid = f"p{rng.randrange(people):07d}"
        started = time.perf_counter()
        async with db.transaction() as repos:
            await repos.stances.record(pid, "1", rng.choice(("support", "oppose")), None, "v1")
        waits.append(time.perf_counter() - started)
        await asyncio.sleep(PACE)
    return waits


async def with_answers(db: Database, people: int, work: asyncio.Future[object] | None) -> tuple:
    """Run `work` (or a second of nothing) while a citizen answers; return the waits."""
    stop = asyncio.Event()
    answering = asyncio.create_task(answers_meanwhile(db, stop, people))
    started = time.perf_counter()
    if work is None:
        await asyncio.sleep(1.0)
    else:
        await work
    seconds = time.perf_counter() - started
    stop.set()
    return seconds, await answering


async def a_day(db: Database, people: int) -> None:
    """1% of the participants answer an item anew and vote once more."""
    rng = random.Random(11)
    async with db.transaction() as repos:
        ids = await repos.releases.visible_suggestions()
        for n in rng.sample(range(people), max(1, int(people * CHANGED))):
            pid = f"p{n:07d}"
            await repos.stances.record(pid, rng.choice(("2", "3")), "unsure", "low", "v1")
            await repos.votes.record(pid, rng.choice(ids), rng.choice(("agree", "disagree")))


async def measure(path: Path, people: int) -> list[dict[str, float]]:
    """Build the digest twice, timing it, its publishing, and the answers meanwhile."""
    rows = []
    async with Database(path) as db:
        plan = load_plan()
        _, idle = await with_answers(db, people, None)
        for run in ("first", "after a day"):
            if run != "first":
                await a_day(db, people)
            started = time.perf_counter()
            publish = Publisher.over(db, MIN_GROUP)
            await publish.items()
            await publish.votes()
            await publish.participation("UTC")
            publishing = time.perf_counter() - started
            build = DigestBuilder(db, plan, "UTC", MIN_GROUP).build(None, datetime.now(UTC))
            seconds, waits = await with_answers(db, people, asyncio.ensure_future(build))
            p99 = statistics.quantiles(waits, n=100, method="inclusive")[98]
            rows.append({
                "run": run, "digest": seconds, "publishing": publishing,
                "idle_p50": statistics.median(idle), "idle_max": max(idle),
                "p50": statistics.median(waits), "max": max(waits),
                "p99": p99,
            })  # fmt: skip
    return rows


def main() -> None:
    """Generate each size, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=list(SIZES))
    args = parser.parse_args()
    print(
        "| stances | digest | digest s | publishing alone s | an answer's wait, idle: "
        "median / max ms | during the digest: median / p99 / max ms | max ÷ idle max |"
    )
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"h{size}.db"
            asyncio.run(migrate(path))
            people = generate(path, size)["participants"]
            for r in asyncio.run(measure(path, people)):
                ms = {k: 1000 * v for k, v in r.items() if k != "run"}  # type: ignore[operator]
                print(
                    f"| {size:,} | {r['run']} | {r['digest']:.2f} | {r['publishing']:.2f} | "
                    f"{ms['idle_p50']:.1f} / {ms['idle_max']:.1f} | "
                    f"{ms['p50']:.1f} / {ms['p99']:.1f} / {ms['max']:.1f} | "
                    f"{r['max'] / r['idle_max']:.1f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
