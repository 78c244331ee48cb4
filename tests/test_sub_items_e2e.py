"""Sub-items answered one by one (an optional step after the whole item), shown in the digest,
the chart and the export."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.emulator import Emulator, SentMessage
from bot.hearing.privacy import pseudonym
from bot.senders.digests import png_size
from bot.views.chart import DPI, FOOTER_IN, LATIN
from tests.harness import SECRET, Hearing, make_settings, query

DRAFTER, ANA, BILAL = 7901, 7902, 7903
POINTS = "🔎 Its 5 points, one by one"


@pytest.fixture
async def drafting(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> AsyncIterator[Hearing]:
    """A hearing with a drafter, and groups of two shown in the digest."""
    settings = replace(make_settings(tmp_path), drafter_ids=frozenset({DRAFTER}),
                       min_group_size=2)  # fmt: skip
    hearing = Hearing(emu, settings)
    await hearing.start()
    await hearing.say(DRAFTER, "/help")
    try:
        yield hearing
    finally:
        await hearing.stop()


async def open_points(hearing: Hearing, user: int) -> SentMessage:
    """Answer item 9 as a whole, then open its sub-items."""
    item = await hearing.answer_item(user, "9")
    assert POINTS in hearing.emu.message(user, item.message_id).button_labels()  # type: ignore[union-attr]
    await hearing.press(user, POINTS, item)
    return hearing.last(user)


def now(hearing: Hearing, message: SentMessage) -> SentMessage:
    """Return a message as it stands after edits."""
    return hearing.emu.message(message.chat_id, message.message_id) or message


async def test_a_citizen_answers_the_points_of_an_item(drafting: Hearing) -> None:
    hearing = drafting
    card = await open_points(hearing, ANA)
    text = card.plain_text()
    assert "Point by point (optional" in text
    assert "9.1. As quickly as possible" in text and "→ not answered" in text
    assert card.button_labels()[:3] == ["9.1 👍", "9.1 🤔", "9.1 👎"]
    assert card.button_labels()[-1] == "✓ Done" and len(card.buttons()) == 6
    await hearing.press(ANA, "9.1 👍", card)
    await hearing.press(ANA, "9.3 👎", card)
    card = now(hearing, card)
    assert "✓ 9.1 👍" in card.button_labels() and "✓ 9.3 👎" in card.button_labels()
    assert "→ Support" in card.plain_text() and "→ Oppose" in card.plain_text()
    await hearing.press(ANA, "✓ 9.1 👍", card)  # the same answer again: no change
    await hearing.press(ANA, "9.3 🤔", card)  # a change of mind
    pid = pseudonym(SECRET, ANA)
    db = hearing.settings.database_path
    stances = await query(db, "SELECT item_id, stance, priority FROM stances"
                          " WHERE participant_id = ? ORDER BY item_id", pid)  # fmt: skip
    assert stances == [("9", "support", "high"), ("9.1", "support", None),
                       ("9.3", "unsure", None)], "the whole-item answer stays"  # fmt: skip
    history = await query(db, "SELECT item_id, stance FROM stance_history WHERE item_id LIKE"
                          " '9.%' ORDER BY id")  # fmt: skip
    assert history == [("9.1", "support"), ("9.3", "oppose"), ("9.3", "unsure")]
    await hearing.press(ANA, "✓ Done", card)
    done = now(hearing, card)
    assert done.button_labels() == [] and "✓ Saved. Thank you." in done.plain_text()
    overview = await hearing.say(ANA, "/items")
    assert "You answered 1." in overview[0].plain_text(), "points are not items in the count"


async def test_the_digest_chart_and_export_show_the_points(drafting: Hearing) -> None:
    hearing = drafting
    for user in (ANA, BILAL):
        card = await open_points(hearing, user)
        await hearing.press(user, "9.1 👍", card)
    await hearing.press(BILAL, "9.5 👎", now(hearing, card))
    replies = await hearing.say(DRAFTER, "/digest")
    digest = "\n".join(m.plain_text() for m in replies if m.kind == "text")
    assert "9.1. 👍 2 · 🤔 0 · 👎 0" in digest
    assert "9.5. fewer than 2 answers: how they split is not shown" in digest
    assert "9.2." not in digest, "unanswered points are not listed"
    chart = replies[-1]
    assert chart.kind == "photo"
    rows = 20 + 2  # the items, and the two points answered
    expected = round((LATIN.header_in + rows * LATIN.row_in + FOOTER_IN) * DPI)
    assert abs(png_size(chart.file_bytes or b"")[1] - expected) <= 2
    await hearing.say(DRAFTER, "/export")
    with zipfile.ZipFile(io.BytesIO(hearing.last(DRAFTER).file_bytes or b"")) as packed:
        stances = packed.read("stances.csv").decode("utf-8")
    assert stances.count(",9.1,support,,") == 2 and stances.count(",9.5,oppose,,") == 1


async def test_bad_point_presses_change_nothing(drafting: Hearing) -> None:
    hearing = drafting
    card = await open_points(hearing, ANA)
    for data, refusal in (
        ("v1:ss:9.9:support", "does not exist"),
        ("v1:ss:4.1:support", "does not exist"),
        ("v1:su:4", "does not exist"),  # item 4 has no points
        ("v1:ss:9:support", "not valid"),
        ("v1:ss:9.1:maybe", "not valid"),
    ):
        update_id = hearing.emu.press_button(ANA, card.message_id, data, check=False)
        await hearing.settle()
        assert refusal in str((hearing.emu.answer_for(update_id) or {}).get("text")), data
    stored = await query(hearing.settings.database_path,
                         "SELECT COUNT(*) FROM stances WHERE item_id LIKE '%.%'")  # fmt: skip
    assert stored == [(0,)]
