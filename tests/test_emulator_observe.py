"""The emulator's benchmark hooks: added round trip, call observers, and driver lookups."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.emulator import Emulator
from tests.harness import TOKEN

USER = 1001


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=emu.base_url) as telegram_bot:
        yield telegram_bot


async def test_observers_see_each_answered_call_until_removed(bot: Bot, emu: Emulator) -> None:
    seen: list[tuple[str, Any]] = []
    forget = emu.observe(lambda method, params, result: seen.append((method, params.get("text"))))
    emu.send_message(USER, "hi")
    await bot.send_message(USER, "first")
    emu.inject_error("sendMessage", 400, "Bad Request: chat not found")
    with pytest.raises(Exception, match="not found"):
        await bot.send_message(USER, "refused")
    forget()
    await bot.send_message(USER, "unseen")
    assert seen == [("sendMessage", "first")], "failed calls and later calls are not observed"


async def test_a_press_is_found_by_its_update(bot: Bot, emu: Emulator) -> None:
    emu.send_message(USER, "hi")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="v1:yes")]])
    sent = await bot.send_message(USER, "Agree?", reply_markup=markup)
    message_update = emu.send_message(USER, "text")
    press_update = emu.press(USER, sent.message_id, "Yes")
    query = emu.query_id_for(press_update)
    assert query is not None and emu.query_id_for(message_update) is None
    updates = await bot.get_updates(timeout=0)
    assert [u.callback_query.id for u in updates if u.callback_query] == [query]


async def test_messages_since_and_message_read_the_chat(bot: Bot, emu: Emulator) -> None:
    emu.send_message(USER, "hi")
    first = await bot.send_message(USER, "one")
    mark = emu.cursor(USER)
    await bot.send_message(USER, "two")
    await bot.edit_message_text("one, edited", chat_id=USER, message_id=first.message_id)
    assert [m.text for m in emu.messages_since(USER, mark)] == ["two"]
    assert [m.text for m in emu.messages_since(USER, 0)] == ["one, edited", "two"]
    found = emu.message(USER, first.message_id)
    assert found is not None and found.text == "one, edited"
    assert emu.message(USER, 999) is None
    assert emu.messages_since(4242, 0) == []


async def test_a_met_user_can_be_written_to_without_an_update(bot: Bot, emu: Emulator) -> None:
    emu.meet(USER, "Ayesha")
    await bot.send_message(USER, "welcome back")
    assert emu.last_message(USER).text == "welcome back"
    assert emu.pending_updates == []


async def test_latency_is_set_and_kept_on_every_call(bot: Bot, emu: Emulator) -> None:
    assert emu.latency == 0.0
    emu.set_latency(0.01)
    emu.send_message(USER, "hi")
    assert (await bot.send_message(USER, "slow")).text == "slow"
    assert emu.latency == 0.01
    emu.set_latency(0)
    with pytest.raises(ValueError, match="negative"):
        emu.set_latency(-0.05)
    assert emu.latency == 0.0


async def test_latency_can_be_given_at_construction() -> None:
    async with Emulator(token=TOKEN, latency=0.02) as emulator:
        assert emulator.latency == 0.02
    with pytest.raises(ValueError, match="negative"):
        Emulator(token=TOKEN, latency=-1)
