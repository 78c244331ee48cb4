"""The digest's chart: one stacked bar of support, unsure and oppose shares per item, as PNG."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from bot.hearing.digest_model import Digest, ItemStats

# 1080 px wide at 150 dpi: a phone shows it at about a third, so 11 pt text stays legible.
DPI = 150
WIDTH_IN = 7.2
HEADER_IN = 1.05
ROW_IN = 0.56
FOOTER_IN = 0.15
LEFT_IN, RIGHT_IN = 0.25, 0.95  # the right margin holds "n=1234"
LABEL_CHARS = 60
TITLE_CHARS = 48
MIN_SHARE_FOR_PERCENT = 0.08  # narrower segments cannot hold "100%"

# Okabe-Ito blue and orange with a neutral grey: distinguishable with any colour vision.
SUPPORT, UNSURE, OPPOSE, EMPTY = "#0072B2", "#BBBBBB", "#E69F00", "#DDDDDD"
INK = {SUPPORT: "white", UNSURE: "black", OPPOSE: "black"}

# Installed only on some servers; DejaVu Sans (bundled with matplotlib) lacks Urdu's U+06C1.
FALLBACK_FAMILIES = ("Noto Sans Arabic", "Noto Naskh Arabic", "Noto Sans", "Noto Sans CJK JP")


@dataclass(frozen=True)
class ChartLabels:
    """The words on the chart, so that a caller can pass them in another language."""

    support: str = "Support"
    unsure: str = "Unsure"
    oppose: str = "Oppose"
    subtitle: str = "Share of answers on each item, up to {date}"
    no_items: str = "No items to show"
    too_few: str = "n<{count}"


def chart_order(items: Iterable[ItemStats]) -> list[ItemStats]:
    """Sort items best supported first, then fewest opposed, then by number; unanswered last."""
    return sorted(
        items,
        key=lambda s: (s.answers == 0, -s.share(s.support), s.share(s.oppose), _number_key(s)),
    )


def item_label(item: ItemStats, limit: int = LABEL_CHARS) -> str:
    """Return "N. first words of the item…", at most `limit` characters."""
    return shorten(f"{item.number}. {item.text}", limit)


def shorten(text: str, limit: int) -> str:
    """Collapse whitespace and cut at a word boundary, ending with an ellipsis if cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def render_chart(digest: Digest, labels: ChartLabels | None = None) -> bytes:
    """Render the digest's items as a PNG of stacked support/unsure/oppose bars."""
    labels = labels or ChartLabels()
    # Sub-items answered one by one follow their item, in plan order.
    items = [row for item in chart_order(digest.items)
             for row in (item, *digest.subs_of(item.item_id))]  # fmt: skip
    rows = max(len(items), 1)
    height_in = HEADER_IN + rows * ROW_IN + FOOTER_IN
    # A bare Figure with its own Agg canvas: no pyplot registry, no GUI, no global backend.
    figure = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    # parse_math off: "$5 or $10" in an item's text is not TeX.
    font: dict[str, Any] = {"fontfamily": list(_families()), "parse_math": False}

    top = 1 - 0.12 / height_in
    figure.text(
        LEFT_IN / WIDTH_IN, top, shorten(digest.title, TITLE_CHARS),
        va="top", fontsize=14, fontweight="bold", **font,
    )  # fmt: skip
    subtitle = labels.subtitle.format(date=f"{digest.period_end:%Y-%m-%d}")
    figure.text(LEFT_IN / WIDTH_IN, 1 - 0.45 / height_in, subtitle, va="top", fontsize=10, **font)
    figure.legend(
        handles=[
            Patch(color=SUPPORT, label=labels.support),
            Patch(color=UNSURE, label=labels.unsure),
            Patch(color=OPPOSE, label=labels.oppose),
        ],
        loc="upper left",
        bbox_to_anchor=(LEFT_IN / WIDTH_IN - 0.006, 1 - 0.66 / height_in),
        ncol=3, frameon=False, handlelength=1.4, borderaxespad=0,
        prop={"family": list(_families()), "size": 10},
    )  # fmt: skip

    axes = figure.add_axes(
        (
            LEFT_IN / WIDTH_IN,
            FOOTER_IN / height_in,
            1 - (LEFT_IN + RIGHT_IN) / WIDTH_IN,
            rows * ROW_IN / height_in,
        )
    )
    axes.set_xlim(0, 100)
    axes.set_ylim(rows, 0)  # row 0 at the top
    axes.set_axis_off()
    if not items:
        axes.text(0, 0.5, labels.no_items, va="center", fontsize=11, color="#555555", **font)
    for row, item in enumerate(items):
        axes.text(0, row + 0.06, item_label(item), va="top", fontsize=11, **font)
        bar_y, bar_h = row + 0.62, 0.46
        if item.answers == 0:
            axes.barh(bar_y, 100, height=bar_h, color="none", edgecolor=EMPTY, linewidth=1.2)
        if item.withheld:
            too_few = labels.too_few.format(count=digest.min_group)
            axes.text(102, bar_y, too_few, va="center", fontsize=10, clip_on=False, **font)
            continue
        left = 0.0
        segments = ((item.support, SUPPORT), (item.unsure, UNSURE), (item.oppose, OPPOSE))
        for count, colour in segments:
            share = item.share(count)
            if share == 0:
                continue
            axes.barh(bar_y, share * 100, left=left, height=bar_h, color=colour, linewidth=0)
            if share >= MIN_SHARE_FOR_PERCENT:
                axes.text(
                    left + share * 50, bar_y, f"{share:.0%}", ha="center", va="center",
                    fontsize=9.5, fontweight="bold", color=INK[colour], **font,
                )  # fmt: skip
            left += share * 100
        axes.text(102, bar_y, f"n={item.answers}", va="center", fontsize=10, clip_on=False, **font)

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # Deliberate: a glyph missing from every installed font (Urdu's U+06C1 in DejaVu Sans)
        # is drawn as a Last Resort box rather than failing the digest; matplotlib warns once
        # per glyph, which would fail tests run with filterwarnings=error. Only that warning is
        # silenced, and catch_warnings is process-wide: do not render in several threads at once.
        warnings.filterwarnings("ignore", r"Glyph \d+ .* missing from font", UserWarning)
        # No "Software" text chunk (Pillow writes no tIME either): same input, same bytes.
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _number_key(item: ItemStats) -> tuple[tuple[int, int, str], ...]:
    """Order "2" before "10": numeric parts by value, any other part after them by text."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in item.number.split(".")
    )


@cache
def _families() -> tuple[str, ...]:
    """Return DejaVu Sans and whichever fallback fonts this machine has, for missing glyphs."""
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return ("DejaVu Sans", *(name for name in FALLBACK_FAMILIES if name in installed))
