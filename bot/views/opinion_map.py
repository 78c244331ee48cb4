"""The opinion map: each grouped participant a dot, each group a colour and a shape, as PNG.

The picture has no words, only the groups' letters and sizes, so that it reads the same in
every language: the caption, in the reader's language, says what it shows. Only participants
in a group are drawn, and every group has at least MIN_GROUP_SIZE people (smaller ones were
counted with their nearest).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from bot.hearing.opinion_groups import OpinionGroups

DPI = 150
SIDE_IN = 6.4  # 960 px square
# Okabe-Ito colours, told apart with any colour vision; the shapes tell them apart in grey.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9")
MARKERS = ("o", "^", "s", "D", "v", "P")
YOU_COLOUR = "#000000"
MARGIN = 0.12  # of the points' spread, so that edge dots and letters are not cut
LABEL_OFFSET = 0.12  # a group's letter sits this far (of the spread) beyond its centre
# People who voted alike share a point: each dot is moved by a small fixed random amount (this
# share of the spread), the same every time, so that each of them shows.
JITTER = 0.012
JITTER_SEED = 14
# matplotlib is not made for several threads drawing at once: one map at a time.
_DRAWING = threading.Lock()


def letter(label: int) -> str:
    """Name a group by its label: 0 is A, 1 is B..."""
    return chr(ord("A") + label) if 0 <= label < 26 else str(label)


def render_map(groups: OpinionGroups, you: tuple[float, float] | None = None) -> bytes:
    """Draw the grouped participants on the two main directions of opinion; mark `you` by ★."""
    with _DRAWING:
        return _render(groups, you)


def _render(groups: OpinionGroups, you: tuple[float, float] | None) -> bytes:
    figure = Figure(figsize=(SIDE_IN, SIDE_IN), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)  # a bare Figure with its own canvas: no pyplot, no GUI
    axes = figure.add_axes((0.03, 0.11, 0.94, 0.86))
    axes.set_xticks([])
    axes.set_yticks([])
    for side in axes.spines.values():
        side.set_color("#BBBBBB")
    labels = np.array(list(groups.membership.values()), dtype=np.int64)
    exact = np.array([groups.positions[p] for p in groups.membership], dtype=np.float64)
    points = _spread(exact.reshape(-1, 2))
    span = _span(points, you)
    size = _dot_size(len(points))
    handles: list[Line2D] = []
    middle = points.mean(axis=0) if len(points) else np.zeros(2)
    places = []
    for group in groups.groups:
        colour, marker = _style(group.label)
        mine = points[labels == group.label]
        axes.scatter(
            mine[:, 0], mine[:, 1], s=size, c=colour, marker=marker, alpha=0.7,
            linewidths=0.5, edgecolors="white", rasterized=len(points) > 2000,
        )  # fmt: skip
        # The letter beside its group, on the side away from the middle, not over its dots.
        centre = mine.mean(axis=0)
        away = centre - middle
        norm = float(np.hypot(*away))
        away = away / norm if norm > 1e-9 else np.array([0.0, 1.0])
        place = centre + away * LABEL_OFFSET * span
        places.append(place)
        axes.text(
            place[0], place[1], letter(group.label), ha="center", va="center", fontsize=15,
            fontweight="bold", color=colour, zorder=4,
            bbox={"boxstyle": "circle,pad=0.3", "facecolor": "white", "edgecolor": colour,
                  "linewidth": 1.6},
        )  # fmt: skip
        handles.append(
            Line2D([], [], color=colour, marker=marker, linestyle="none", markersize=9,
                   label=f"{letter(group.label)} · {group.size}")
        )  # fmt: skip
    if you is not None:
        axes.scatter([you[0]], [you[1]], s=900, facecolors="none", edgecolors=YOU_COLOUR,
                     linewidths=2.0, zorder=5)  # fmt: skip
        axes.scatter([you[0]], [you[1]], s=380, marker="*", c=YOU_COLOUR,
                     edgecolors="white", linewidths=1.0, zorder=6)  # fmt: skip
    extra = [*places, *([np.asarray(you)] if you is not None else [])]
    _frame(axes, np.vstack([points, *(np.asarray(e)[None, :] for e in extra)]))
    figure.legend(
        handles=handles, loc="lower center", ncol=max(1, len(handles)), frameon=False,
        bbox_to_anchor=(0.5, 0.01), fontsize=12, handletextpad=0.3, columnspacing=1.6,
    )  # fmt: skip
    buffer = io.BytesIO()
    # No "Software" text chunk: the same groups give the same bytes.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _spread(points: np.ndarray) -> np.ndarray:
    """Move each dot by a small fixed amount, so that people who voted alike stay visible."""
    if len(points) == 0:
        return points
    span = max(float(np.ptp(points, axis=0).max()), 1.0)
    shift = np.random.default_rng(JITTER_SEED).normal(size=points.shape)
    return points + shift * JITTER * span


def _span(points: np.ndarray, you: Sequence[float] | None) -> float:
    shown = points if you is None else np.vstack([points, np.asarray(you)[None, :]])
    return max(float(np.ptp(shown, axis=0).max()), 1.0) if len(shown) else 1.0


def _style(label: int) -> tuple[str, str]:
    return COLOURS[label % len(COLOURS)], MARKERS[label % len(MARKERS)]


def _dot_size(count: int) -> float:
    # Many people: small dots; a handful: large enough to see.
    return float(np.clip(4000 / max(count, 1), 4, 90))


def _frame(axes: Axes, shown: np.ndarray) -> None:
    """Fit the view to what is drawn, equally on both axes, with a margin."""
    if len(shown) == 0:
        shown = np.zeros((1, 2))
    low, high = shown.min(axis=0), shown.max(axis=0)
    half = max(float((high - low).max()) / 2, 1e-6) * (1 + MARGIN) + 0.05
    middle = (low + high) / 2
    axes.set_xlim(middle[0] - half, middle[0] + half)
    axes.set_ylim(middle[1] - half, middle[1] + half)
