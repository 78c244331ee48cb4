"""Closing the loop: drafters reply and decide, and authors are told."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.emulator import Emulator
from bot.runtime.retry import OTHER_RETRIES
from tests.harness import Hearing, make_settings, query

DRAFTER, AUTHOR, OTHER = 7001, 601, 602


@pytest.fixture
async def drafting(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> AsyncIterator[Hearing]:
    """A hearing with one drafter who has opened the bot."""
    settings = make_settings(tmp_path, drafter_ids=frozenset({DRAFTER}))
    async with Hearing(emu, settings) as hearing:
        await hearing.open_chats(DRAFTER)
        yield hearing


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


async def test_a_drafter_removed_while_replying_is_not_stuck(drafting: Hearing) -> None:
    sid = await drafting.suggest(AUTHOR, "20", "Fund forensic labs in every province")
    await open_review(drafting, sid)
    await drafting.press(DRAFTER, "💬 Reply to the author", drafting.last(DRAFTER))
    drafting.settings = replace(drafting.settings, drafter_ids=frozenset())
    await drafting.restart()
    replies = await drafting.say(DRAFTER, "This should not reach anyone")
    assert "only for the hearing's drafters" not in replies[0].plain_text()
    assert await query(drafting.settings.database_path, "SELECT * FROM suggestion_responses") == []
    assert "This should not reach anyone" not in drafting.last(AUTHOR).plain_text()


async def test_an_undelivered_notice_is_sent_at_the_next_start(drafting: Hearing) -> None:
    sid = await drafting.suggest(AUTHOR, "16", "Apply the existing laws before new ones")
    await open_review(drafting, sid)
    # The notice to the author: a 502 is retried (Telegram did nothing), so the outage must
    # outlast the retries (bot/runtime/retry.py) for the notice to stay undelivered.
    drafting.emu.inject_error("sendMessage", 502, "Bad Gateway", times=OTHER_RETRIES + 1)
    await drafting.press(DRAFTER, "✅ Adopted", drafting.last(DRAFTER))
    assert "could not be reached" in drafting.last(DRAFTER).plain_text()
    assert "was adopted" not in drafting.last(AUTHOR).plain_text()
    await drafting.restart()
    assert "Your suggestion was adopted" in drafting.last(AUTHOR).plain_text()
    rows = await query(
        drafting.settings.database_path, "SELECT notified_at IS NOT NULL FROM suggestion_responses"
    )
    assert rows == [(1,)]
    await drafting.restart()
    adopted = [m for m in drafting.emu.messages(AUTHOR) if "was adopted" in m.plain_text()]
    assert len(adopted) == 1, "told once"


async def test_the_same_decision_twice_is_recorded_and_told_once(drafting: Hearing) -> None:
    sid = await drafting.suggest(AUTHOR, "17", "Speedy trials for terror cases")
    await open_review(drafting, sid)
    card = drafting.last(DRAFTER)
    await drafting.press(DRAFTER, "✅ Adopted", card)
    # The same button again, from the old card (or the same update replayed after a crash).
    update_id = drafting.emu.press_button(DRAFTER, card.message_id, f"v1:ad:{sid}", check=False)
    await drafting.settle()
    answer = drafting.emu.answer_for(update_id)
    assert answer is not None and "already recorded" in answer["text"]
    rows = await query(drafting.settings.database_path, "SELECT kind FROM suggestion_responses")
    assert rows == [("adopted",)]
    told = [m for m in drafting.emu.messages(AUTHOR) if "was adopted" in m.plain_text()]
    assert len(told) == 1
    await open_review(drafting, sid)
    await drafting.press(DRAFTER, "❌ Declined", drafting.last(DRAFTER))
    await drafting.say(DRAFTER, "Already covered by item 17")
    rows = await query(drafting.settings.database_path, "SELECT kind FROM suggestion_responses")
    assert rows == [("adopted",), ("declined",)], "a different decision is recorded"
