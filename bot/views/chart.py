"""The digest's chart: one stacked bar of support, unsure and oppose shares per item, as PNG.

matplotlib (3.11 and later) lays text out with libraqm (HarfBuzz shaping, SheenBidi ordering),
so Urdu needs no reshaping step: only a font that has it, shipped in bot/views/fonts, and the
chart drawn mirrored, to be read from the right."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable
from typing import Any

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from bot.hearing.digest_model import Digest, ItemStats
from bot.views.fonts import URDU_FONT

# 1080 px wide at 150 dpi: a phone shows it at about a third, so 11 pt text stays legible.
DPI = 150
WIDTH_IN = 7.2
FOOTER_IN = 0.15
LEFT_IN, RIGHT_IN = 0.25, 0.95  # the right margin holds "n=1234" (mirrored when read RTL)
LABEL_CHARS = 60
TITLE_CHARS = 48
MIN_SHARE_FOR_PERCENT = 0.08  # narrower segments cannot hold "100%"
LEGEND_NUDGE = 0.006  # the legend's colour patches start a hair outside the text column
RLM = "\u200f"  # opens a line read from the right whatever its first letters are

# Okabe-Ito blue and orange with a neutral grey: distinguishable with any colour vision.
SUPPORT, UNSURE, OPPOSE, EMPTY = "#0072B2", "#BBBBBB", "#E69F00", "#DDDDDD"
INK = {SUPPORT: "white", UNSURE: "black", OPPOSE: "black"}

# Installed only on some servers; DejaVu Sans (bundled with matplotlib) lacks Urdu's U+06C1.
FALLBACK_FAMILIES = ("Noto Sans Arabic", "Noto Naskh Arabic", "Noto Sans", "Noto Sans CJK JP")


@dataclass(frozen=True)
class Script:
    """How a language is drawn: its direction, its own font first, and room for its lines.

    Heights are in inches (the header's lines from the top) and rows (a row's label and bar).
    """

    rtl: bool = False
    font: tuple[str, Traversable] | None = None
    header_in: float = 1.05
    subtitle_in: float = 0.45
    legend_in: float = 0.66
    row_in: float = 0.56
    label_top: float = 0.06
    bar_mid: float = 0.62
    bar_height: float = 0.46
    title_weight: str = "bold"
    number_gap: str = " "  # between an item's number and its text

    @property
    def align(self) -> str:
        """Return where lines are aligned: the side reading starts at."""
        return "right" if self.rtl else "left"

    def start(self, inches: float) -> float:
        """Return the figure fraction `inches` in from the side reading starts at."""
        return 1 - inches / WIDTH_IN if self.rtl else inches / WIDTH_IN

    def outward(self, fraction: float) -> float:
        """Return a shift of `fraction` toward the edge reading starts at."""
        return fraction if self.rtl else -fraction

    def line(self, text: str) -> str:
        """Return a text to draw as one line in this direction."""
        return RLM + text if self.rtl else text


LATIN = Script()
# Urdu in Nastaliq (shipped, bot/views/fonts), read from the right. Nastaliq climbs and
# descends far more than Latin script, so rows are taller; it has one weight; a word's first
# letter can reach back over a plain space (hiding "10."), so the number is kept clear by an en
# space (from DejaVu Sans).
SCRIPTS = {
    "ur": Script(
        rtl=True, font=("Noto Nastaliq Urdu", URDU_FONT), header_in=1.5, subtitle_in=0.62,
        legend_in=1.02, row_in=0.8, label_top=0.0, bar_mid=0.7, bar_height=0.34,
        title_weight="normal", number_gap="\u2002",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class ChartLabels:
    """The words on the chart, so that a caller can pass them in another language."""

    support: str = "Support"
    unsure: str = "Unsure"
    oppose: str = "Oppose"
    subtitle: str = "Share of answers on each item, up to {date}"
    no_items: str = "No items to show"
    too_few: str = "n<{count}"
    answers: str = "n={count}"


def chart_order(items: Iterable[ItemStats]) -> list[ItemStats]:
    """Sort items best supported first, then fewest opposed, then by number; unanswered last."""
    return sorted(
        items,
        key=lambda s: (s.answers == 0, -s.share(s.support), s.share(s.oppose), _number_key(s)),
    )


def item_label(item: ItemStats, limit: int = LABEL_CHARS, gap: str = " ") -> str:
    """Return "N. first words of the item…", at most `limit` characters."""
    return f"{item.number}.{gap}{shorten(item.text, limit - len(item.number) - 1 - len(gap))}"


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


def render_chart(digest: Digest, labels: ChartLabels | None = None, language: str = "en") -> bytes:
    """Render the digest's items as a PNG of stacked support/unsure/oppose bars, in a language's
    script, mirrored for a language read from the right."""
    labels = labels or ChartLabels()
    script = SCRIPTS.get(language, LATIN)
    # Sub-items answered one by one follow their item, in plan order.
    items = [row for item in chart_order(digest.items)
             for row in (item, *digest.subs_of(item.item_id))]  # fmt: skip
    rows = max(len(items), 1)
    height_in = script.header_in + rows * script.row_in + FOOTER_IN
    # A bare Figure with its own Agg canvas: no pyplot registry, no GUI, no global backend.
    figure = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    families = list(_families(language))
    # parse_math off: "$5 or $10" in an item's text is not TeX. The language tag picks the
    # font's forms for it.
    font: dict[str, Any] = {"fontfamily": families, "parse_math": False, "language": language}
    at: dict[str, Any] = {"ha": script.align, "va": "top"}

    title = script.line(shorten(digest.title, TITLE_CHARS))
    figure.text(script.start(LEFT_IN), 1 - 0.12 / height_in, title, fontsize=14,
                fontweight=script.title_weight, **at, **font)  # fmt: skip
    subtitle = script.line(labels.subtitle.format(date=f"{digest.period_end:%Y-%m-%d}"))
    figure.text(script.start(LEFT_IN), 1 - script.subtitle_in / height_in, subtitle, fontsize=10,
                **at, **font)  # fmt: skip
    handles = [
        Patch(color=SUPPORT, label=labels.support),
        Patch(color=UNSURE, label=labels.unsure),
        Patch(color=OPPOSE, label=labels.oppose),
    ]
    # Read from the right, the legend starts at the right with Support, each label after its
    # colour.
    figure.legend(
        handles=handles[::-1] if script.rtl else handles,
        loc="upper right" if script.rtl else "upper left", markerfirst=not script.rtl,
        bbox_to_anchor=(script.start(LEFT_IN) + script.outward(LEGEND_NUDGE),
                        1 - script.legend_in / height_in),
        ncol=3, frameon=False, handlelength=1.4, borderaxespad=0,
        prop={"family": families, "size": 10},
    )  # fmt: skip

    axes = figure.add_axes(
        (
            (RIGHT_IN if script.rtl else LEFT_IN) / WIDTH_IN,
            FOOTER_IN / height_in,
            1 - (LEFT_IN + RIGHT_IN) / WIDTH_IN,
            rows * script.row_in / height_in,
        )
    )
    axes.set_xlim((100, 0) if script.rtl else (0, 100))  # bars grow from where reading starts
    axes.set_ylim(rows, 0)  # row 0 at the top
    axes.set_axis_off()
    if not items:
        axes.text(0, 0.5, script.line(labels.no_items), ha=script.align, va="center",
                  fontsize=11, color="#555555", **font)  # fmt: skip
    for row, item in enumerate(items):
        label = script.line(item_label(item, gap=script.number_gap))
        axes.text(0, row + script.label_top, label, fontsize=11, **at, **font)
        _draw_bar(axes, item, row, labels, digest.min_group, script, font)

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # Deliberate: a glyph missing from every installed font (a script no font here has)
        # is drawn as a Last Resort box rather than failing the digest; matplotlib warns once
        # per glyph, which would fail tests run with filterwarnings=error. Only that warning is
        # silenced, and catch_warnings is process-wide: do not render in several threads at once.
        warnings.filterwarnings("ignore", r"Glyph \d+ .* missing from font", UserWarning)
        # No "Software" text chunk (Pillow writes no tIME either): same input, same bytes.
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _draw_bar(
    axes: Axes, item: ItemStats, row: int, labels: ChartLabels, min_group: int, script: Script,
    font: dict[str, Any],
) -> None:  # fmt: skip
    """Draw one item's bar: its shares, or an empty outline, and how many answered beside it."""
    bar_y, bar_h = row + script.bar_mid, script.bar_height
    beside = {"ha": script.align, "va": "center", "fontsize": 10, "clip_on": False, **font}
    if item.answers == 0:
        axes.barh(bar_y, 100, height=bar_h, color="none", edgecolor=EMPTY, linewidth=1.2)
    if item.withheld:
        axes.text(102, bar_y, script.line(labels.too_few.format(count=min_group)), **beside)
        return
    left = 0.0
    segments = ((item.support, SUPPORT), (item.unsure, UNSURE), (item.oppose, OPPOSE))
    for count, colour in segments:
        share = item.share(count)
        if share == 0:
            continue
        axes.barh(bar_y, share * 100, left=left, height=bar_h, color=colour, linewidth=0)
        if share >= MIN_SHARE_FOR_PERCENT:
            # Figures in DejaVu Sans bold in every language, as in English.
            axes.text(
                left + share * 50, bar_y, f"{share:.0%}", ha="center", va="center",
                fontsize=9.5, fontweight="bold", color=INK[colour],
                **{**font, "fontfamily": list(_families("en"))},
            )  # fmt: skip
        left += share * 100
    axes.text(102, bar_y, script.line(labels.answers.format(count=item.answers)), **beside)


def _number_key(item: ItemStats) -> tuple[tuple[int, int, str], ...]:
    """Order "2" before "10": numeric parts by value, any other part after them by text."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in item.number.split(".")
    )


@cache
def _families(language: str) -> tuple[str, ...]:
    """Return the language's own font (shipped), DejaVu Sans and whichever fallback fonts this
    machine has, for missing glyphs."""
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    common = ("DejaVu Sans", *(name for name in FALLBACK_FAMILIES if name in installed))
    own = SCRIPTS.get(language, LATIN).font
    if own is None:
        return common
    family, path = own
    if family not in installed:
        # The shipped file, by path: matplotlib opens it again whenever it draws with it. (A
        # machine with the same font installed, such as Debian's fonts-noto-core, uses its own.)
        font_manager.fontManager.addfont(str(path))
    return (family, *common)
