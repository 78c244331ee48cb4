"""The digest chart: a decodable PNG, sorted bars, any script, the same bytes every time."""

from __future__ import annotations

import io
import logging
import struct
import unicodedata
import warnings
from dataclasses import fields, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from PIL import Image

from bot.hearing.digest_model import Digest, ItemStats, Participation
from bot.hearing.plan import DEFAULT_PLAN_PATH, Plan, load_plan
from bot.views.chart import (
    LABEL_CHARS,
    SCRIPTS,
    SUPPORT,
    chart_order,
    item_label,
    render_chart,
)
from bot.views.digest import chart_labels
from bot.views.fonts import URDU_FONT
from bot.views.texts import load_texts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
URDU = "پالیسی کا مسودہ: دہشت گردی کے خلاف قومی ایکشن پلان پر عوامی رائے"


def stats(number: int | str, support: int, oppose: int, unsure: int, text: str = "") -> ItemStats:
    """Build one item's statistics."""
    return ItemStats(
        item_id=f"item-{number}",
        number=str(number),
        text=text or f"The text of item {number}, long enough to need cutting short.",
        support=support,
        oppose=oppose,
        unsure=unsure,
        priority_score=None,
    )


def digest(*items: ItemStats) -> Digest:
    """Build a digest holding the given items."""
    return Digest(
        title="Anti-Terror Action Plan",
        period_start=None,
        period_end=datetime(2025, 1, 15, 18, 0, tzinfo=UTC),
        participation=Participation(total=40, completed=12, active=5),
        items=items,
        most_supported=(),
        most_opposed=(),
        most_contested=(),
    )


def many(count: int) -> Digest:
    """Build a digest of `count` varied items, some unanswered."""
    return digest(*(stats(n, n * 7 % 23, n * 5 % 11, n % 4) for n in range(1, count + 1)))


def png_size(png: bytes) -> tuple[int, int]:
    """Read width and height from the IHDR chunk, which must come first."""
    assert png[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", png[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def chunk_types(png: bytes) -> list[bytes]:
    """List the PNG's chunk types in order."""
    types, offset = [], 8
    while offset < len(png):
        length, kind = struct.unpack(">I4s", png[offset : offset + 8])
        types.append(kind)
        offset += 12 + length
    return types


def test_renders_a_phone_width_png() -> None:
    png = render_chart(many(20))
    width, height = png_size(png)
    assert width == 1080
    assert 1000 < height < 4000
    assert chunk_types(png)[-1] == b"IEND"


def test_height_grows_with_the_number_of_items() -> None:
    one, twenty, sixty = (png_size(render_chart(many(count)))[1] for count in (1, 20, 60))
    row = (twenty - one) / 19
    assert row >= 60  # a row keeps room for a label line and a bar at phone scale
    assert abs((sixty - twenty) - 40 * row) <= 2  # rows are not squeezed as items are added


def test_order_puts_most_supported_first_and_unanswered_last() -> None:
    items = [
        stats(1, 0, 0, 0),  # no answers
        stats(2, 5, 5, 0),  # 50% support, 50% oppose
        stats(3, 9, 1, 0),  # 90%
        stats(4, 5, 0, 5),  # 50% support, no oppose: beats item 2
        stats(10, 1, 0, 1),  # 50%, no oppose, same as 4: by number, 4 before 10
        stats(5, 0, 3, 0),  # answered but no support: above the unanswered
        stats(9, 1, 0, 1),  # same as 4 and 10: 9 before 10 although "9" > "10" as text
    ]
    assert [s.number for s in chart_order(items)] == ["3", "4", "9", "10", "2", "5", "1"]


def test_labels_are_cut_short_with_an_ellipsis() -> None:
    text = "Curtailment  of media\nglorification of terrorism and its justification through PEMRA"
    label = item_label(stats(12, 1, 0, 0, text))
    assert label.startswith("12. Curtailment of media glorification")
    assert label.endswith("…")
    assert len(label) <= LABEL_CHARS
    assert item_label(stats(6, 1, 0, 0, "Short.")) == "6. Short."


def test_empty_digest_renders() -> None:
    assert png_size(render_chart(digest()))[0] == 1080


def test_items_without_answers_render() -> None:
    png = render_chart(digest(stats(1, 0, 0, 0), stats(2, 0, 0, 0)))
    assert png_size(png)[0] == 1080


def test_urdu_and_other_scripts_render_without_warnings() -> None:
    items = (
        stats(1, 3, 1, 0, URDU),
        stats(2, 1, 1, 1, "日本語のテキスト 🙂 and $5 or $10 (not TeX)"),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = render_chart(digest(*items))
    assert png_size(png)[0] == 1080


def test_same_input_gives_the_same_bytes() -> None:
    first = render_chart(many(20))
    assert render_chart(many(20)) == first
    assert render_chart(many(19)) != first


def test_png_carries_no_software_or_time_chunk() -> None:
    assert not {b"tEXt", b"iTXt", b"zTXt", b"tIME"} & set(chunk_types(render_chart(many(3))))


# The Urdu chart: the shipped Nastaliq font, Urdu labels and wording, read from the right.
URDU_PLAN = load_plan(DEFAULT_PLAN_PATH.with_name("plan.ur.md"))
NASTALIQ = "Noto Nastaliq Urdu"


def in_plan(plan: Plan, *items: ItemStats, subs: tuple[ItemStats, ...] = ()) -> Digest:
    """Build a digest of the given items (and sub-items), worded in a plan's language."""
    planned = [replace(s, item_id=s.number) for s in items]
    built = replace(digest(*planned), title=plan.title, sub_items=tuple(
        replace(s, item_id=s.number) for s in subs))  # fmt: skip
    return built.in_plan(plan)


def support_x(png: bytes) -> float:
    """Return the mean x, as a share of the width, of the pixels drawn in the support blue."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    blue = [int(SUPPORT[i : i + 2], 16) for i in (1, 3, 5)]
    xs = np.nonzero((pixels == blue).all(axis=2))[1]
    return float(xs.mean()) / pixels.shape[1]


def test_the_shipped_font_covers_every_urdu_label_and_item() -> None:
    nastaliq = FT2Font(str(URDU_FONT)).get_charmap()
    dejavu = FT2Font(font_manager.findfont("DejaVu Sans")).get_charmap()
    labels = chart_labels(load_texts("ur"))
    texts = [*(getattr(labels, f.name) for f in fields(labels)), URDU_PLAN.title,
             SCRIPTS["ur"].number_gap, *(item.text for item in URDU_PLAN.all_items())]  # fmt: skip
    drawn = {c for text in texts for c in text if c not in " \n"}
    drawn -= {c for c in drawn if unicodedata.category(c) == "Cf"}  # isolates: not drawn
    urdu = {c for c in drawn if "\u0600" <= c <= "\u06ff"}
    assert len(urdu) > 30 and "\u06c1" in urdu  # heh goal, which DejaVu Sans lacks
    assert {c for c in urdu if ord(c) not in nastaliq} == set(), "Urdu from the Nastaliq font"
    missing = {c for c in drawn if ord(c) not in nastaliq and ord(c) not in dejavu}
    assert missing == set(), "every other sign from it or DejaVu Sans"


def test_an_urdu_chart_is_drawn_in_the_shipped_font_mirrored(
    caplog: pytest.LogCaptureFixture,
) -> None:
    items = (stats(1, 1, 3, 0), stats(9, 2, 1, 1), stats(12, 0, 0, 0))
    english = render_chart(in_plan(load_plan(), *items))
    local = in_plan(URDU_PLAN, *items)
    assert local.title == URDU_PLAN.title and local.items[0].text == URDU_PLAN.items[0].text
    with caplog.at_level(logging.INFO, logger="matplotlib"):
        urdu = render_chart(local, chart_labels(load_texts("ur")), "ur")
    assert caplog.records == [], "no font substituted (such as a missing bold)"
    used = font_manager.findfont(FontProperties(family=NASTALIQ), fallback_to_default=False)
    assert Path(used).name == Path(str(URDU_FONT)).name, "the shipped font (or it, installed)"
    assert urdu != english
    assert png_size(urdu)[0] == 1080 and png_size(urdu)[1] > png_size(english)[1], "taller rows"
    assert support_x(english) < 0.4 < 0.6 < support_x(urdu), "support starts where reading does"


def test_an_urdu_chart_renders_the_same_bytes_and_any_sub_item() -> None:
    labels = chart_labels(load_texts("ur"))
    local = in_plan(URDU_PLAN, stats(9, 3, 1, 0), stats(2, 0, 0, 0), subs=(stats("9.1", 1, 0, 1),))
    assert [s.text for s in local.sub_items] == [URDU_PLAN.all_items()[9].text]
    first = render_chart(local, labels, "ur")
    assert render_chart(local, labels, "ur") == first
    assert render_chart(in_plan(URDU_PLAN), labels, "ur") != first, "an empty chart renders"
