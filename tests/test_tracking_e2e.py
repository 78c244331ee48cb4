"""Tracking in Telegram: the guided flow for one item, its history, roles and bad input."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import Emulator
from bot.views.codec import Action, encode
from tests.after_support import CITIZEN, DRAFTER, OVERSEER, forged, running
from tests.harness import Clock, Hearing, at, query

FSI, PDI = "\u2068", "\u2069"


@pytest.fixture
async def hearing(
    emu: Emulator, tmp_path: Path, database_url: str | None, clock: Clock
) -> AsyncIterator[Hearing]:
    """A hearing with a drafter and an overseer."""
    async with running(emu, tmp_path, clock) as started:
        yield started


async def history(hearing: Hearing) -> list[tuple[object, ...]]:
    """Every recorded tracking change: item, field, before, after, source."""
    return await query(
        hearing.settings.database_path,
        "SELECT item_id, field, old_value, new_value, source FROM tracking_history ORDER BY id",
    )


async def open_card(hearing: Hearing, user: int, item: str = "18") -> None:
    """Open an item's tracking card with /track and the item's button."""
    await hearing.say(user, "/track")
    await hearing.press(user, item)
    assert "What do you want to set?" in hearing.last(user).plain_text()


async def test_a_drafter_sets_status_body_deadline_and_metric(hearing: Hearing) -> None:
    await open_card(hearing, DRAFTER)
    card = hearing.last(DRAFTER)
    assert "📝 Proposed" in card.plain_text()
    await hearing.press(DRAFTER, "Status", card)
    await hearing.press(DRAFTER, "🚧 In progress")
    assert "🚧 In progress" in hearing.last(DRAFTER).plain_text()
    await hearing.press(DRAFTER, "Responsible body")
    await hearing.say(DRAFTER, "Ministry of Interior")
    await hearing.press(DRAFTER, "Deadline")
    await hearing.say(DRAFTER, "2027-06-30")
    await hearing.press(DRAFTER, "📏 New metric")
    await hearing.say(DRAFTER, "People under protection | people | 0 | 500")
    await hearing.press(DRAFTER, "📈 Metric value")
    await hearing.press(DRAFTER, "People under protection")
    await hearing.say(DRAFTER, "125")
    text = hearing.last(DRAFTER).plain_text()
    assert "🏛 Responsible: Ministry of Interior" in text
    assert "📅 Deadline: 30 Jun 2027" in text
    assert "People under protection: 125 on 27 Nov 2026" in text
    assert "▰▰▱▱▱▱▱▱▱▱ 25%" in text
    assert await history(hearing) == [
        ("18", "status", "proposed", "in_progress", "telegram"),
        ("18", "responsible", None, "Ministry of Interior", "telegram"),
        ("18", "deadline", None, "2027-06-30", "telegram"),
        ("18", "metric:People under protection", None, "people | 0 | 500", "telegram"),
        ("18", "value:People under protection", None, "125 (2026-11-27)", "telegram"),
    ]


async def test_every_change_keeps_who_when_and_what_it_was(hearing: Hearing, clock: Clock) -> None:
    await open_card(hearing, DRAFTER)
    await hearing.press(DRAFTER, "Status")
    await hearing.press(DRAFTER, "✅ Adopted")
    clock.now = at(28)
    await open_card(hearing, OVERSEER)
    await hearing.press(OVERSEER, "Status")
    await hearing.press(OVERSEER, "🏁 Done")
    await hearing.press(OVERSEER, "🕓 History", hearing.with_buttons(OVERSEER))
    shown = hearing.last(OVERSEER).plain_text()
    assert "Tracking history of item 18 (times in Asia/Karachi)" in shown
    assert "27 Nov 2026 10:00 · status: 📝 Proposed → ✅ Adopted" in shown, "Karachi, not UTC"
    assert "28 Nov 2026 10:00 · status: ✅ Adopted → 🏁 Done" in shown
    assert "UTC" not in shown and "05:00" not in shown
    rows = await query(hearing.settings.database_path,
                       "SELECT actor, changed_at FROM tracking_history ORDER BY id")  # fmt: skip
    assert rows[0][0] != rows[1][0], "the drafter and the overseer are told apart"
    assert str(rows[0][1]).startswith("2026-11-27") and str(rows[1][1]).startswith("2026-11-28")
    for actor, _ in rows:
        assert str(DRAFTER) not in str(actor) and str(OVERSEER) not in str(actor)


async def test_an_urdu_reader_sees_the_history_in_urdu_and_local_time(
    hearing: Hearing, clock: Clock
) -> None:
    await hearing.say(OVERSEER, "/language")
    await hearing.press(OVERSEER, "اردو")
    clock.now = at(27, 23, 30)  # 18:30 UTC: the day differs too
    await hearing.say(OVERSEER, "/track")
    await hearing.press(OVERSEER, "18")
    await hearing.press(OVERSEER, "کیفیت")
    await hearing.press(OVERSEER, "✅ منظور شدہ")
    await hearing.press(OVERSEER, "🕓 تاریخچہ", hearing.with_buttons(OVERSEER))
    shown = hearing.last(OVERSEER).plain_text()
    assert f"(اوقات {FSI}پاکستان کا وقت{PDI} میں)" in shown
    assert "27 نومبر 2026 23:30" in shown, "the Karachi day and time, the month in Urdu"
    assert "UTC" not in shown and "Nov" not in shown and "18:30" not in shown


@pytest.mark.parametrize(
    ("button", "text", "answer"),
    [
        ("Deadline", "next June", "is not a date"),
        ("Responsible body", "   ", "looks empty"),
        ("📏 New metric", "People | people | none | 500", "is not a number"),
        ("📏 New metric", "People under protection", "four parts"),
    ],
)
async def test_bad_values_are_refused_and_change_nothing(
    hearing: Hearing, button: str, text: str, answer: str
) -> None:
    await open_card(hearing, DRAFTER)
    await hearing.press(DRAFTER, button)
    replies = await hearing.say(DRAFTER, text)
    assert answer in replies[0].plain_text() and "Send it again" in replies[0].plain_text()
    assert await history(hearing) == []
    await hearing.say(DRAFTER, "2027-01-31" if button == "Deadline" else "Ministry | x | 1 | 2")
    assert len(await history(hearing)) == 1, "the same question is still open"


async def test_a_non_numeric_metric_value_is_refused(hearing: Hearing) -> None:
    await open_card(hearing, DRAFTER)
    await hearing.press(DRAFTER, "📏 New metric")
    await hearing.say(DRAFTER, "Convictions & acquittals | % | 10 | 40")
    await hearing.press(DRAFTER, "📈 Metric value")
    await hearing.press(DRAFTER, "Convictions & acquittals")
    replies = await hearing.say(DRAFTER, "about twenty")
    assert "is not a number" in replies[0].plain_text()
    assert len(await history(hearing)) == 1


async def test_unknown_items_are_refused(hearing: Hearing) -> None:
    replies = await hearing.say(DRAFTER, "/track 42")
    assert "that item does not exist" in replies[0].plain_text()
    answer = await forged(hearing, DRAFTER, encode(Action.TRACK_STATUS, "42", "done"))
    assert "that item does not exist" in answer
    assert await history(hearing) == []


async def test_citizens_cannot_set_tracking(hearing: Hearing) -> None:
    replies = await hearing.say(CITIZEN, "/track 18")
    assert "only the hearing's drafters and its oversight committee" in replies[0].plain_text()
    for data in (encode(Action.TRACK_STATUS, "18", "done"), encode(Action.TRACK_HISTORY, "18")):
        assert "oversight committee" in await forged(hearing, CITIZEN, data)
    assert await history(hearing) == []


async def test_the_oversight_committee_cannot_edit_the_plan_or_ask(hearing: Hearing) -> None:
    sid = await hearing.suggest(CITIZEN, "18", "Protect judges and jail staff as well")
    await hearing.say(OVERSEER, "/help")
    answer = await forged(hearing, OVERSEER, encode(Action.MERGE, sid, "17"))
    assert "only for the hearing's drafters" in answer
    replies = await hearing.say(OVERSEER, "/ask 18 supported Who else needs protection?")
    assert "only for the hearing's drafters" in replies[0].plain_text()
    rows = await query(hearing.settings.database_path, "SELECT COUNT(*) FROM suggestion_responses")
    assert rows == [(0,)]
    assert await query(hearing.settings.database_path,
                       "SELECT COUNT(*) FROM follow_up_questions") == [(0,)]  # fmt: skip


async def test_tracking_survives_a_restart(hearing: Hearing) -> None:
    await open_card(hearing, DRAFTER)
    await hearing.press(DRAFTER, "Deadline")
    await hearing.restart()
    await hearing.say(DRAFTER, "2027-03-31")
    assert "📅 Deadline: 31 Mar 2027" in hearing.last(DRAFTER).plain_text()
