"""Tests for near-duplicate grouping (matching.group): same groups as comparing every head."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.hearing.matching import DUPLICATE_THRESHOLD, closest, group
from tests.test_matching import labelled, seed_sentences


def every_head(texts: Sequence[str], threshold: float = DUPLICATE_THRESHOLD) -> list[int]:
    """Group the naive way: each text against every earlier head, through closest()."""
    heads: list[int] = []
    out: list[int] = []
    for i, text in enumerate(texts):
        match = closest(text, [(h, texts[h]) for h in heads], limit=1, threshold=threshold)
        out.append(match[0].key if match else i)
        if not match:
            heads.append(i)
    return out


def labelled_texts() -> list[str]:
    """Both sides of every labelled pair, in file order."""
    return [str(side) for pair in labelled() for side in (pair["a"], pair["b"])]


@pytest.mark.parametrize("texts", [labelled_texts(), seed_sentences()], ids=["labelled", "seed"])
def test_group_equals_comparing_every_head(texts: list[str]) -> None:
    grouped = group(texts)
    assert grouped == every_head(texts)
    assert len(set(grouped)) < len(texts), "the set has near-duplicates to group"


def test_group_joins_rewordings_and_keeps_distinct_ideas_apart() -> None:
    texts = [
        "Seal the border with Afghanistan",
        "Register every madrassa with the government",
        "seal our borders with Afghanistan",
        "All madrassas must be registered with the government",
        "Register every madrasa with the government!",
    ]
    assert group(texts) == [0, 1, 0, 3, 1]


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        ([], []),
        (["👍", "👍"], [0, 1]),  # nothing to compare: each stands alone
        (["ban loudspeakers", "Ban loud speakers", "ban loudspeakers now please"], [0, 0, 2]),
        (["Ban loud speakers in mosques", "ban loudspeakers"], [0, 1]),
        (["ok", "okay", "ok"], [0, 1, 0]),
    ],
)
def test_group_edge_cases(texts: list[str], expected: list[int]) -> None:
    assert group(texts) == expected
    assert group(texts) == every_head(texts)


def test_group_ties_go_to_the_earlier_head() -> None:
    texts = ["protect the judges of the courts", "protect the judges of the courts now"]
    texts.append("protect judges of courts")
    assert group(texts, threshold=50.0) == every_head(texts, 50.0) == [0, 0, 0]
