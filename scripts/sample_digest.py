"""Build the sample digest in docs/ from the seed hearing's real comments.

    .venv/bin/python scripts/sample_digest.py [--seed-dir datasets/seed] [--out docs]

The suggestions are the real public comments of datasets/seed/comments.jsonl, split into
their separate points and filed under the plan item they are about (by keywords). The answers
(support / oppose / unsure, priority) and the votes are SIMULATED with a fixed random seed, so
that the drafter can see what a digest looks like once citizens have taken part: the figures
illustrate the format and say nothing about what anyone thought.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import Settings
from bot.hearing.digest import DigestBuilder
from bot.hearing.plan import Plan, load_plan
from bot.views.chart import render_chart
from bot.views.digest import chart_labels, render_digest
from bot.views.links import Links
from bot.views.texts import load_texts, strip_html
from storage.clock import iso
from storage.db import Database

ROOT = Path(__file__).resolve().parents[1]
SIMULATED_PEOPLE = 60
MAX_CHARS = 1000
# First matching rule wins; a point matching none is filed as a proposal for a new item.
TOPICS = [
    (r"witness", "18"),
    (r"judge|judiciary|court|trial", "17"),
    (r"prosecut|forensic|conviction", "19"),
    (r"madar|madras|madaris|mosque|masjid|imam|sermon|seminar", "3"),
    (r"police|\blea", "15"),
    (r"media|pemra|channel|newspaper|campaign", "10"),
    (r"\barms\b|weapon|explosive", "11"),
    (r"fund|financ|sponsor|\bngo|hawala", "14"),
    (r"\bsim|mobile", "8"),
    (r"afghan|border|refugee|passport|visa|intelligence|surveillance|cctv|intercept", "7"),
    (r"army|armed forces|military|operation", "1"),
    (r"hate speech|narrative|fatwa|takfir|religio", "2"),
    (r"rehabilit|idp|victim|surrender", "9"),
    (r"school|education|youth|job|employment|poverty", "4"),
]
STANCE_WEIGHTS = {  # (support, oppose, unsure) per item; the rest use the default
    "5": (4, 4, 2), "10": (5, 4, 2), "13": (3, 2, 5), "6": (8, 1, 1), "18": (9, 1, 1),
}  # fmt: skip
DEFAULT_WEIGHTS = (6, 2, 2)
POSTED = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def points(text: str) -> list[str]:
    """Split a long comment into its separate points, each short enough to be a suggestion."""
    parts = re.split(r"\n\s*\n|\n(?=\s*(?:Suggestion\s*#|\d+[.)]|-)\s)", text)
    merged: list[str] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if merged and len(merged[-1]) < 60:
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return [_cut(p) for p in merged if re.search(r"\w{3}", p)]


def _cut(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    cut = text[:MAX_CHARS]
    end = max(cut.rfind(". "), cut.rfind("\n"))
    return cut[: end + 1] if end > MAX_CHARS // 2 else cut[: MAX_CHARS - 1] + "…"


def topic(text: str) -> str:
    """File a point under the plan item it is about."""
    lowered = text.lower()
    return next((item for pattern, item in TOPICS if re.search(pattern, lowered)), "new")


async def build(seed_dir: Path, out: Path) -> None:
    """Fill a temporary hearing, build its digest, and write the sample files."""
    plan = load_plan()
    with tempfile.TemporaryDirectory() as folder:
        async with Database(Path(folder) / "sample.db") as db:
            await simulate(db, plan, seed_dir)
            async with db.transaction() as repos:
                # Stamped the morning of the sample day: the digest lists them as new.
                await repos.conn.execute("UPDATE suggestions SET created_at = ?", (iso(POSTED),))
            now = POSTED + timedelta(hours=5)
            # As drafters see it: MIN_GROUP_SIZE at its default.
            digest = await DigestBuilder(db, plan, min_group=Settings.min_group_size).build(
                None, now
            )
    t = load_texts()
    messages = render_digest(t, digest, "Asia/Karachi", Links("hearing_bot"))
    write(out, render_chart(digest, chart_labels(t)), _markdown(messages))


async def simulate(db: Database, plan: Plan, seed_dir: Path) -> None:
    """File the seed's real comments as suggestions and add the simulated answers and votes."""
    rng = random.Random(20141216)
    comments = [json.loads(line) for line in (seed_dir / "comments.jsonl").open(encoding="utf-8")]
    async with db.transaction() as repos:
        suggestion_ids = []
        for comment in comments:
            if comment["role"] != "citizen":
                continue
            author = comment["author"]
            await repos.participants.ensure(author)
            for point in points(comment["text"]):
                sid = await repos.suggestions.add(
                    author, topic(point), point, "visible", plan.version
                )
                suggestion_ids.append(sid)
        for n in range(SIMULATED_PEOPLE):
            pid = f"simulated-{n:02d}"
            await repos.participants.ensure(pid)
            for item in plan.items:
                if rng.random() < 0.15:
                    continue  # skipped
                weights = STANCE_WEIGHTS.get(item.id, DEFAULT_WEIGHTS)
                stance = rng.choices(["support", "oppose", "unsure"], weights)[0]
                priority = rng.choice(["high", "high", "medium", "low"])
                await repos.stances.record(pid, item.id, stance, priority, plan.version)
            for sid in rng.sample(suggestion_ids, k=min(8, len(suggestion_ids))):
                vote = rng.choices(["agree", "disagree", "pass"], (6, 2, 2))[0]
                await repos.votes.record(pid, sid, vote)
            if rng.random() < 0.6:
                await repos.participants.mark_completed(pid)


def write(out: Path, chart: bytes, markdown: str) -> None:
    """Write the chart and the Markdown page."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "sample-digest.png").write_bytes(chart)
    (out / "sample-digest.md").write_text(markdown, encoding="utf-8")


def _markdown(messages: list[str]) -> str:
    lines = [
        "# Sample digest of the seed hearing",
        "",
        "What a drafter receives in Telegram each evening, made by `scripts/sample_digest.py`.",
        "The suggestions are the real public comments of the seed hearing",
        "(`datasets/seed/comments.jsonl`), split into their separate points and filed under the",
        "item they are about; **the answers and votes are simulated** (60 imaginary participants,",
        "fixed random seed), only to show the format. In Telegram the `#id` links open the",
        "suggestion for a reply or a decision, and the chart follows the messages:",
        "",
        "![chart](sample-digest.png)",
        "",
    ]
    for number, message in enumerate(messages, start=1):
        plain = strip_html(message)
        lines += [f"## Message {number} of {len(messages)}", "", "```text", plain, "```", ""]
    return "\n".join(lines)


def main() -> None:
    """Parse the arguments and write the sample."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-dir", type=Path, default=ROOT / "datasets" / "seed")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    asyncio.run(build(args.seed_dir, args.out))


if __name__ == "__main__":
    main()
