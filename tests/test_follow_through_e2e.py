"""Closing the loop: drafters reply and decide, authors are told; broadcasts are paced."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.broadcaster import Pacing
from bot.emulator import Emulator, Limits
from tests.harness import TOKEN, Hearing, make_settings, query

DRAFTER, AUTHOR, OTHER = 7001, 601, 602


@pytest.fixture
async def drafting(emu: Emulator, tmp_path: Path) -> AsyncIterator[Hearing]:
    """A hearing with one drafter who has opened the bot."""
    settings = replace(make_settings(tmp_path), drafter_ids=frozenset({DRAFTER}))
    hearing = Hearing(emu, settings)
    await hearing.start()
    await hearing.say(DRAFTER, "/help")
    try:
        yield hearing
    finally:
        await hearing.stop()


async def open_review(hearing: Hearing, sid: int) -> None:
    """Follow the digest's link to a suggestion, as a drafter."""
    replies = await hearing.say(DRAFTER, f"/start d-{sid}")
    assert f"Suggestion #{sid}" in replies[0].plain_text()


async def test_reply_reaches_the_author_without_the_drafters_identity(drafting: Hearing) -> None:
    sid = await drafting.suggest(AUTHOR, "18", "Protect judges as well as witnesses")
    await open_review(drafting, sid)
    card = drafting.last(DRAFTER)
    assert card.button_labels() == [
        "💬 Reply to the author",
        "✅ Adopted",
        "❌ Declined",
        "🔀 Merged into an item",
    ]
    await drafting.press(DRAFTER, "💬 Reply to the author", card)
    assert "your Telegram account stays private" in drafting.last(DRAFTER).plain_text()
    await drafting.say(DRAFTER, "Thank you: judges will be in the next draft.")
    notice = drafting.last(AUTHOR).plain_text()
    assert "The drafter of “Anti-Terror Action Plan” replied" in notice
    assert "Protect judges as well as witnesses" in notice
    assert "Thank you: judges will be in the next draft." in notice
    assert str(DRAFTER) not in notice
    assert "has been told" in drafting.last(DRAFTER).plain_text()
    rows = await query(
        drafting.settings.database_path,
        "SELECT kind, text, notified_at IS NOT NULL FROM suggestion_responses",
    )
    assert rows == [("reply", "Thank you: judges will be in the next draft.", 1)]


@pytest.mark.parametrize(
    ("button", "then", "expected"),
    [
        ("✅ Adopted", None, "Your suggestion was adopted"),
        ("🔀 Merged into an item", "18", "Your suggestion was merged into item 18"),
        ("❌ Declined", "It is already item 18.", "The reason: It is already item 18."),
    ],
)
async def test_decisions_are_recorded_and_told(
    drafting: Hearing, button: str, then: str | None, expected: str
) -> None:
    sid = await drafting.suggest(AUTHOR, "17", "Speedy trials for terror cases")
    await open_review(drafting, sid)
    await drafting.press(DRAFTER, button, drafting.last(DRAFTER))
    if button.startswith("🔀"):
        await drafting.press(DRAFTER, str(then))
    elif then is not None:
        await drafting.say(DRAFTER, then)
    assert expected in drafting.last(AUTHOR).plain_text()
    await open_review(drafting, sid)
    assert "Decided:" in drafting.last(DRAFTER).plain_text()


async def test_citizens_cannot_use_drafter_links_or_buttons(drafting: Hearing) -> None:
    sid = await drafting.suggest(AUTHOR, "4", "Win hearts with schools and jobs")
    replies = await drafting.say(OTHER, f"/start d-{sid}")
    assert "Your privacy" in replies[0].plain_text(), "the normal welcome, nothing revealed"
    for data in (f"v1:ad:{sid}", f"v1:mg:{sid}:4", f"v1:rr:{sid}", "v1:bs:1"):
        update_id = drafting.emu.press_button(OTHER, replies[0].message_id, data, check=False)
        await drafting.settle()
        answer = drafting.emu.answer_for(update_id)
        assert answer is not None and "only for the hearing's drafters" in answer["text"]
    replies = await drafting.say(OTHER, "/broadcast")
    assert "only for the hearing's drafters" in replies[0].plain_text()
    assert await query(drafting.settings.database_path, "SELECT * FROM suggestion_responses") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("   ", "looks empty"), ("x" * 2001, "That is 2001 characters; the limit is 2000")],
)
async def test_bad_reply_is_refused_and_still_awaited(
    drafting: Hearing, text: str, expected: str
) -> None:
    sid = await drafting.suggest(AUTHOR, "2", "Scholars should lead the counter-narrative")
    await open_review(drafting, sid)
    await drafting.press(DRAFTER, "💬 Reply to the author", drafting.last(DRAFTER))
    replies = await drafting.say(DRAFTER, text)
    assert expected in replies[0].plain_text()
    await drafting.say(DRAFTER, "Agreed, thank you.")
    assert "Agreed, thank you." in drafting.last(AUTHOR).plain_text()


async def test_an_author_who_blocked_the_bot_is_not_retried(drafting: Hearing) -> None:
    sid = await drafting.suggest(AUTHOR, "11", "Ban aerial firing at weddings")
    drafting.emu.block(AUTHOR)
    await open_review(drafting, sid)
    await drafting.press(DRAFTER, "✅ Adopted", drafting.last(DRAFTER))
    assert "could not be reached" in drafting.last(DRAFTER).plain_text()
    rows = await query(
        drafting.settings.database_path,
        "SELECT blocked_at IS NOT NULL FROM delivery WHERE chat_id = ?",
        AUTHOR,
    )
    assert rows == [(1,)]


async def test_forged_merge_target_changes_nothing(drafting: Hearing) -> None:
    sid = await drafting.suggest(AUTHOR, "6", "Fewer drone strikes near homes")
    update_id = drafting.emu.press_button(
        DRAFTER, drafting.last(DRAFTER).message_id, f"v1:mg:{sid}:99", check=False
    )
    await drafting.settle()
    answer = drafting.emu.answer_for(update_id)
    assert answer is not None and "that item does not exist" in answer["text"]
    assert await query(drafting.settings.database_path, "SELECT * FROM suggestion_responses") == []


class FakeTime:
    """Seconds that pass only when the broadcaster sleeps."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def start_broadcast(hearing: Hearing, text: str) -> None:
    """Write and confirm a broadcast as the drafter."""
    await hearing.say(DRAFTER, "/broadcast")
    confirm = await hearing.say(DRAFTER, text)
    assert "This will go to" in confirm[0].plain_text()
    await hearing.press(DRAFTER, "📢 Send it", confirm[0])


async def test_broadcast_is_paced_within_telegrams_limits(tmp_path: Path) -> None:
    fake = FakeTime()
    citizens = list(range(9000, 9060))
    async with Emulator(token=TOKEN, bot_username="hearing_test_bot", clock=fake) as emu:
        settings = replace(make_settings(tmp_path), drafter_ids=frozenset({DRAFTER}))
        hearing = Hearing(emu, settings)
        await hearing.start()
        try:
            for user in [DRAFTER, *citizens]:
                await hearing.say(user, "/help")
            await hearing.say(citizens[0], "/updates")
            await hearing.press(citizens[0], "Turn updates off")
            emu.block(citizens[1])
            assert hearing.app is not None and hearing.app.bot_data.broadcaster is not None
            broadcaster = hearing.app.bot_data.broadcaster
            broadcaster.pacing = Pacing(per_second=25, monotonic=fake, sleep=fake.sleep)
            emu.reset_rates()
            emu.set_limits(Limits())

            await start_broadcast(hearing, "The plan's second draft is out: /items")
            await broadcaster.run()
            report = emu.rate_report()
            received = {u: sum("second draft" in m.plain_text() for m in emu.messages(u))
                        for u in citizens}  # fmt: skip
        finally:
            await hearing.stop()
    assert received[citizens[0]] == 0, "opted out"
    assert received[citizens[1]] == 0, "blocked"
    assert all(received[u] == 1 for u in citizens[2:]), "everyone else exactly once"
    assert report.rejected_429 == 0
    assert report.max_in_any_second <= 30
    assert report.per_chat_violations == 0
    rows = await query(
        settings.database_path, "SELECT status, COUNT(*) FROM broadcast_deliveries GROUP BY status"
    )
    assert dict(rows) == {"sent": 58, "blocked": 1}  # type: ignore[arg-type]


async def test_broadcast_resumes_after_a_restart(drafting: Hearing) -> None:
    citizens = list(range(9100, 9120))
    for user in citizens:
        await drafting.say(user, "/help")
    assert drafting.app is not None and drafting.app.bot_data.broadcaster is not None
    stall = asyncio.Event()
    sent = 0

    fake = FakeTime()

    async def sleep_then_stall(seconds: float) -> None:
        nonlocal sent
        sent += 1
        if sent > 8:
            await stall.wait()  # the bot goes down here, in the middle of the broadcast
        await fake.sleep(seconds)

    drafting.app.bot_data.broadcaster.pacing = Pacing(
        per_second=25, monotonic=fake, sleep=sleep_then_stall
    )
    await start_broadcast(drafting, "Hearing closes on Friday")

    def reached() -> int:
        return sum("closes on Friday" in drafting.emu.messages(u)[-1].plain_text()
                   for u in citizens)  # fmt: skip

    await drafting.emu.wait_until(lambda: reached() >= 5)
    await drafting.restart()
    assert drafting.app is not None and drafting.app.bot_data.broadcaster is not None
    await drafting.app.bot_data.broadcaster.run()
    for user in citizens:
        count = sum("closes on Friday" in m.plain_text() for m in drafting.emu.messages(user))
        assert count == 1, f"citizen {user} got it {count} times"
