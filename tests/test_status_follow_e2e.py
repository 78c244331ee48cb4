"""/status for citizens, following items, batched follower messages, overdue with a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import Emulator, FaultShares
from bot.senders.followers import FOLLOWERS_JOB, notify_followers
from bot.views.codec import Action, encode
from tests.after_support import CITIZEN, DRAFTER, forged, outbox_sent, running
from tests.harness import Clock, Hearing, at, query

BATCH_TITLE = "items you follow have changed"
OTHER = 502


@pytest.fixture
async def hearing(
    emu: Emulator, tmp_path: Path, database_url: str | None, clock: Clock
) -> AsyncIterator[Hearing]:
    """A hearing with a drafter and an overseer."""
    async with running(emu, tmp_path, clock) as started:
        yield started


async def set_field(hearing: Hearing, item: str, button: str, value: str) -> None:
    """Set one field of an item's tracking as the drafter."""
    await hearing.say(DRAFTER, f"/track {item}")
    await hearing.press(DRAFTER, button)
    if value.startswith("!"):
        await hearing.press(DRAFTER, value[1:])
    else:
        await hearing.say(DRAFTER, value)
    await outbox_sent(hearing)


def batches(hearing: Hearing, user: int = CITIZEN) -> list[str]:
    """The follower messages a citizen received."""
    return [m.plain_text() for m in hearing.emu.messages(user) if BATCH_TITLE in m.plain_text()]


async def follow(hearing: Hearing, user: int, item: str) -> None:
    """Follow an item from its /status page."""
    await hearing.say(user, "/status")
    await hearing.press(user, item)
    page = hearing.last(user)
    assert "Follow this item" in page.plain_text()
    await hearing.press(user, "🔔 Follow", page)
    assert "You follow this item" in hearing.last(user).plain_text()


async def test_status_shows_status_deadline_progress_and_overdue(
    hearing: Hearing, clock: Clock
) -> None:
    await set_field(hearing, "18", "Status", "!🚧 In progress")
    await set_field(hearing, "18", "Deadline", "2026-11-30")
    await set_field(hearing, "18", "📏 New metric", "People under protection | people | 100 | 500")
    await hearing.say(DRAFTER, "/track 18")
    await hearing.press(DRAFTER, "📈 Metric value")
    await hearing.press(DRAFTER, "People under protection")
    await hearing.say(DRAFTER, "300")
    replies = await hearing.say(CITIZEN, "/status")
    text = "\n".join(m.plain_text() for m in replies)
    assert "🚧 In progress · due 30 Nov 2026 · ▰▰▰▰▰▱▱▱▱▱ 50%" in text
    assert "📝 Proposed" in text and "overdue" not in text
    clock.now = at(30, 23, 59)
    assert "overdue" not in (await hearing.say(CITIZEN, "/status"))[0].plain_text()
    clock.now = at(1, 0, 1, month=12)
    text = (await hearing.say(CITIZEN, "/status"))[0].plain_text()
    assert "due 30 Nov 2026 · ▰▰▰▰▰▱▱▱▱▱ 50% · ⚠️ overdue" in text
    assert "1 item is past its deadline and not done" in text
    await set_field(hearing, "18", "Status", "!🏁 Done")
    assert "overdue" not in (await hearing.say(CITIZEN, "/status"))[0].plain_text()


async def test_followers_get_at_most_one_message_a_day(hearing: Hearing, clock: Clock) -> None:
    await hearing.say(OTHER, "/start")
    await follow(hearing, CITIZEN, "18")
    await set_field(hearing, "18", "Status", "!✅ Adopted")
    assert len(batches(hearing)) == 1
    assert "18. An effective Witness Protection Program." in batches(hearing)[0]
    assert "✅ Adopted" in batches(hearing)[0]
    clock.now = at(27, 18)
    await set_field(hearing, "18", "Responsible body", "Ministry of Interior")
    await set_field(hearing, "17", "Status", "!🚧 In progress")
    assert len(batches(hearing)) == 1, "one message a day, and item 17 is not followed"
    assert batches(hearing, OTHER) == [], "nobody else is told"
    clock.now = at(28, 10, 30)
    assert hearing.app is not None
    await notify_followers(hearing.app)  # what the hourly job does
    await outbox_sent(hearing)
    assert len(batches(hearing)) == 2
    assert "17." not in batches(hearing)[1] and "18." in batches(hearing)[1]
    await hearing.restart()
    await notify_followers(hearing.app)
    await outbox_sent(hearing)
    assert len(batches(hearing)) == 2, "a restart neither repeats nor re-sends"
    assert hearing.app.job_queue is not None
    assert hearing.app.job_queue.get_jobs_by_name(FOLLOWERS_JOB)


async def test_unfollowing_stops_the_messages(hearing: Hearing) -> None:
    await follow(hearing, CITIZEN, "18")
    await hearing.press(CITIZEN, "🔕 Stop following")
    await set_field(hearing, "18", "Status", "!✅ Adopted")
    assert batches(hearing) == []


async def test_the_walkthrough_ends_with_an_offer_to_follow_high_priority_items(
    hearing: Hearing,
) -> None:
    await hearing.answer_item(CITIZEN, "19", priority="High")
    await hearing.answer_item(CITIZEN, "17", priority="Low")
    await hearing.say(CITIZEN, "/items")  # a jump from the list: the walk goes on from there
    await hearing.press(CITIZEN, "20")
    await hearing.press(CITIZEN, "Skip ➡️")
    summary = hearing.last(CITIZEN)
    assert "🔔 Follow my high-priority items (1)" in summary.button_labels()
    await hearing.press(CITIZEN, "🔔 Follow my high-priority items (1)", summary)
    assert "You now follow items 19" in hearing.last(CITIZEN).plain_text()
    rows = await query(hearing.settings.database_path, "SELECT item_id FROM follows")
    assert rows == [("19",)]
    await hearing.press(CITIZEN, "🙋 Yes, ask me follow-up questions", summary)
    assert "You accept follow-up questions" in hearing.last(CITIZEN).plain_text()
    (kept,) = [m for m in hearing.emu.messages(CITIZEN) if m.message_id == summary.message_id]
    assert "Thank you: you have been through the whole plan" in kept.plain_text()
    rows = await query(hearing.settings.database_path, "SELECT accepted FROM follow_up_consents")
    assert rows == [(1,)]


@pytest.mark.parametrize(
    ("data", "answer"),
    [
        (encode(Action.FOLLOW, "42"), "that item does not exist"),
        (encode(Action.STATUS_ITEM, "0"), "that item does not exist"),
        (encode(Action.FOLLOW_HIGH), "did not mark any item high priority"),
    ],
)
async def test_bad_follow_buttons_change_nothing(hearing: Hearing, data: str, answer: str) -> None:
    await hearing.say(CITIZEN, "/status")
    assert answer in await forged(hearing, CITIZEN, data)
    assert await query(hearing.settings.database_path, "SELECT COUNT(*) FROM follows") == [(0,)]


async def test_erasure_removes_follows_consent_and_messages(hearing: Hearing) -> None:
    await follow(hearing, CITIZEN, "18")
    await hearing.say(CITIZEN, "/followups")
    await hearing.press(CITIZEN, "🙋 Yes, ask me follow-up questions")
    await set_field(hearing, "18", "Status", "!✅ Adopted")
    assert len(batches(hearing)) == 1
    await hearing.say(CITIZEN, "/delete")
    await hearing.press(CITIZEN, "🗑 Yes, erase everything")
    for table in ("follows", "follower_watermarks", "follow_up_consents", "outbox"):
        rows = await query(hearing.settings.database_path, f"SELECT COUNT(*) FROM {table}")
        assert rows == [(0,)], table


async def test_a_follower_message_whose_answer_is_lost_is_not_sent_again(
    hearing: Hearing,
) -> None:
    await follow(hearing, CITIZEN, "18")
    # Every answer to a call for the follower's chat is lost: Telegram delivers the message but
    # the bot cannot know it. Resending would show it twice (and here, forever).
    hearing.emu.set_faults(FaultShares(lost_answer=1.0, chats=frozenset({CITIZEN})))
    await set_field(hearing, "18", "Status", "!✅ Adopted")
    hearing.emu.set_faults(None)
    assert len(batches(hearing)) == 1, "delivered once, though its answer was lost"
    assert hearing.emu.fault_counts == {"lost_answer": 1}
    rows = await query(hearing.settings.database_path, "SELECT status FROM outbox")
    assert rows == [("sent",)], "an unconfirmed message counts as sent, never resent"
