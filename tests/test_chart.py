"""The digest chart: a decodable PNG, sorted bars, any script, the same bytes every time."""

from __future__ import annotations

import struct
import warnings
from datetime import UTC, datetime

from bot.hearing.digest_model import Digest, ItemStats, Participation
from bot.views.chart import LABEL_CHARS, chart_order, item_label, render_chart

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
