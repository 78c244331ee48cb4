"""Telegram errors: the citizen hears that something went wrong, and nothing is lost."""

from __future__ import annotations

from bot.runtime.retry import OTHER_RETRIES
from tests.harness import Hearing, query

CITIZEN = 909
APOLOGY = "something went wrong on our side"


async def test_failed_reply_gets_an_apology_and_the_next_try_works(hearing: Hearing) -> None:
    # One try and every retry fail: the error reaches the handler.
    hearing.emu.inject_error("sendMessage", 500, "Internal Server Error", times=1 + OTHER_RETRIES)
    await hearing.say(CITIZEN, "/start")
    assert APOLOGY in hearing.last(CITIZEN).plain_text()
    await hearing.say(CITIZEN, "/start")
    assert hearing.last(CITIZEN).button_labels() == ["Begin", "✓ English", "اردو"]


async def test_answer_is_kept_when_showing_the_next_step_fails(hearing: Hearing) -> None:
    await hearing.say(CITIZEN, "/start")
    await hearing.press(CITIZEN, "Begin")
    item = hearing.with_buttons(CITIZEN)
    hearing.emu.inject_error("editMessageText", 502, "Bad Gateway", times=1 + OTHER_RETRIES)
    await hearing.press(CITIZEN, "👎 Oppose", item)
    assert APOLOGY in hearing.last(CITIZEN).plain_text()
    path = hearing.settings.database_path
    assert await query(path, "SELECT stance FROM stances") == [("oppose",)]
    # The citizen picks up exactly where the database says they are.
    await hearing.say(CITIZEN, "/start")
    await hearing.press(CITIZEN, "Continue from item 1")
    assert "Your answer: Oppose. How high a priority" in hearing.last(CITIZEN).plain_text()


async def test_message_too_old_to_edit_is_sent_anew(hearing: Hearing) -> None:
    await hearing.say(CITIZEN, "/start")
    await hearing.press(CITIZEN, "Begin")
    item = hearing.with_buttons(CITIZEN)
    hearing.emu.inject_error("editMessageText", 400, "Bad Request: message can't be edited")
    await hearing.press(CITIZEN, "🤔 Unsure", item)
    latest = hearing.last(CITIZEN)
    assert latest.message_id != item.message_id
    assert "Your answer: Unsure. How high a priority" in latest.plain_text()


async def test_citizen_who_blocked_the_bot_is_not_an_error(hearing: Hearing) -> None:
    await hearing.say(CITIZEN, "/start")
    hearing.emu.block(CITIZEN)
    before = len(hearing.emu.messages(CITIZEN))
    await hearing.say(CITIZEN, "/items")
    assert len(hearing.emu.messages(CITIZEN)) == before
    hearing.emu.unblock(CITIZEN)
    await hearing.say(CITIZEN, "/help")
    assert "How this hearing works" in hearing.last(CITIZEN).plain_text()


async def test_the_apology_is_in_the_citizens_language(hearing: Hearing) -> None:
    await hearing.say(CITIZEN, "/language")
    await hearing.press(CITIZEN, "اردو")
    hearing.emu.inject_error("sendMessage", 500, "Internal Server Error", times=1 + OTHER_RETRIES)
    await hearing.say(CITIZEN, "/help")
    assert "ہماری طرف کچھ خرابی ہو گئی" in hearing.last(CITIZEN).plain_text()
