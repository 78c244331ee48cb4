"""Broadcasts end to end: paced, resumed, woken by each confirmation, and riding out outages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import pytest

from bot.emulator import Emulator, Limits, SentMessage
from bot.hearing.broadcasts import MAX_BROADCAST_CHARS
from bot.hearing.privacy import pseudonym
from bot.runtime.pacer import Pacing
from bot.senders.broadcasts import Broadcaster
from tests.harness import SECRET, TOKEN, Hearing, background, make_settings, query

DRAFTER, OTHER_DRAFTER = 7001, 7002
CITIZENS = list(range(9200, 9220))

Sleep = Callable[[float], Awaitable[None]]


class FakeTime:
    """Seconds that pass only when the broadcaster sleeps."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
async def drafting(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> AsyncIterator[Hearing]:
    """A hearing with two drafters, the first of whom has opened the bot."""
    settings = make_settings(tmp_path, drafter_ids=frozenset({DRAFTER, OTHER_DRAFTER}))
    async with Hearing(emu, settings) as hearing:
        await hearing.open_chats(DRAFTER)
        yield hearing


@pytest.fixture
async def audience(drafting: Hearing) -> list[int]:
    """Citizens who have opened the bot and so receive broadcasts."""
    for user in CITIZENS:
        await drafting.say(user, "/help")
    return CITIZENS


def broadcaster_of(hearing: Hearing) -> Broadcaster:
    """Return the running bot's broadcaster."""
    return background(hearing.app).broadcaster


def fake_pacing(hearing: Hearing, before: Sleep | None = None) -> FakeTime:
    """Pace the running bot's broadcasts by a fake clock, calling `before` ahead of each sleep."""
    fake = FakeTime()

    async def sleep(seconds: float) -> None:
        if before is not None:
            await before(seconds)
        await fake.sleep(seconds)

    broadcaster_of(hearing).pacing = Pacing(per_second=25, monotonic=fake, sleep=sleep)
    return fake


async def draft(hearing: Hearing, text: str) -> SentMessage:
    """Write a broadcast as the drafter; return the message asking to confirm it."""
    await hearing.say(DRAFTER, "/broadcast")
    confirm = await hearing.say(DRAFTER, text)
    assert "This will go to" in confirm[0].plain_text()
    return confirm[0]


async def start_broadcast(hearing: Hearing, text: str) -> None:
    """Write and confirm a broadcast as the drafter."""
    await hearing.press(DRAFTER, "📢 Send it", await draft(hearing, text))


def received(hearing: Hearing, text: str, users: list[int]) -> dict[int, int]:
    """Count, per user, the messages containing `text`."""
    return {u: sum(text in m.plain_text() for m in hearing.emu.messages(u)) for u in users}


async def deliveries(hearing: Hearing) -> dict[object, object]:
    """Count broadcast deliveries by status, over all broadcasts."""
    rows = await query(
        hearing.settings.database_path,
        "SELECT status, COUNT(*) FROM broadcast_deliveries GROUP BY status",
    )
    return dict(rows)  # type: ignore[arg-type]


async def statuses(hearing: Hearing) -> list[object]:
    """Return every broadcast's status, oldest first."""
    rows = await query(hearing.settings.database_path, "SELECT status FROM broadcasts ORDER BY id")
    return [row[0] for row in rows]


async def test_broadcast_is_paced_within_telegrams_limits(
    tmp_path: Path, database_url: str | None
) -> None:
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
            broadcaster = broadcaster_of(hearing)
            broadcaster.pacing = Pacing(per_second=25, monotonic=fake, sleep=fake.sleep)
            # The report to the drafter goes through the outbox, on the same clock.
            outbox = background(hearing.app).outbox
            outbox.pacing = Pacing(per_second=5, monotonic=fake, sleep=fake.sleep)
            emu.reset_rates()
            emu.set_limits(Limits())

            confirm = await draft(hearing, "The plan's second draft is out: /items")
            fake.now += 3  # the drafter reads the preview before sending
            await hearing.press(DRAFTER, "📢 Send it", confirm)
            await broadcaster.run()
            await outbox.wait_idle()
            report = emu.rate_report()
            got = received(hearing, "second draft", citizens)
        finally:
            await hearing.stop()
    assert got[citizens[0]] == 0, "opted out"
    assert got[citizens[1]] == 0, "blocked"
    assert all(got[u] == 1 for u in citizens[2:]), "everyone else exactly once"
    assert received(hearing, "has finished sending", [DRAFTER]) == {DRAFTER: 1}
    assert report.rejected_429 == 0
    assert report.max_in_any_second <= 30
    assert report.per_chat_violations == 0
    assert await deliveries(hearing) == {"sent": 58, "blocked": 1}


async def test_broadcast_resumes_after_a_restart(drafting: Hearing, audience: list[int]) -> None:
    stall = asyncio.Event()
    sent = 0
    fake = FakeTime()

    async def sleep_then_stall(seconds: float) -> None:
        nonlocal sent
        sent += 1
        if sent > 8:
            await stall.wait()  # the bot goes down here, in the middle of the broadcast
        await fake.sleep(seconds)

    broadcaster_of(drafting).pacing = Pacing(per_second=25, monotonic=fake, sleep=sleep_then_stall)
    await start_broadcast(drafting, "Hearing closes on Friday")

    def reached() -> int:
        return sum("closes on Friday" in drafting.emu.messages(u)[-1].plain_text()
                   for u in audience)  # fmt: skip

    await drafting.emu.wait_until(lambda: reached() >= 5)
    await drafting.restart()
    await broadcaster_of(drafting).run()
    for user, count in received(drafting, "closes on Friday", audience).items():
        assert count == 1, f"citizen {user} got it {count} times"


async def test_a_confirmed_broadcast_is_sent_in_the_background(
    drafting: Hearing, audience: list[int]
) -> None:
    fake_pacing(drafting)
    await start_broadcast(drafting, "Public meeting on Tuesday")
    await drafting.emu.wait_until(
        lambda: all(n == 1 for n in received(drafting, "Tuesday", audience).values())
    )
    await broadcaster_of(drafting).wait_idle()
    assert await statuses(drafting) == ["done"]
    assert await deliveries(drafting) == {"sent": len(audience)}


async def test_a_broadcast_confirmed_during_another_is_sent_too(
    drafting: Hearing, audience: list[int]
) -> None:
    gate = asyncio.Event()
    sleeps = 0

    async def held_after_three(seconds: float) -> None:
        nonlocal sleeps
        sleeps += 1
        if sleeps == 3:
            await gate.wait()  # the first broadcast is still being sent meanwhile

    fake_pacing(drafting, held_after_three)
    await start_broadcast(drafting, "First: the draft is out")
    await drafting.emu.wait_until(
        lambda: sum(received(drafting, "First:", audience).values()) >= 3
    )
    await start_broadcast(drafting, "Second: the hearing closes")
    assert await statuses(drafting) == ["sending", "sending"]
    gate.set()

    def both_arrived() -> bool:
        first, second = (
            received(drafting, "First:", audience),
            received(drafting, "Second:", audience),
        )
        return all(first[u] == 1 and second[u] == 1 for u in audience)

    await drafting.emu.wait_until(both_arrived)
    await broadcaster_of(drafting).wait_idle()
    assert both_arrived(), "nobody got either twice"
    assert await statuses(drafting) == ["done", "done"]
    assert await deliveries(drafting) == {"sent": 2 * len(audience)}


async def test_an_outage_delays_the_broadcast_but_loses_no_one(
    drafting: Hearing, audience: list[int]
) -> None:
    pauses: list[float] = []
    sleeps = 0

    async def outage_after_five(seconds: float) -> None:
        nonlocal sleeps
        sleeps += 1
        if sleeps == 5:
            drafting.emu.inject_error("sendMessage", 502, "Bad Gateway", times=12)
        if seconds >= 1:
            pauses.append(seconds)

    fake_pacing(drafting, outage_after_five)
    await start_broadcast(drafting, "New timetable for the hearing")
    await drafting.emu.wait_until(
        lambda: all(n == 1 for n in received(drafting, "New timetable", audience).values())
    )
    await broadcaster_of(drafting).wait_idle()
    assert await deliveries(drafting) == {"sent": len(audience)}, "no one failed"
    assert await statuses(drafting) == ["done"]
    assert pauses == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60, 60], "doubling, capped at 60 s"


async def test_stop_ends_a_pause_for_an_outage_at_once(
    drafting: Hearing, audience: list[int]
) -> None:
    pausing = asyncio.Event()
    sleeps = 0

    async def long_outage(seconds: float) -> None:
        nonlocal sleeps
        sleeps += 1
        if sleeps == 2:
            drafting.emu.inject_error("sendMessage", 502, "Bad Gateway", times=1)
        if seconds >= 1:
            pausing.set()
            await asyncio.Event().wait()  # an outage pause that would outlast the test

    fake_pacing(drafting, long_outage)
    await start_broadcast(drafting, "Pause me")
    async with asyncio.timeout(10):
        await pausing.wait()
    async with asyncio.timeout(2):  # well under the broadcaster's grace at shutdown
        await broadcaster_of(drafting).stop()
    assert await statuses(drafting) == ["sending"], "resumed at the next start"
    counts = await deliveries(drafting)
    assert "failed" not in counts and counts["pending"] == len(audience) - counts["sent"]


async def test_only_the_unreachable_recipient_is_marked(
    drafting: Hearing, audience: list[int]
) -> None:
    sleeps = 0
    # Recipients are reached in the order of their pseudonyms; a pause comes before each but
    # the first, so the error injected at the fourth pause answers the fifth recipient.
    order = sorted(audience, key=lambda u: pseudonym(SECRET, u))
    gone, blocked = order[4], order[-1]

    async def chat_gone_once(seconds: float) -> None:
        nonlocal sleeps
        sleeps += 1
        if sleeps == 4:
            drafting.emu.inject_error("sendMessage", 400, "Bad Request: chat not found")

    fake_pacing(drafting, chat_gone_once)
    drafting.emu.block(blocked)
    await start_broadcast(drafting, "Minutes of the meeting")
    others = [u for u in audience if u not in (gone, blocked)]
    await drafting.emu.wait_until(
        lambda: all(n == 1 for n in received(drafting, "Minutes", others).values())
    )
    await broadcaster_of(drafting).wait_idle()
    got = received(drafting, "Minutes", audience)
    assert (got[gone], got[blocked]) == (0, 0)
    assert await deliveries(drafting) == {"sent": len(others), "failed": 1, "blocked": 1}
    marked = await query(
        drafting.settings.database_path,
        "SELECT chat_id FROM delivery WHERE blocked_at IS NOT NULL",
    )
    assert marked == [(blocked,)], "a chat not found is not a block"


async def test_another_drafter_cannot_send_or_cancel_my_draft(
    drafting: Hearing, audience: list[int]
) -> None:
    fake_pacing(drafting)
    confirm = await draft(drafting, "Mine to send")
    [(_, send_data), (_, cancel_data)] = confirm.buttons()[0]
    other = (await drafting.say(OTHER_DRAFTER, "/help"))[0]
    for data in (send_data, cancel_data):
        update_id = drafting.emu.press_button(OTHER_DRAFTER, other.message_id, data, check=False)
        await drafting.settle()
        answer = drafting.emu.answer_for(update_id)
        assert answer is not None and "Only the drafter who wrote this update" in answer["text"]
    assert await statuses(drafting) == ["draft"]
    await drafting.press(DRAFTER, "📢 Send it", confirm)
    await drafting.emu.wait_until(
        lambda: all(n == 1 for n in received(drafting, "Mine to send", audience).values())
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x" * (MAX_BROADCAST_CHARS + 1), f"the limit is {MAX_BROADCAST_CHARS}"),
        ("   ", "looks empty"),
    ],
)
async def test_a_bad_broadcast_is_refused_and_still_awaited(
    drafting: Hearing, text: str, expected: str
) -> None:
    ask = await drafting.say(DRAFTER, "/broadcast")
    assert f"up to {MAX_BROADCAST_CHARS} characters" in ask[0].plain_text()
    refused = await drafting.say(DRAFTER, text)
    assert expected in refused[0].plain_text()
    assert refused[0].buttons() == [], "nothing to confirm"
    assert await statuses(drafting) == []
    confirm = await drafting.say(DRAFTER, "A proper update")
    assert "This will go to" in confirm[0].plain_text()
