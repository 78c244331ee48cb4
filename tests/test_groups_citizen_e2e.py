"""Opinion groups for a citizen through the emulator: /groups, in Urdu, after the walkthrough.

Only the asker's own group is ever shown; erasure takes a citizen out of the kept groups.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import Emulator
from bot.hearing.plan import Plan
from tests.harness import Hearing
from tests.opinion_seed import pid
from tests.opinion_support import (
    CAMP_A,
    CAMP_B,
    POLICE,
    Clock,
    at,
    scheduled_digest,
    seed_camps,
    start,
    stored_labels,
)

NEWCOMER = 30001


@pytest.fixture
def clock() -> Clock:
    """The hearing's clock, starting on 27 November at 10:00."""
    return Clock(at(27, 10))


@pytest.fixture
async def camps(emu: Emulator, tmp_path: Path, clock: Clock, plan: Plan) -> AsyncIterator[Hearing]:
    """The two camps, with a drafter."""
    hearing = await start(emu, tmp_path, clock)
    await seed_camps(hearing, plan, clock)
    try:
        yield hearing
    finally:
        await hearing.stop()


async def test_a_citizen_sees_their_own_group_with_you_on_the_map(camps: Hearing) -> None:
    replies = await camps.say(CAMP_B[3], "/groups")
    text, drawn = replies[0].plain_text(), replies[-1]
    assert text.startswith("🧭 Where you stand")
    assert "2 so far, among 22 participants" in text
    assert "You are in group B (10 people). Nobody else is told which group you are in." in text
    assert "What sets your group apart" in text and "% of your group agree" in text
    assert f"“{POLICE}” (on item 5): A 100% · B 100% agree" in text
    assert drawn.kind == "photo" and drawn.caption is not None
    assert drawn.caption.startswith("★ is you, in group B.")
    other = await camps.say(CAMP_A[5], "/groups")
    assert "You are in group A (12 people)" in other[0].plain_text()
    assert other[-1].file_bytes != drawn.file_bytes, "each map marks its own reader only"


async def test_groups_in_urdu(camps: Hearing) -> None:
    camps.emu.send_message(CAMP_A[2], "/groups", language_code="ur")
    await camps.settle()
    text, drawn = camps.emu.messages(CAMP_A[2])
    assert text.plain_text().startswith("🧭 آپ کہاں کھڑے ہیں")
    assert "آپ گروہ \u2068A\u2069 میں ہیں (\u206812\u2069 افراد)" in text.plain_text()
    assert "آپ کے گروہ کو کیا چیز الگ کرتی ہے" in text.plain_text()
    assert drawn.caption is not None and drawn.caption.startswith(
        "★ آپ ہیں، گروہ \u2068A\u2069 میں"
    )


async def test_the_end_of_the_walkthrough_shows_where_you_stand(
    camps: Hearing, plan: Plan
) -> None:
    citizen = CAMP_B[-1]
    last = plan.items[-1].id
    await camps.say(citizen, "/items")  # a jump from the list: the walk goes on from there
    await camps.press(citizen, last)
    item = camps.last(citizen)
    await camps.press(citizen, "🤔 Unsure", item)
    await camps.press(citizen, "Low", item)
    await camps.press(citizen, "Skip ➡️", item)
    summary, where, drawn = camps.emu.messages(citizen)[-3:]
    assert "you have been through the whole plan" in summary.plain_text()
    assert "You are in group B (10 people)" in where.plain_text()
    assert drawn.kind == "photo" and (drawn.caption or "").startswith("★ is you, in group B.")


async def test_a_newcomer_is_told_how_to_join_a_group(camps: Hearing) -> None:
    await camps.answer_item(NEWCOMER, "1")
    await camps.answer_item(NEWCOMER, "2", "👎 Oppose")
    replies = await camps.say(NEWCOMER, "/groups")
    assert [m.kind for m in replies] == ["text"], "no map without a group"
    assert "You are not in an opinion group yet" in replies[0].plain_text()
    assert "at least 7 times (you: 2)" in replies[0].plain_text()
    summary = await camps.say(NEWCOMER, "/help")
    assert "/groups \u2013 where you stand" in summary[0].plain_text()


async def test_erasure_removes_a_citizen_from_the_kept_groups(
    camps: Hearing, clock: Clock
) -> None:
    await scheduled_digest(camps, clock)
    citizen = CAMP_A[4]
    await camps.say(citizen, "/mydata")
    data = camps.last(citizen).file_bytes or b""
    assert b'"opinion_group"' in data and b'"group_label": 0' in data
    await camps.say(citizen, "/delete")
    await camps.press(citizen, "🗑 Yes, erase everything")
    labels = await stored_labels(camps.settings.database_path)
    assert pid(citizen) not in labels and len(labels) == 21
    replies = await camps.say(CAMP_A[0], "/groups")
    assert "You are in group A (11 people)" in replies[0].plain_text(), "found again without them"
