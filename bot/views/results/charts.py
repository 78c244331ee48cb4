"""The geometry of the results site's inline SVG charts; the templates draw them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.hearing.digest_model import ItemStats
from bot.hearing.turnout import Period

SPLIT_WIDTH = 300
BAR_SLOT = 32  # participation chart: horizontal room per period
BAR_AREA = 100  # participation chart: the tallest bar


@dataclass(frozen=True)
class Segment:
    """One part of a stacked bar: where it is drawn, and which stance (pattern) it shows."""

    kind: str  # support | unsure | oppose
    x: float
    width: float
    count: int
    percent: int


@dataclass(frozen=True)
class Column:
    """One period's bar in the participation chart, with where its figure goes."""

    x: float
    width: float
    y: float
    height: float
    label_x: float
    joined: int


def percent(count: int, whole: int) -> int:
    """Return a count as a whole percentage of another (0 when there is nothing)."""
    return round(100 * count / whole) if whole else 0


def split_segments(stats: ItemStats, rtl: bool) -> list[Segment]:
    """Lay out support, unsure and oppose side by side, from the right in a right-to-left page."""
    segments, x = [], 0.0
    for kind, count in (("support", stats.support), ("unsure", stats.unsure),
                        ("oppose", stats.oppose)):  # fmt: skip
        width = SPLIT_WIDTH * count / stats.answers if stats.answers else 0.0
        drawn_x = SPLIT_WIDTH - x - width if rtl else x
        segments.append(Segment(kind, round(drawn_x, 2), round(width, 2), count,
                                percent(count, stats.answers)))  # fmt: skip
        x += width
    return segments


def progress_width(progress: float, width: float) -> float:
    """Return how much of a progress bar is filled."""
    return round(max(0.0, min(1.0, progress)) * width, 2)


def columns(periods: Sequence[Period], rtl: bool) -> list[Column]:
    """Lay out one bar per period, scaled to the busiest, in reading order."""
    busiest = max((p.joined for p in periods), default=0) or 1
    count = len(periods)
    laid = []
    for i, period in enumerate(periods):
        slot = count - 1 - i if rtl else i
        height = round(BAR_AREA * period.joined / busiest, 2)
        x = slot * BAR_SLOT + 6
        laid.append(Column(x, BAR_SLOT - 12, 20 + BAR_AREA - height, height,
                           x + (BAR_SLOT - 12) / 2, period.joined))  # fmt: skip
    return laid


def chart_width(periods: Sequence[Period]) -> int:
    """Return the participation chart's width for its number of periods."""
    return max(1, len(periods)) * BAR_SLOT
