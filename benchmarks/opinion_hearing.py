"""Time the digest's opinion groups section on a stored hearing: read, group, describe, draw.

Run from the project root: `.venv/bin/python -m benchmarks.opinion_hearing [STANCES ...]`
(default 1,000,000: 50,000 participants answering the 20 items, 20,000 suggestions, 500,000
votes on them). Each size is written to a migrated database, as `benchmarks/digest_scale.py`
does, from two generators: `camps` (benchmarks/opinion_groups.py's synthetic hearing: three
latent camps, each voting its camp's way with probability 0.7) and `random` (the digest
benchmark's hearing: every answer and vote drawn at random, so no structure at all). The
section is then built in a fresh process per case, so that its peak memory is its own: what
`/digest` and the scheduled digest run (bot/hearing/opinion_statements.py: read the votes,
find_groups in a worker thread) and render (the section's text and the opinion map).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.digest_scale import generate, migrate, peak_mib  # noqa: E402
from benchmarks.opinion_groups import synthetic_votes  # noqa: E402
from bot.hearing.digest_model import Digest, ItemStats, Participation  # noqa: E402
from bot.hearing.opinion_groups import GroupsParams  # noqa: E402
from bot.hearing.opinion_statements import group_hearing  # noqa: E402
from bot.hearing.plan import load_plan  # noqa: E402
from bot.views.links import Links  # noqa: E402
from bot.views.opinion_groups import opinion_blocks  # noqa: E402
from bot.views.opinion_map import render_map  # noqa: E402
from bot.views.texts import load_texts  # noqa: E402
from storage.db import Database  # noqa: E402

STAMP = "2026-11-01T00:00:00.000000+00:00"
STANCES = {1: "support", -1: "oppose", 0: "unsure"}
VOTES = {1: "agree", -1: "disagree", 0: "pass"}


def write_camps(db: Path, stances: int) -> None:
    """Store benchmarks/opinion_groups.py's synthetic hearing (three camps) as the bot would."""
    triples = synthetic_votes(stances)
    people = sorted({p for p, _, _ in triples})
    items = {f"item-{n}": item.id for n, item in enumerate(load_plan().items)}
    answers = [(p, items[k], STANCES[v], "medium", "v1", STAMP) for p, k, v in triples
               if k in items]  # fmt: skip
    votes = [(p, int(k[2:]) + 1, VOTES[v], STAMP) for p, k, v in triples if k not in items]
    suggestions = sorted({sid for _, sid, _, _ in votes})
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA synchronous=OFF")
        conn.executemany(
            "INSERT INTO participants (id, created_at, updated_at) VALUES (?, ?, ?)",
            [(p, STAMP, STAMP) for p in people],
        )
        conn.executemany("INSERT INTO stances VALUES (?, ?, ?, ?, ?, ?)", answers)
        conn.executemany(
            "INSERT INTO suggestions (id, participant_id, item_id, text, status, plan_version,"
            " created_at) VALUES (?, ?, '1', ?, 'visible', 'v1', ?)",
            [(sid, people[sid % len(people)], f"Suggestion {sid}", STAMP) for sid in suggestions],
        )
        conn.executemany("INSERT INTO votes VALUES (?, ?, ?, ?)", votes)


async def section(db: Path) -> dict[str, object]:
    """Build the section once, in this process: time each step, read the peak memory."""
    plan = load_plan()
    load_texts()
    before = peak_mib()
    # Opened first: the bot's database is open already (opening checks the whole file).
    async with Database(db) as database, database.reading() as repos:
        cpu, started = time.process_time(), time.perf_counter()
        groups = await group_hearing(repos, plan, GroupsParams(), datetime.now(UTC))
        grouped = time.perf_counter() - started
    items = tuple(ItemStats(i.id, i.number, i.text, 1, 1, 0, None) for i in plan.items)
    digest = Digest(plan.title, None, datetime.now(UTC), Participation(0, 0, 0, 0, 0), items,
                    (), (), (), opinion=groups)  # fmt: skip
    opinion_blocks(load_texts(), digest, Links("bot"))
    png = render_map(groups.result)
    return {
        "participants": groups.result.participants,
        "groups": [g.size for g in groups.result.groups],
        "grouped_s": grouped,
        "total_s": time.perf_counter() - started,
        "cpu_s": time.process_time() - cpu,
        "peak_mib": peak_mib(),
        "base_mib": before,
        "map_kib": len(png) // 1024,
    }


def main() -> None:
    """Generate each case, build its section in a fresh process, print a table row each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1_000_000])
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:
        print(json.dumps(asyncio.run(section(args.measure))))
        return
    print("| hearing | stances | participants | groups | read + group s | section + map s "
          "| CPU s | peak MiB (process) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        for kind in ("camps", "random"):
            with tempfile.TemporaryDirectory() as folder:
                db = Path(folder) / "hearing.db"
                asyncio.run(migrate(db))
                write_camps(db, size) if kind == "camps" else generate(db, size)
                done = subprocess.run(
                    [sys.executable, "-m", "benchmarks.opinion_hearing", "--measure", str(db)],
                    cwd=ROOT, capture_output=True, text=True, check=True,
                )  # fmt: skip
            r = json.loads(done.stdout)
            print(
                f"| {kind} | {size:,} | {r['participants']:,} | {len(r['groups'])} "
                f"| {r['grouped_s']:.2f} | {r['total_s']:.2f} | {r['cpu_s']:.2f} "
                f"| {r['peak_mib']:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
