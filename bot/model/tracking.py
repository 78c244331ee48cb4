"""Tracking's values: statuses, metrics and an item's tracking, and the checks of typed input."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from bot.model.refusals import Refusal, Refused

MAX_RESPONSIBLE_CHARS = 200
MAX_METRIC_NAME_CHARS = 80
MAX_UNIT_CHARS = 20
_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")


class TrackingStatus(StrEnum):
    """Where an item stands after the hearing."""

    PROPOSED = "proposed"
    ADOPTED = "adopted"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


@dataclass(frozen=True)
class Metric:
    """A measure of success: from a baseline toward a target, with its latest value."""

    name: str
    unit: str
    baseline: float
    target: float
    current: float | None = None
    measured_on: date | None = None

    @property
    def progress(self) -> float:
        """Return how far the latest value is from the baseline toward the target, 0..1."""
        value = self.baseline if self.current is None else self.current
        if self.target == self.baseline:
            return 1.0 if self.current is not None else 0.0
        return min(1.0, max(0.0, (value - self.baseline) / (self.target - self.baseline)))


@dataclass(frozen=True)
class ItemTracking:
    """An item's tracking as it stands (an untracked item is simply proposed)."""

    item_id: str
    status: TrackingStatus = TrackingStatus.PROPOSED
    responsible: str | None = None
    deadline: date | None = None
    metrics: tuple[Metric, ...] = field(default=())

    def overdue(self, today: date) -> bool:
        """Tell whether the deadline has passed with the item neither done nor dropped."""
        open_ = self.status not in (TrackingStatus.DONE, TrackingStatus.DROPPED)
        return open_ and self.deadline is not None and self.deadline < today

    @property
    def progress(self) -> float | None:
        """Return the mean progress of the item's metrics, or None without metrics."""
        if not self.metrics:
            return None
        return sum(m.progress for m in self.metrics) / len(self.metrics)


@dataclass(frozen=True)
class Change:
    """One field to set on one item: status, responsible, deadline, a metric or its value."""

    item_id: str
    field: str  # status | responsible | deadline | metric | value
    value: str
    metric: Metric | None = None


def parse_deadline(text: str) -> date:
    """Read a deadline written YYYY-MM-DD; refuse other shapes.

    A day already past is a deadline too: one that was missed, recorded as it was set.
    """
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Refused(Refusal.BAD_DATE, text=text.strip()[:40]) from None


def parse_number(text: str) -> float:
    """Read a number such as 35, 12.5 or 12,5; refuse anything else."""
    cleaned = text.strip().replace(" ", "")
    if not _NUMBER.fullmatch(cleaned):
        raise Refused(Refusal.NOT_A_NUMBER, text=text.strip()[:40])
    value = float(cleaned.replace(",", "."))
    if not math.isfinite(value):
        raise Refused(Refusal.NOT_A_NUMBER, text=text.strip()[:40])
    return value


def parse_metric(text: str) -> Metric:
    """Read `name | unit | baseline | target` (unit may be empty) into a metric."""
    parts = [part.strip() for part in text.split("|")]
    if len(parts) != 4 or not parts[0]:
        raise Refused(Refusal.BAD_METRIC)
    name, unit, baseline, target = parts
    if len(name) > MAX_METRIC_NAME_CHARS or len(unit) > MAX_UNIT_CHARS:
        raise Refused(Refusal.BAD_METRIC)
    return Metric(name, unit, parse_number(baseline), parse_number(target))


def check_responsible(text: str) -> str:
    """Return a responsible body's name, refusing an empty or overlong one."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise Refused(Refusal.EMPTY_RESPONSE)
    if len(cleaned) > MAX_RESPONSIBLE_CHARS:
        raise Refused(Refusal.RESPONSE_TOO_LONG, limit=MAX_RESPONSIBLE_CHARS, length=len(cleaned))
    return cleaned
