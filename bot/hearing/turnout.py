"""Participation over time for the public page, in periods no smaller than a group."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from bot.hearing.publishable import shown

DAYS_SHOWN_BY_DAY = 31
DAYS_SHOWN_BY_WEEK = 26 * 7


@dataclass(frozen=True)
class Period:
    """Those who joined in a run of days, and everyone who had joined by its end."""

    start: date
    end: date  # the period's last day
    joined: int
    total: int


@dataclass(frozen=True)
class Turnout:
    """How many took part, and when they joined; None where fewer than a group would show."""

    total: int | None
    completed: int | None
    unit: str = "day"  # the periods' natural length: day, week or month
    periods: tuple[Period, ...] = ()

    @property
    def withheld(self) -> bool:
        """Tell whether some took part but too few to say how many."""
        return self.total is None


def turnout(
    days: Mapping[date, int], completed: int | None, today: date, min_group: int
) -> Turnout:
    """Bucket joiners per local day (as published) into periods of at least min_group each.

    A period with fewer joiners is merged with the next (the last with the one before), so
    that no two figures on the page differ by fewer than min_group people.
    """
    total = sum(days.values())
    if shown(total, min_group) is None:
        return Turnout(None, None)
    if total == 0:
        return Turnout(0, 0)
    first = min(days)
    last = max(today, max(days))
    unit = _unit((last - first).days + 1)
    buckets: list[tuple[date, date, int]] = []
    start = _period_start(first, unit)
    while start <= last:
        following = _next_start(start, unit)
        end = min(following - timedelta(days=1), last)
        count = sum(n for day, n in days.items() if start <= day <= end)
        buckets.append((max(start, first), end, count))
        start = following
    finished = None if completed is None else shown(completed, min_group)
    return Turnout(total, finished, unit, _merged(buckets, min_group))


def _merged(buckets: list[tuple[date, date, int]], min_group: int) -> tuple[Period, ...]:
    periods: list[tuple[date, date, int]] = []
    pending: tuple[date, date, int] | None = None
    for start, end, count in buckets:
        pending = (start, end, count) if pending is None else (pending[0], end, pending[2] + count)
        if pending[2] >= min_group:
            periods.append(pending)
            pending = None
    if pending is not None and periods:
        head = periods.pop()
        periods.append((head[0], pending[1], head[2] + pending[2]))
    result, running = [], 0
    for start, end, count in periods:
        running += count
        result.append(Period(start, end, count, running))
    return tuple(result)


def _unit(days: int) -> str:
    if days <= DAYS_SHOWN_BY_DAY:
        return "day"
    return "week" if days <= DAYS_SHOWN_BY_WEEK else "month"


def _period_start(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1) if unit == "month" else day


def _next_start(start: date, unit: str) -> date:
    if unit == "day":
        return start + timedelta(days=1)
    if unit == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
