"""Faults from Telegram: 429 with retry_after, 5xx, answers lost after delivery, one slow chat.

Whatever fails, no citizen sees a message twice and no one else waits for a rate-limited chat.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.emulator import Emulator, FaultShares
from bot.runtime.retry import OTHER_RETRIES, RETRY_BUDGET_SECONDS
from bot.senders.digests import send_digests
from tests.harness import Hearing, background, make_settings, query

CITIZEN, OTHER = 6061, 6062
DRAFTER, SECOND_DRAFTER = 7101, 7102
AUDIENCE = list(range(9400, 9405))
WELCOME = "Your privacy"
APOLOGY = "something went wrong on our side"


def count(hearing: Hearing, chat: int, text: str) -> int:
    """Count the bot's messages in a chat that contain `text`."""
    return sum(text in m.plain_text() for m in hearing.emu.messages(chat))


def calls_to(emu: Emulator, method: str, chat: int) -> int:
    """Count the calls of a method the emulator received for a chat."""
    return sum(1 for name, p in emu.calls if name == method and str(p.get("chat_id")) == str(chat))


@pytest.mark.parametrize(
    ("code", "description"),
    [(429, None), (500, "Internal Server Error"), (502, "Bad Gateway")],
    ids=["flood-control", "internal-error", "bad-gateway"],
)
async def test_a_refused_reply_is_retried_and_seen_once(
    hearing: Hearing, code: int, description: str | None
) -> None:
    hearing.emu.inject_error("sendMessage", code, description, retry_after=1)
    await hearing.say(CITIZEN, "/start")
    assert count(hearing, CITIZEN, WELCOME) == 1
    assert count(hearing, CITIZEN, APOLOGY) == 0
    assert calls_to(hearing.emu, "sendMessage", CITIZEN) == 2, "refused once, then sent"


async def test_flood_control_beyond_the_budget_is_not_waited_out(hearing: Hearing) -> None:
    retry_after = int(RETRY_BUDGET_SECONDS) + 1
    hearing.emu.inject_error("sendMessage", 429, retry_after=retry_after)
    await hearing.say(CITIZEN, "/start")
    assert count(hearing, CITIZEN, WELCOME) == 0
    assert count(hearing, CITIZEN, APOLOGY) == 1, "the citizen hears that it failed"


async def test_outage_longer_than_the_retries_gets_an_apology(hearing: Hearing) -> None:
    hearing.emu.inject_error("sendMessage", 500, times=1 + OTHER_RETRIES)
    await hearing.say(CITIZEN, "/start")
    assert (count(hearing, CITIZEN, WELCOME), count(hearing, CITIZEN, APOLOGY)) == (0, 1)


async def test_a_reply_whose_answer_is_lost_is_not_sent_again(hearing: Hearing) -> None:
    hearing.emu.lose_answers("sendMessage")
    await hearing.say(CITIZEN, "/start")
    assert count(hearing, CITIZEN, WELCOME) == 1, "delivered once, never resent"
    assert hearing.emu.fault_counts == {"lost_answer": 1}
    await hearing.press(CITIZEN, "Begin")
    assert "Item 1 of 20" in hearing.last(CITIZEN).plain_text(), "the citizen carries on"


@pytest.mark.parametrize("method", ["editMessageText", "answerCallbackQuery"])
async def test_a_lost_answer_to_an_edit_or_a_toast_changes_nothing_visible(
    hearing: Hearing, method: str
) -> None:
    await hearing.say(CITIZEN, "/start")
    await hearing.press(CITIZEN, "Begin")
    item = hearing.with_buttons(CITIZEN)
    before = len(hearing.emu.messages(CITIZEN))
    hearing.emu.lose_answers(method)
    await hearing.press(CITIZEN, "👍 Support", item)
    assert len(hearing.emu.messages(CITIZEN)) == before, "no new message, no apology"
    assert "How high a priority" in hearing.emu.messages(CITIZEN)[-1].plain_text()
    rows = await query(hearing.settings.database_path, "SELECT stance FROM stances")
    assert rows == [("support",)]


async def test_one_rate_limited_chat_does_not_hold_up_the_others(hearing: Hearing) -> None:
    hearing.emu.set_faults(FaultShares(too_many_requests=1.0, chats=frozenset({CITIZEN})))
    hearing.emu.send_message(CITIZEN, "/start")
    await hearing.emu.wait_until(lambda: hearing.emu.fault_counts.get("too_many_requests"))
    # Not hearing.say: it waits for every update to be handled, the rate-limited one too.
    hearing.emu.send_message(OTHER, "/start")
    await hearing.emu.wait_for_message(OTHER, lambda m: WELCOME in m.plain_text())
    assert hearing.emu.messages(CITIZEN) == [], "still waiting out its flood control"
    hearing.emu.set_faults(None)
    await hearing.settle()
    assert count(hearing, CITIZEN, WELCOME) == 1, "then served, once"


async def test_a_broadcast_whose_answer_is_lost_reaches_everyone_once(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> None:
    settings = replace(make_settings(tmp_path), drafter_ids=frozenset({DRAFTER}))
    hearing = Hearing(emu, settings)
    await hearing.start()
    try:
        for user in [DRAFTER, *AUDIENCE]:
            await hearing.say(user, "/help")
        await hearing.say(DRAFTER, "/broadcast")
        confirm = (await hearing.say(DRAFTER, "The second draft is out"))[0]
        emu.lose_answers("sendMessage", times=2)
        # Confirming edits the drafter's message: the first two sends are the broadcast's.
        await hearing.press(DRAFTER, "📢 Send it", confirm)
        await background(hearing.app).broadcaster.wait_idle()
        got = {user: count(hearing, user, "The second draft is out") for user in AUDIENCE}
        rows = await query(
            settings.database_path,
            "SELECT status, COUNT(*) FROM broadcast_deliveries GROUP BY status",
        )
    finally:
        await hearing.stop()
    assert got == dict.fromkeys(AUDIENCE, 1), "nobody got it twice, nobody missed it"
    assert emu.fault_counts == {"lost_answer": 2}
    assert rows == [("sent", len(AUDIENCE))], "the unconfirmed ones count as sent"


async def test_a_digest_part_whose_answer_is_lost_is_not_sent_again(
    emu: Emulator, tmp_path: Path
) -> None:
    karachi = ZoneInfo("Asia/Karachi")
    now = [datetime(2026, 11, 27, 10, 0, tzinfo=karachi)]
    settings = replace(make_settings(tmp_path), drafter_ids=frozenset({DRAFTER, SECOND_DRAFTER}))
    hearing = Hearing(emu, settings, lambda: now[0])
    await hearing.start()
    try:
        for drafter in (DRAFTER, SECOND_DRAFTER):
            await hearing.say(drafter, "/help")
        now[0] = datetime(2026, 11, 27, 20, 5, tzinfo=karachi)  # the digest is due
        emu.lose_answers("sendMessage")
        assert hearing.app is not None
        assert await send_digests(hearing.app), "the digest counts as complete"
        assert await send_digests(hearing.app), "a second run sends nothing more"
        await hearing.restart()
    finally:
        await hearing.stop()
    title = "Digest: Anti-Terror Action Plan"
    assert [count(hearing, d, title) for d in (DRAFTER, SECOND_DRAFTER)] == [1, 1]
