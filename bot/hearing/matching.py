"""Near-duplicate suggestions: score a new suggestion against the visible ones on an item.

The scorer, the threshold and the folding rules were chosen by measurement on a hand-labelled
set of pairs (tests/data/near_duplicates.jsonl, benchmarks/matching.py); docs/matching.md
records the numbers and the known weaknesses.
"""

from __future__ import annotations

import math
from collections import Counter
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
    "group",
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


# Blocking for `group`: two suggestions are scored only if they share a stem (a word's first
# STEM letters, so that "border" and "borders" meet) among the rarer half of each one's stems.
# Any two sharing at least half the distinct stems of each are always scored (prefix
# filtering); docs/matching.md measures what the rest loses.
SHARED_STEMS = 0.5
STEM = 4


def group(texts: Sequence[str], threshold: float = DUPLICATE_THRESHOLD) -> list[int]:
    """Assign each text, in order, to the earlier group head closest to it; return head indices.

    The result for text i is the index of its group's head: i itself when no earlier head is
    at or above `threshold` (as `closest` scores it; ties go to the earlier head). Each text is
    compared only with heads that share one of its rarer words, so the cost grows with the
    number of candidates per text, not with the square of the texts.
    """
    folded = [content(text) for text in texts]
    frequency = Counter(stem for text in folded for stem in _stems(text))
    letters_head: dict[str, int] = {}
    short_head: dict[str, int] = {}
    long_text: dict[int, str] = {}
    postings: dict[str, list[int]] = {}
    heads: list[int] = []
    for i, text in enumerate(folded):
        head = _head_of(text, threshold, frequency, letters_head, short_head, long_text, postings)
        if head is not None:
            heads.append(head)
            continue
        heads.append(i)
        if not text:
            continue
        key = _letters(text)
        letters_head.setdefault(key, i)
        if _is_short(text):
            short_head.setdefault(key, i)
            continue
        long_text[i] = text
        for stem in _prefix(text, frequency):
            postings.setdefault(stem, []).append(i)
    return heads


def _stems(text: str) -> set[str]:
    return {word[:STEM] for word in text.split()}


def _prefix(text: str, frequency: Counter[str]) -> list[str]:
    """Return the rarer stems of a text, enough that any half-shared pair shares one of them."""
    stems = sorted(_stems(text), key=lambda s: (frequency[s], s))
    return stems[: len(stems) - math.ceil(len(stems) * SHARED_STEMS) + 1]


def _head_of(
    text: str,
    threshold: float,
    frequency: Counter[str],
    letters_head: dict[str, int],
    short_head: dict[str, int],
    long_text: dict[int, str],
    postings: dict[str, list[int]],
) -> int | None:
    if not text:
        return None
    key = _letters(text)
    if _is_short(text):
        # A short text matches only a text with the same letters, scored 100: the earliest.
        return letters_head.get(key)
    found: list[tuple[float, int]] = []
    if key in short_head:
        found.append((100.0, short_head[key]))
    candidates = {j for stem in _prefix(text, frequency) for j in postings.get(stem, ())}
    if candidates:
        choices = {j: long_text[j] for j in sorted(candidates)}
        hits = process.extract(
            text, choices, scorer=SCORER, processor=None, limit=None, score_cutoff=threshold
        )
        found += [(float(score), j) for _, score, j in hits]
    if not found:
        return None
    return min(found, key=lambda hit: (-hit[0], hit[1]))[1]
