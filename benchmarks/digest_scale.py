"""Time the drafter's digest of synthetic hearings of 10k, 100k and 1M stances.

Run from the project root: `.venv/bin/python -m benchmarks.digest_scale` (see BENCHMARKS.md).
Each size is a migrated database with every participant answering all items of the seed plan,
one suggestion per 50 stances and one vote per 2 stances. Suggestion texts are drawn from the
words of real comments (the seed, and the Pol.is scoop-hivemind.biodiversity conversation:
CC BY 4.0, Data was gathered using the Polis software (compdemocracy.org/polis) and is
sub-licensed under CC BY 4.0 with Attribution to The Computational Democracy Project); about
a third are rewordings of an earlier one on the same item, so grouping has work to do. The
digest is built in a fresh process per size, so that its peak memory is its own.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.naive import naive_groups  # noqa: E402
from bot.hearing.digest import MIN_VOTES, DigestBuilder, best_groups  # noqa: E402
from bot.hearing.plan import load_plan  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.digests import TalliedSuggestion  # noqa: E402

DATASETS = ROOT / "datasets"
SIZES = (10_000, 100_000, 1_000_000)
STANCES_PER_SUGGESTION = 50
STANCES_PER_VOTE = 2
REWORDED = 0.35
NAIVE_UP_TO = 100_000  # comparing every head takes minutes above this
START = datetime(2026, 11, 1, tzinfo=UTC)


def vocabulary() -> list[str]:
    """Return the words of real comments, most frequent first (repeats kept, for weighting)."""
    texts = [json.loads(line)["text"] for line in (DATASETS / "seed" / "comments.jsonl").open()]
    with (DATASETS / "polis" / "scoop-hivemind.biodiversity" / "comments.csv").open() as f:
        texts += [row["comment-body"] for row in csv.DictReader(f)]
    return [w for text in texts for w in re.findall(r"[A-Za-z]{2,}", text)]


def reword(text: str, rng: random.Random) -> str:
    """Make a near-copy: drop, swap or misspell a word, or change case and punctuation."""
    words = text.split()
    i = rng.randrange(len(words))
    change = rng.randrange(4)
    if change == 0 and len(words) > 4:
        del words[i]
    elif change == 1 and i + 1 < len(words):
        words[i], words[i + 1] = words[i + 1], words[i]
    elif change == 2 and len(words[i]) > 3:
        j = rng.randrange(1, len(words[i]))
        words[i] = words[i][:j] + words[i][j - 1] + words[i][j:]
    else:
        return text.upper() + "!"
    return " ".join(words)


def iso(moment: datetime) -> str:
    """Format as the storage layer does."""
    return moment.isoformat(timespec="microseconds")


def generate(db: Path, stances: int, seed: int = 7) -> dict[str, int]:
    """Write a synthetic hearing of `stances` stances into a migrated database."""
    rng = random.Random(seed)
    items = [item.id for item in load_plan().items]
    people = max(1, stances // len(items))
    words = vocabulary()
    stamp = [iso(START + timedelta(seconds=i)) for i in range(people)]
    participants = [
        (f"p{i:07d}", stamp[i], stamp[i], "finished", stamp[i] if i % 3 else None)
        for i in range(people)
    ]
    choices = ("support", "oppose", "unsure")
    answers = [
        (
            f"p{p:07d}",
            item,
            rng.choice(choices),
            rng.choice(("high", "medium", "low")),
            "v1",
            stamp[p],
        )
        for p in range(people)
        for item in items
    ][:stances]
    suggestions: list[tuple[int, str, str, str, str, str, str]] = []
    by_item: dict[str, list[str]] = {}
    for sid in range(1, stances // STANCES_PER_SUGGESTION + 1):
        item = rng.choice(items)
        earlier = by_item.setdefault(item, [])
        if earlier and rng.random() < REWORDED:
            text = reword(rng.choice(earlier), rng)
        else:
            text = " ".join(rng.choices(words, k=rng.randint(5, 14))).capitalize()
        earlier.append(text)
        author = rng.randrange(people)
        suggestions.append((sid, f"p{author:07d}", item, text, "visible", "v1", stamp[author]))
    votes: dict[tuple[str, int], tuple[str, int, str, str]] = {}
    for _ in range(stances // STANCES_PER_VOTE):
        voter = f"p{rng.randrange(people):07d}"
        # Popular suggestions get more votes, as on a real hearing.
        sid = min(len(suggestions), int(rng.paretovariate(1.2)) + rng.randrange(len(suggestions)))
        votes[(voter, sid)] = (voter, sid, rng.choice(("agree", "disagree", "pass")), stamp[0])
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA synchronous=OFF")
        conn.executemany(
            "INSERT INTO participants (id, created_at, updated_at, step,"
            " completed_at) VALUES (?, ?, ?, ?, ?)",
            participants,
        )
        conn.executemany("INSERT INTO stances VALUES (?, ?, ?, ?, ?, ?)", answers)
        conn.executemany(
            "INSERT INTO stance_history (participant_id, item_id, stance, priority,"
            " plan_version, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
            answers,
        )
        conn.executemany(
            "INSERT INTO suggestions (id, participant_id, item_id, text, status,"
            " plan_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            suggestions,
        )
        conn.executemany("INSERT INTO votes VALUES (?, ?, ?, ?)", list(votes.values()))
        conn.executemany(
            "INSERT INTO vote_history (participant_id, suggestion_id, vote,"
            " recorded_at) VALUES (?, ?, ?, ?)",
            list(votes.values()),
        )
    return {
        "participants": people,
        "stances": len(answers),
        "suggestions": len(suggestions),
        "votes": len(votes),
    }


async def migrate(db: Path) -> None:
    """Create the schema."""
    async with Database(db):
        pass


def peak_mib() -> float:
    """Return this process's peak resident memory (VmHWM) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def build(db: Path, naive: bool) -> dict[str, float]:
    """Build the digest once and time it (in this process); optionally the naive grouping too."""
    before = peak_mib()
    async with Database(db) as database:
        started = time.perf_counter()
        digest = await DigestBuilder(database, load_plan()).build(None, datetime.now(UTC))
        seconds = time.perf_counter() - started
        peak = peak_mib()
        async with database.reading() as repos:
            rows = await repos.digests.tallied_suggestions()
    by_item: dict[str, list[TalliedSuggestion]] = {}
    for row in rows:
        by_item.setdefault(row.item_id, []).append(row)
    started = time.perf_counter()
    fast = [best_groups(r, MIN_VOTES, len(r)) for r in by_item.values()]
    grouping = time.perf_counter() - started
    result = {
        "seconds": seconds,
        "peak_mib": peak,
        "base_mib": before,
        "grouping": grouping,
        "groups": sum(map(len, fast)),
        "best": sum(map(len, digest.best_suggestions.values())),
    }
    if naive:
        started = time.perf_counter()
        slow = [naive_groups(r, MIN_VOTES, len(r)) for r in by_item.values()]
        result["naive"] = time.perf_counter() - started
        result["naive_same"] = float(slow == fast)
    return result


def main() -> None:
    """Generate each size, build its digest in a fresh process, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=list(SIZES))
    parser.add_argument("--build", help=argparse.SUPPRESS)
    parser.add_argument("--naive", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--naive-up-to", type=int, default=NAIVE_UP_TO, help="time the former grouping up to"
    )
    args = parser.parse_args()
    if args.build:
        print(json.dumps(asyncio.run(build(Path(args.build), args.naive))))
        return
    print(
        "| stances | participants | suggestions | votes | digest s | ratio to 10k | grouping s "
        "| naive grouping s | same groups | peak MiB (process) | MiB added by the build |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    first: float | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            db = Path(tmp) / f"h{size}.db"
            asyncio.run(migrate(db))
            counts = generate(db, size)
            command = [sys.executable, "-m", "benchmarks.digest_scale", "--build", str(db)]
            if size <= args.naive_up_to:
                command.append("--naive")
            out = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            first = first or r["seconds"]
            naive = f"{r['naive']:.2f}" if "naive" in r else "not run"
            same = ("yes" if r["naive_same"] else "NO") if "naive" in r else "-"
            print(
                f"| {counts['stances']:,} | {counts['participants']:,} | "
                f"{counts['suggestions']:,} | {counts['votes']:,} | {r['seconds']:.2f} | "
                f"{r['seconds'] / first:.1f} | {r['grouping']:.2f} | {naive} | {same} | "
                f"{r['peak_mib']:.0f} | {r['peak_mib'] - r['base_mib']:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
