"""The emulator's sending limits and rate measurements, on a clock the tests move by hand."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import RetryAfter

from bot.emulator import Emulator, Limits
from bot.emulator.limits import Traffic
from tests.harness import SecondsClock

TOKEN = "123456:TEST-TOKEN"
USER = 1001
GROUP = -100
START = SecondsClock.now


@pytest.fixture
def clock() -> SecondsClock:
    """The emulator's clock, so windows slide without sleeping."""
    return SecondsClock()


@pytest.fixture
async def emu(clock: SecondsClock) -> AsyncIterator[Emulator]:
    async with Emulator(token=TOKEN, clock=clock, limits=Limits()) as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=emu.base_url) as telegram_bot:
        yield telegram_bot


async def refused(bot: Bot, chat_id: int, text: str = "too soon") -> int:
    """Send a message that must be refused; return the retry_after in seconds."""
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(chat_id, text)
    assert isinstance(raised.value.retry_after, dt.timedelta)
    return int(raised.value.retry_after.total_seconds())


def texts(emu: Emulator, chat_id: int) -> list[str]:
    return [m.plain_text() for m in emu.messages(chat_id)]


async def test_one_chat_gets_a_short_burst_then_one_per_second(
    bot: Bot, emu: Emulator, clock: SecondsClock
) -> None:
    emu.send_message(USER, "hi")
    for n in range(3):
        await bot.send_message(USER, f"burst {n}")
    assert await refused(bot, USER) == 3  # the burst's first message leaves the 3 s window
    clock.now += 2.5
    assert await refused(bot, USER) == 1  # 0.5 s left, rounded up
    assert texts(emu, USER) == ["burst 0", "burst 1", "burst 2"]
    clock.now += 0.5
    await bot.send_message(USER, "after the wait")
    clock.now += 1
    await bot.send_message(USER, "one a second")
    clock.now += 1
    await bot.send_message(USER, "still fine")
    clock.now += 0.5
    assert await refused(bot, USER) == 1
    report = emu.rate_report()
    assert (report.sent, report.rejected_429, report.per_chat_violations) == (6, 3, 0)
    assert report.max_per_chat_in_any_second == 3


async def test_the_429_is_telegrams_json_and_other_chats_still_pass(
    emu: Emulator, clock: SecondsClock
) -> None:
    emu.set_limits(Limits(burst=1))
    emu.send_message(USER, "hi")
    emu.send_message(USER + 1, "hi")
    url = f"{emu.base_url}{TOKEN}/sendMessage"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"chat_id": USER, "text": "one"}) as response:
            assert response.status == 200
        async with http.post(url, json={"chat_id": USER, "text": "two"}) as response:
            assert response.status == 429
            assert await response.json() == {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            }
        async with http.post(url, json={"chat_id": USER + 1, "text": "other"}) as response:
            assert response.status == 200
    assert texts(emu, USER) == ["one"]


async def test_overall_limit_spans_chats(bot: Bot, emu: Emulator, clock: SecondsClock) -> None:
    chats = range(2000, 2031)
    for chat_id in chats:
        emu.send_message(chat_id, "hi")
    for chat_id in chats[:30]:
        await bot.send_message(chat_id, "news")
    assert await refused(bot, chats[30], "one too many") == 1
    assert emu.messages(chats[30]) == []
    clock.now += 0.5
    assert await refused(bot, chats[30], "one too many") == 1
    clock.now += 0.5
    await bot.send_message(chats[30], "news")
    report = emu.rate_report()
    assert (report.sent, report.rejected_429, report.max_in_any_second) == (31, 2, 30)
    assert (report.first_at, report.last_at, report.overall_rate) == (START, START + 1, 31.0)


async def test_a_group_gets_twenty_messages_a_minute(
    bot: Bot, emu: Emulator, clock: SecondsClock
) -> None:
    emu.send_message(USER, "hi all", chat_id=GROUP, chat_type="group")
    for n in range(20):
        await bot.send_message(GROUP, f"post {n}")
        clock.now += 1
    assert await refused(bot, GROUP) == 40  # the first post leaves the minute at START + 60
    clock.now += 39.5
    assert await refused(bot, GROUP) == 1
    assert len(emu.messages(GROUP)) == 20
    clock.now += 0.5
    await bot.send_message(GROUP, "a minute later")
    assert emu.rate_report().rejected_429 == 2


async def test_answers_updates_and_chat_actions_are_not_counted(
    bot: Bot, emu: Emulator, clock: SecondsClock
) -> None:
    emu.set_limits(Limits(overall_per_second=1, burst=1))
    emu.send_message(USER, "hi")
    button = InlineKeyboardButton("Yes", callback_data="v1:yes")
    sent = await bot.send_message(USER, "ask", reply_markup=InlineKeyboardMarkup([[button]]))
    emu.press(USER, sent.message_id, "Yes")
    *_, update = await bot.get_updates(timeout=0)
    assert update.callback_query is not None
    await update.callback_query.answer("noted")
    await bot.get_updates(offset=update.update_id + 1, timeout=0)
    await bot.send_chat_action(USER, "typing")
    await bot.get_me()
    await bot.set_my_commands([("start", "Start")])
    await bot.delete_message(USER, sent.message_id)
    assert emu.rate_report().sent == 1
    assert await refused(bot, USER) == 1


async def test_edits_count_unless_turned_off(bot: Bot, emu: Emulator, clock: SecondsClock) -> None:
    emu.set_limits(Limits(burst=1))
    emu.send_message(USER, "hi")
    sent = await bot.send_message(USER, "draft")
    with pytest.raises(RetryAfter):
        await bot.edit_message_text("final", chat_id=USER, message_id=sent.message_id)
    assert emu.last_message(USER).text == "draft"
    emu.set_limits(Limits(burst=1, count_edits=False))
    await bot.edit_message_text("final", chat_id=USER, message_id=sent.message_id)
    assert emu.last_message(USER).text == "final"


async def test_a_fixed_retry_after_is_answered_as_configured(
    bot: Bot, emu: Emulator, clock: SecondsClock
) -> None:
    emu.set_limits(Limits(burst=1, retry_after=17))
    emu.send_message(USER, "hi")
    await bot.send_message(USER, "one")
    assert await refused(bot, USER) == 17


async def test_limits_off_never_refuse_but_measure(clock: SecondsClock) -> None:
    async with Emulator(token=TOKEN, clock=clock) as emu, Bot(TOKEN, base_url=emu.base_url) as bot:
        for chat_id in range(2000, 2040):
            emu.send_message(chat_id, "hi")
        emu.send_message(USER, "hi")
        for n in range(5):
            await bot.send_message(USER, f"rapid {n}")
        for chat_id in range(2000, 2040):
            await bot.send_message(chat_id, "news")
        clock.now += 3
        await bot.send_message(USER, "later")
        report = emu.rate_report()
    assert (report.sent, report.rejected_429) == (46, 0)
    assert (report.max_in_any_second, report.max_per_chat_in_any_second) == (45, 5)
    assert report.per_chat_violations == 2  # the default burst of 3 allows the first three
    assert report.overall_rate == pytest.approx(46 / 3)


async def test_limits_change_at_run_time_and_reset(
    bot: Bot, emu: Emulator, clock: SecondsClock
) -> None:
    emu.set_limits(None)
    emu.send_message(USER, "hi")
    for n in range(5):
        await bot.send_message(USER, f"unchecked {n}")
    emu.set_limits(Limits())
    assert await refused(bot, USER) == 3  # the history sent while off still counts
    emu.set_limits(None)
    await bot.send_message(USER, "off again")
    assert emu.rate_report().sent == 6
    emu.reset_rates()
    assert emu.rate_report() == Traffic(clock).report()
    emu.set_limits(Limits())
    await bot.send_message(USER, "a fresh start")


def test_limits_reject_nonsense() -> None:
    with pytest.raises(ValueError, match="burst"):
        Limits(burst=0)
    with pytest.raises(ValueError, match="positive"):
        Limits(group_per_minute=0)
    with pytest.raises(ValueError, match="retry_after"):
        Limits(retry_after=0)


def test_ten_thousand_paced_sends_stay_within_the_limits(clock: SecondsClock) -> None:
    traffic = Traffic(clock, Limits())
    started = time.perf_counter()
    for n in range(10_000):
        assert traffic.admit(n) is None, f"send {n} refused"
        traffic.record(n, False)
        clock.now += 1 / 30  # added up, as a sleeping bot's clock is: rounding creeps in
    elapsed = time.perf_counter() - started
    report = traffic.report()
    assert (report.sent, report.rejected_429, report.per_chat_violations) == (10_000, 0, 0)
    assert (report.max_in_any_second, report.max_per_chat_in_any_second) == (30, 1)
    assert report.overall_rate == pytest.approx(30, rel=1e-3)
    assert elapsed < 2.0  # linear bookkeeping: a quadratic one would take far longer


def test_ten_thousand_greedy_sends_get_half_refused(clock: SecondsClock) -> None:
    traffic = Traffic(clock, Limits())
    for n in range(10_000):
        clock.now = START + n / 60
        if traffic.admit(n) is None:
            traffic.record(n, False)
    report = traffic.report()
    # Each second's first 30 attempts pass and the other 30 wait: 166 full seconds and 40 more.
    assert (report.sent, report.rejected_429) == (166 * 30 + 30, 166 * 30 + 10)
    assert report.max_in_any_second == 30


def test_violations_are_measured_against_the_default_limits(clock: SecondsClock) -> None:
    traffic = Traffic(clock)
    for n in range(10):
        clock.now = START + n / 2
        assert traffic.admit(USER) is None
        traffic.record(USER, False)
    clock.now += 60
    for _ in range(22):
        traffic.record(GROUP, True)
        clock.now += 1
    report = traffic.report()
    # Two a second to one chat: the burst of 3 absorbs the start, then every later send breaks
    # the rule; the group's 21st and 22nd posts break its minute.
    assert report.per_chat_violations == 7 + 2
    assert (report.max_per_chat_in_any_second, report.rejected_429) == (2, 0)
