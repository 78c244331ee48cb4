"""The drafters' digest through the emulator: on time, once, caught up, completed, refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import time
from pathlib import Path

import pytest

from bot.emulator import Emulator
from bot.runtime.retry import OTHER_RETRIES
from bot.senders.digests import DIGEST_JOB, png_size, send_digests
from tests.harness import KARACHI, Clock, Hearing, at, make_settings, query

DRAFTER, SECOND_DRAFTER, CITIZEN = 7001, 7002, 501
TITLE = "Digest: Anti-Terror Action Plan"


@pytest.fixture
async def drafting(
    emu: Emulator, tmp_path: Path, database_url: str | None, clock: Clock
) -> AsyncIterator[Hearing]:
    """A hearing with two drafters, both of whom have opened the bot."""
    settings = make_settings(tmp_path, drafter_ids=frozenset({DRAFTER, SECOND_DRAFTER}))
    async with Hearing(emu, settings, clock) as hearing:
        await hearing.open_chats(DRAFTER, SECOND_DRAFTER)
        yield hearing


def digests_in(hearing: Hearing, chat: int) -> tuple[int, int]:
    """Count the digest text messages and charts a drafter has received."""
    messages = hearing.emu.messages(chat)
    texts = sum(1 for m in messages if m.kind == "text" and TITLE in m.plain_text())
    charts = sum(1 for m in messages if m.kind == "photo")
    return texts, charts


async def run_digest_job(hearing: Hearing) -> bool:
    """Do what the daily job does when it fires."""
    assert hearing.app is not None
    return await send_digests(hearing.app)


async def test_digest_is_sent_at_the_scheduled_time(drafting: Hearing, clock: Clock) -> None:
    assert drafting.app is not None and drafting.app.job_queue is not None
    job = drafting.app.job_queue.get_jobs_by_name(DIGEST_JOB)[0]
    assert job.next_t is not None and job.next_t.astimezone(KARACHI).time() == time(20, 0)
    await drafting.suggest(CITIZEN, "3", "Register every madrassa with the government")
    clock.now = at(27, 19, 59)
    assert await run_digest_job(drafting)
    assert digests_in(drafting, DRAFTER) == (0, 0), "nothing is due before 20:00"
    clock.now = at(
        27,
        20,
        0,
    )
    assert await run_digest_job(drafting)
    assert digests_in(drafting, DRAFTER) == (1, 1)
    assert digests_in(drafting, SECOND_DRAFTER) == (1, 1)
    text = drafting.emu.messages(DRAFTER)[-2].plain_text()
    assert "Since the hearing began → 27 Nov 2026 20:00 (Asia/Karachi)" in text
    assert "fewer than 5 in total" in text and "3." in text, "one person: too few to count"
    chart = drafting.emu.messages(DRAFTER)[-1]
    assert (
        chart.kind == "photo"
        and chart.caption == "Support, unsure and oppose per item (27 Nov 2026)"
    )
    clock.now = at(27, 20, 30)
    assert await run_digest_job(drafting)
    assert digests_in(drafting, DRAFTER) == (1, 1), "the same slot is never sent twice"


async def test_restart_does_not_send_it_again(drafting: Hearing, clock: Clock) -> None:
    clock.now = at(27, 20, 1)
    await run_digest_job(drafting)
    clock.now = at(27, 21)
    await drafting.restart()
    assert digests_in(drafting, DRAFTER) == (1, 1)


async def test_missed_digest_is_sent_once_at_start_up(drafting: Hearing, clock: Clock) -> None:
    await drafting.stop()
    clock.now = at(30, 9)  # down over three scheduled digests
    await drafting.start()
    assert digests_in(drafting, DRAFTER) == (1, 1), "one digest covers the time away"
    assert "→ 29 Nov 2026" not in drafting.emu.messages(DRAFTER)[-2].plain_text()
    await drafting.restart()
    assert digests_in(drafting, DRAFTER) == (1, 1)
    clock.now = at(30, 20, 5)
    await run_digest_job(drafting)
    assert digests_in(drafting, DRAFTER) == (2, 2)
    latest = drafting.emu.messages(DRAFTER)[-2].plain_text()
    assert "30 Nov 2026 09:00 → 30 Nov 2026 20:05" in latest, "the next period starts there"


async def test_a_digest_that_failed_half_way_is_completed_once(
    drafting: Hearing, clock: Clock
) -> None:
    clock.now = at(27, 20, 0)
    # The first try and every retry of the chart fail: the job stops and tries again later.
    drafting.emu.inject_error("sendPhoto", 502, "Bad Gateway", times=1 + OTHER_RETRIES)
    assert not await run_digest_job(drafting), "the first drafter's chart failed"
    assert digests_in(drafting, DRAFTER) == (1, 0)
    assert digests_in(drafting, SECOND_DRAFTER) == (0, 0)
    await drafting.restart()  # the retry could as well be the job's: the ledger decides
    assert digests_in(drafting, DRAFTER) == (1, 1)
    assert digests_in(drafting, SECOND_DRAFTER) == (1, 1)


async def test_a_drafter_removed_before_delivery_never_receives_the_prepared_digest(
    drafting: Hearing, clock: Clock
) -> None:
    clock.now = at(27, 20, 0)
    # Telegram is down while the digest goes out: every part is prepared, none is sent.
    drafting.emu.inject_error("sendMessage", 502, "Bad Gateway", times=1 + OTHER_RETRIES)
    assert not await run_digest_job(drafting)
    assert digests_in(drafting, DRAFTER) == digests_in(drafting, SECOND_DRAFTER) == (0, 0)
    await drafting.stop()
    # The second drafter is removed from the settings before the bot comes back.
    drafting.settings = replace(drafting.settings, drafter_ids=frozenset({DRAFTER}))
    await drafting.start()
    assert digests_in(drafting, DRAFTER) == (1, 1)
    assert digests_in(drafting, SECOND_DRAFTER) == (0, 0), "the role is checked at delivery"
    parts = await query(
        drafting.settings.database_path,
        "SELECT recipient, COUNT(sent_at), COUNT(withheld_at), COUNT(*) FROM digest_parts"
        " GROUP BY recipient ORDER BY recipient",
    )
    assert [(r, sent, withheld) for r, sent, withheld, _ in parts] == [
        (DRAFTER, parts[0][3], 0),
        (SECOND_DRAFTER, 0, parts[1][3]),
    ], "recorded as withheld, never sent"
    kept = await query(
        drafting.settings.database_path,
        "SELECT COUNT(*) FROM digest_parts WHERE recipient = ? AND body IS NOT NULL",
        SECOND_DRAFTER,
    )
    assert kept == [(0,)], "a withheld part's text is not kept either"
    done = await query(drafting.settings.database_path, "SELECT completed_at FROM digests")
    assert done[0][0] is not None, "the digest is complete: nothing is left to retry"
    await drafting.restart()
    assert digests_in(drafting, SECOND_DRAFTER) == (0, 0)


async def test_a_drafter_who_cannot_be_reached_does_not_block_the_others(
    drafting: Hearing, clock: Clock
) -> None:
    drafting.emu.block(SECOND_DRAFTER)
    clock.now = at(27, 20, 0)
    assert await run_digest_job(drafting)
    assert digests_in(drafting, DRAFTER) == (1, 1)
    drafting.emu.unblock(SECOND_DRAFTER)
    assert await run_digest_job(drafting)
    assert digests_in(drafting, SECOND_DRAFTER) == (0, 0), "skipped, not retried for ever"


async def test_digest_on_demand_is_for_drafters_only(drafting: Hearing) -> None:
    replies = await drafting.say(CITIZEN, "/digest")
    assert [m.plain_text() for m in replies] == ["Sorry, this is only for the hearing's drafters."]
    replies = await drafting.say(DRAFTER, "/digest")
    assert (
        "Here is the digest so far (the daily digest is sent at 20:00)" in replies[0].plain_text()
    )
    assert TITLE in replies[1].plain_text() and replies[-1].kind == "photo"
    assert digests_in(drafting, SECOND_DRAFTER) == (0, 0)


async def test_a_digest_part_refused_for_good_is_skipped(drafting: Hearing, clock: Clock) -> None:
    clock.now = at(27, 20, 0)
    drafting.emu.inject_error("sendPhoto", 400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
    assert await run_digest_job(drafting)
    assert digests_in(drafting, DRAFTER) == (1, 0)
    assert digests_in(drafting, SECOND_DRAFTER) == (1, 1)
    clock.now = at(28, 20, 0)
    assert await run_digest_job(drafting)
    assert digests_in(drafting, DRAFTER) == (2, 1), "the next day's digest is not held up"


async def test_a_chart_too_tall_for_a_photo_is_sent_as_a_file(
    emu: Emulator, tmp_path: Path, clock: Clock
) -> None:
    plan = tmp_path / "long-plan.md"
    items = "\n".join(f"{n}. Item number {n} of a very long plan." for n in range(1, 121))
    plan.write_text(f"# A long plan\n\nA preamble.\n\n{items}\n", encoding="utf-8")
    settings = replace(make_settings(tmp_path), drafter_ids=frozenset({DRAFTER}), plan_path=plan)
    hearing = Hearing(emu, settings, clock)
    await hearing.start()
    try:
        await hearing.say(DRAFTER, "/help")
        clock.now = at(27, 20, 0)
        assert await run_digest_job(hearing)
        chart = hearing.emu.messages(DRAFTER)[-1]
        assert chart.kind == "document" and chart.file_name == "digest-chart.png"
        assert png_size(chart.file_bytes or b"")[1] > 10_000 - 1080
    finally:
        await hearing.stop()


async def digest_now(hearing: Hearing, drafter: int) -> list[str]:
    """Ask for /digest; return what came back (texts, and each photo's bytes as text)."""
    replies = await hearing.say(drafter, "/digest")
    return [m.plain_text() if m.kind == "text" else repr(m.file_bytes) for m in replies]


async def test_two_digests_on_demand_around_one_answer_are_the_same(
    drafting: Hearing, clock: Clock
) -> None:
    for citizen in range(601, 607):
        await drafting.answer_item(citizen, "3", "👍 Support")
    before = await digest_now(drafting, DRAFTER)
    assert "👍 6 (100%)" in before[1], "six answers: shown"
    assert "figures are those last published" in before[0], "the message says which"
    await drafting.answer_item(607, "3", "👎 Oppose")  # one person, between the two requests
    after = await digest_now(drafting, DRAFTER)
    assert after == before, "nothing in them tells how the one person answered"
    for citizen in range(608, 612):
        await drafting.answer_item(citizen, "3", "👎 Oppose")
    moved = await digest_now(drafting, DRAFTER)
    assert "👍 6 (55%)" in moved[1] and "👎 5 (45%)" in moved[1], "five people since: shown"
    clock.now = at(27, 20, 0)
    assert await run_digest_job(drafting)
    scheduled = drafting.emu.messages(DRAFTER)[-2].plain_text()
    assert "👍 6 (55%)" in scheduled, "the scheduled digest shows the same release"
