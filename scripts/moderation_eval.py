"""Measure the moderation blocklist's precision and recall on a labelled set.

The set is the seed hearing's real comments (datasets/seed/comments.jsonl, labelled here) and
tests/data/moderation_labelled.tsv (written for this project in English, Urdu script and Roman
Urdu, with near misses: "death toll", "kafi", "Qatar"). A text is positive when a moderator
should see it: incitement, takfir or a call for violence, used or quoted.

Run: .venv/bin/python scripts/moderation_eval.py
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.hearing.blocklist import Blocklist, default_blocklist  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "moderation_labelled.tsv"
SEED_COMMENTS = ROOT / "datasets" / "seed" / "comments.jsonl"
# Seed comments a moderator should see: 19 and 23 quote takfir terms to ask for their ban;
# 26 asks that named journalists be "taken to task" (a personal attack no word list catches).
SEED_POSITIVES = frozenset({19, 23, 26})


@dataclass(frozen=True)
class Example:
    """One labelled text."""

    positive: bool
    language: str
    text: str
    source: str


@dataclass
class Score:
    """Counts of one slice of the set."""

    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0
    true_neg: int = 0

    def add(self, positive: bool, flagged: bool) -> None:
        """Count one classified example."""
        if flagged:
            if positive:
                self.true_pos += 1
            else:
                self.false_pos += 1
        elif positive:
            self.false_neg += 1
        else:
            self.true_neg += 1

    @property
    def precision(self) -> float:
        """Return the share of flagged texts that should have been flagged."""
        flagged = self.true_pos + self.false_pos
        return self.true_pos / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        """Return the share of texts that should have been flagged and were."""
        wanted = self.true_pos + self.false_neg
        return self.true_pos / wanted if wanted else 1.0


def examples() -> list[Example]:
    """Load the labelled set: the seed comments, then the written examples."""
    found = []
    if SEED_COMMENTS.is_file():
        for line in SEED_COMMENTS.read_text(encoding="utf-8").splitlines():
            comment = json.loads(line)
            positive = comment["n"] in SEED_POSITIVES
            found.append(Example(positive, "seed", comment["text"], f"seed #{comment['n']}"))
    for number, line in enumerate(LABELLED.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("#") or not line.strip():
            continue
        label, language, text = line.split("\t")
        found.append(Example(label == "1", language, text, f"tsv line {number}"))
    return found


def evaluate(blocklist: Blocklist) -> tuple[dict[str, Score], list[Example], list[Example]]:
    """Score the blocklist per language; also return the false positives and negatives."""
    scores: dict[str, Score] = {"all": Score()}
    wrong_flags, missed = [], []
    for example in examples():
        flagged = blocklist.find(example.text) is not None
        scores.setdefault(example.language, Score()).add(example.positive, flagged)
        scores["all"].add(example.positive, flagged)
        if flagged and not example.positive:
            wrong_flags.append(example)
        if example.positive and not flagged:
            missed.append(example)
    return scores, wrong_flags, missed


def main() -> None:
    """Print the figures as a Markdown table, then the mistakes."""
    scores, wrong_flags, missed = evaluate(default_blocklist())
    print("| slice | examples | flagged right | false flags | missed | precision | recall |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, s in scores.items():
        total = s.true_pos + s.false_pos + s.false_neg + s.true_neg
        print(f"| {name} | {total} | {s.true_pos} | {s.false_pos} | {s.false_neg} |"
              f" {s.precision:.2f} | {s.recall:.2f} |")  # fmt: skip
    for title, group in (("False flags", wrong_flags), ("Missed", missed)):
        print(f"\n{title}:")
        for example in group:
            print(f"- {example.source} ({example.language}): {example.text[:90]}")


if __name__ == "__main__":
    main()
