"""Near-duplicate suggestions: score a new suggestion against the visible ones on an item.

The scorer, the threshold and the folding rules were chosen by measurement on a hand-labelled
set of pairs (tests/data/near_duplicates.jsonl, benchmarks/matching.py); docs/matching.md
records the numbers and the known weaknesses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.hearing.normalize import content, normalize

__all__ = [
    "DUPLICATE_THRESHOLD",
    "MIN_CHARS",
    "MIN_WORDS",
    "SCORER",
    "Match",
    "closest",
    "content",
    "normalize",
    "similarity",
]

# Best F0.5 (precision weighted over recall) of every scorer and threshold in the sweep.
SCORER = fuzz.token_sort_ratio
DUPLICATE_THRESHOLD: float = 82.0
# A text with fewer content words or characters than this ("ok", "agree", "ban loudspeakers")
# gives a string scorer too little to go on: it matches only a text that folds to the same words.
MIN_WORDS = 3
MIN_CHARS = 12


@dataclass(frozen=True)
class Match:
    """A visible suggestion close to the one being written."""

    key: int
    text: str
    score: float


def _is_short(folded: str) -> bool:
    return len(folded) < MIN_CHARS or folded.count(" ") + 1 < MIN_WORDS


def _letters(folded: str) -> str:
    # Short texts are compared on their letters alone: "loud speaker" is "loudspeaker".
    return folded.replace(" ", "")


def similarity(a: str, b: str) -> float:
    """Score two suggestions 0..100 exactly as `closest` does (folded, stopwords dropped)."""
    left, right = content(a), content(b)
    if not left or not right:
        return 0.0
    if _is_short(left) or _is_short(right):
        return 100.0 if _letters(left) == _letters(right) else 0.0
    return float(SCORER(left, right))


def closest(
    text: str,
    candidates: Sequence[tuple[int, str]],
    *,
    limit: int = 3,
    threshold: float = DUPLICATE_THRESHOLD,
) -> list[Match]:
    """Return up to `limit` candidates at or above `threshold`, best first (ties: lower key)."""
    query = content(text)
    if not query or limit <= 0:
        return []
    query_is_short, query_letters = _is_short(query), _letters(query)
    found: list[tuple[float, int]] = []
    scored: dict[int, str] = {}
    for i, (_, candidate) in enumerate(candidates):
        other = content(candidate)
        if not other:
            continue
        if query_is_short or _is_short(other):
            if _letters(other) == query_letters:
                found.append((100.0, i))
        else:
            scored[i] = other
    if scored:
        hits = process.extract(
            query, scored, scorer=SCORER, processor=None, limit=None, score_cutoff=threshold
        )
        found += [(float(score), i) for _, score, i in hits]
    found = [hit for hit in found if hit[0] >= threshold]
    found.sort(key=lambda hit: (-hit[0], candidates[hit[1]][0]))
    return [Match(candidates[i][0], candidates[i][1], score) for score, i in found[:limit]]
