"""The digest's former grouping, kept as the benchmark's baseline: every head is compared."""

from __future__ import annotations

from collections.abc import Sequence

from bot.hearing.digest_model import SuggestionGroup
from bot.hearing.matching import closest
from bot.model.reports import TalliedSuggestion


def naive_groups(
    rows: Sequence[TalliedSuggestion], min_votes: int, limit: int
) -> tuple[SuggestionGroup, ...]:
    """Group near-duplicates (best-scoring first) by comparing each with every group head."""
    ordered = sorted(rows, key=lambda r: (-(r.agree - r.disagree), -(r.agree + r.disagree), r.id))
    heads: list[TalliedSuggestion] = []
    members: list[list[int]] = []
    for row in ordered:
        match = closest(row.text, [(i, head.text) for i, head in enumerate(heads)], limit=1)
        if match:
            members[match[0].key].append(row.id)
        else:
            heads.append(row)
            members.append([])
    groups = [
        SuggestionGroup(h.id, h.item_id, h.text, h.agree, h.disagree, h.passed, tuple(m))
        for h, m in zip(heads, members, strict=True)
        if h.agree + h.disagree >= min_votes
    ]
    return tuple(groups[:limit])
