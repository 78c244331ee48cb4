"""Rows of digests, reports and what follows the hearing, as storage returns them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ItemCounts:
    """Current answers on one item."""

    support: int = 0
    oppose: int = 0
    unsure: int = 0
    high: int = 0
    medium: int = 0
    low: int = 0


@dataclass(frozen=True)
class TalliedSuggestion:
    """A visible suggestion with its current vote counts."""

    id: int
    item_id: str
    text: str
    agree: int
    disagree: int
    passed: int
    withheld: bool = False  # fewer than a group voted: the counts are not shown (all zero)


@dataclass(frozen=True)
class DigestRow:
    """A recorded digest."""

    id: int
    slot: str
    period_start: str | None
    period_end: str
    stats: str
    chart: bytes | None
    completed_at: str | None


@dataclass(frozen=True)
class DigestPart:
    """One message of a digest for one drafter."""

    digest_id: int
    recipient: int
    part: int
    kind: str
    body: str | None


@dataclass(frozen=True)
class QuestionRow:
    """A drafter's follow-up question to a segment."""

    id: int
    author_id: str
    item_id: str
    segment: str
    text: str
    status: str
    audience: int
    sent_at: str | None


@dataclass(frozen=True)
class VersionRow:
    """A published version of the plan."""

    version: str
    text: str
    previous: str | None
    published_at: str
    announced_at: str | None


@dataclass(frozen=True)
class ChangeRow:
    """What became of one item in a version."""

    version: str
    item_id: str
    kind: str
    old_text: str | None
    new_text: str | None
    into_item: str | None


@dataclass(frozen=True)
class TrackingRow:
    """An item's current tracking."""

    item_id: str
    status: str
    responsible: str | None
    deadline: str | None


@dataclass(frozen=True)
class MetricRow:
    """One metric of an item."""

    item_id: str
    name: str
    unit: str
    baseline: float
    target: float
    current: float | None
    measured_on: str | None


@dataclass(frozen=True)
class HistoryRow:
    """One recorded change of an item's tracking."""

    id: int
    item_id: str
    field: str
    old_value: str | None
    new_value: str | None
    actor: str
    source: str
    changed_at: str
