"""A citizen walks the whole seed plan through the real Application and the emulator."""

from __future__ import annotations

import itertools

from bot.hearing.plan import Plan
from bot.hearing.privacy import pseudonym
from tests.harness import SECRET, Hearing, query

CITIZEN = 501
STANCE_LABELS = {"support": "👍 Support", "oppose": "👎 Oppose", "unsure": "🤔 Unsure"}
PRIORITY_LABELS = {"high": "High", "medium": "Medium", "low": "Low"}
SHARE = "↗️ Share"


async def test_full_walkthrough_of_the_seed_plan(hearing: Hearing, plan: Plan) -> None:
    await hearing.say(CITIZEN, "/start")
    welcome = hearing.last(CITIZEN)
    assert plan.title in welcome.plain_text()
    assert "pseudonym" in welcome.plain_text()
    assert welcome.button_labels() == ["Begin", "✓ English", "اردو"], "the language offered"
    await hearing.press(CITIZEN, "Begin")

    stances = itertools.cycle(["support", "oppose", "unsure"])
    priorities = itertools.cycle(["high", "medium", "low", "high"])
    expected: dict[str, tuple[str, str]] = {}
    for position, item in enumerate(plan.items, start=1):
        message = hearing.with_buttons(CITIZEN)
        text = message.plain_text()
        assert f"Item {position} of {len(plan.items)}" in text
        assert item.text in text
        for sub in item.children:
            assert f"{sub.number}. {sub.text}" in text
        assert message.button_labels() == [*STANCE_LABELS.values(), "⬅️ Back", "Skip ➡️", SHARE]
        assert message.buttons()[-1][0][1] == (
            "https://t.me/share/url?url=https%3A%2F%2Ft.me%2Fhearing_test_bot%3Fstart%3Ditem-"
            f"{item.id}&text=Have+your+say+on+item+{item.id}+of+%E2%80%9CAnti-Terror+Action+Plan"
            "%E2%80%9D"
        )
        stance, priority = next(stances), next(priorities)
        await hearing.press(CITIZEN, STANCE_LABELS[stance], message)
        await hearing.press(CITIZEN, PRIORITY_LABELS[priority], message)
        points = [f"🔎 Its {len(item.children)} points, one by one"] if item.children else []
        assert hearing.emu.messages(CITIZEN)[-1].button_labels() == [
            "✍️ Add a suggestion",
            *points,  # the optional step, for items with sub-items
            "⬅️ Back",
            "Skip ➡️",
            SHARE,
        ]
        if position % 5 == 0:
            await hearing.press(CITIZEN, "✍️ Add a suggestion", message)
            await hearing.say(CITIZEN, f"  Suggestion on item {item.id} <b>&</b>  ")
        else:
            await hearing.press(CITIZEN, "Skip ➡️", message)
        expected[item.id] = (stance, priority)

    summary = hearing.last(CITIZEN).plain_text()
    assert "you have been through the whole plan" in summary
    assert f"You answered {len(plan.items)} of {len(plan.items)} items" in summary
    assert "Suggestions you wrote: 4." in summary

    pid = pseudonym(SECRET, CITIZEN)
    db_path = hearing.settings.database_path
    stored = await query(
        db_path, "SELECT item_id, stance, priority FROM stances WHERE participant_id = ?", pid
    )
    assert {r[0]: (r[1], r[2]) for r in stored} == expected
    suggestions = await query(db_path, "SELECT item_id, text FROM suggestions ORDER BY id")
    assert suggestions == [(str(n), f"Suggestion on item {n} <b>&</b>") for n in (5, 10, 15, 20)]
    participant = await query(db_path, "SELECT step, completed_at FROM participants")
    assert participant[0][0] == "finished" and participant[0][1] is not None
    # Pseudonymous storage: the Telegram id is only in the delivery table.
    assert (
        await query(
            db_path,
            "SELECT participant_id FROM stances WHERE participant_id LIKE ?",
            f"%{CITIZEN}%",
        )
        == []
    )
    assert await query(db_path, "SELECT chat_id FROM delivery") == [(CITIZEN,)]


async def test_suggestion_text_is_escaped_and_confirmed(hearing: Hearing) -> None:
    await begin(hearing)
    await hearing.press(CITIZEN, "👍 Support")
    await hearing.press(CITIZEN, "High")
    await hearing.press(CITIZEN, "✍️ Add a suggestion")
    assert "up to 1000 characters" in hearing.last(CITIZEN).plain_text()
    replies = await hearing.say(CITIZEN, "Register all <madaris> & mosques")
    assert "Register all <madaris> & mosques" in replies[0].plain_text()
    assert "&lt;madaris&gt; &amp;" in (replies[0].html or "")
    assert "Item 2 of 20" in replies[1].plain_text()


async def test_answering_again_replaces_the_answer_and_keeps_history(hearing: Hearing) -> None:
    await begin(hearing)
    await hearing.press(CITIZEN, "👍 Support")
    await hearing.press(CITIZEN, "High")
    await hearing.say(CITIZEN, "/items")
    await hearing.press(CITIZEN, "1")
    reopened = hearing.last(CITIZEN).plain_text()
    assert "Your earlier answer: Support · High priority" in reopened
    await hearing.press(CITIZEN, "👎 Oppose")
    await hearing.press(CITIZEN, "Low")
    db_path = hearing.settings.database_path
    assert await query(db_path, "SELECT stance, priority FROM stances") == [("oppose", "low")]
    history = await query(db_path, "SELECT stance, priority FROM stance_history ORDER BY id")
    assert history == [
        ("support", None),
        ("support", "high"),
        ("oppose", "high"),
        ("oppose", "low"),
    ]
    await hearing.say(CITIZEN, "/mine")
    assert "1. Oppose · Low priority" in hearing.last(CITIZEN).plain_text()


async def test_back_and_skip_move_between_items(hearing: Hearing) -> None:
    await begin(hearing)
    await hearing.press(CITIZEN, "Skip ➡️")
    assert "Item 2 of 20" in hearing.last(CITIZEN).plain_text()
    skipped = hearing.emu.messages(CITIZEN)[-2]
    assert skipped.buttons() == [] and "not answered" in skipped.plain_text()
    await hearing.press(CITIZEN, "⬅️ Back")
    assert "Item 1 of 20" in hearing.last(CITIZEN).plain_text()


async def test_items_lists_answers_and_jumps(hearing: Hearing, plan: Plan) -> None:
    await begin(hearing)
    await hearing.press(CITIZEN, "🤔 Unsure")
    await hearing.say(CITIZEN, "/items")
    listing = hearing.last(CITIZEN)
    assert "You answered 1" in listing.plain_text()
    assert "(Unsure)" in listing.plain_text()
    assert listing.button_labels() == [item.number for item in plan.items]
    await hearing.press(CITIZEN, "13")
    opened = hearing.last(CITIZEN).plain_text()
    assert "Item 13 of 20" in opened and "13.6. Iran" in opened


async def test_returning_citizen_is_offered_to_continue(hearing: Hearing) -> None:
    await begin(hearing)
    await hearing.press(CITIZEN, "Skip ➡️")
    await hearing.press(CITIZEN, "Skip ➡️")
    await hearing.say(CITIZEN, "/start")
    welcome = hearing.last(CITIZEN)
    assert welcome.button_labels() == ["Continue from item 3", "Start over"]
    await hearing.press(CITIZEN, "Start over")
    assert "Item 1 of 20" in hearing.last(CITIZEN).plain_text()
    await hearing.say(CITIZEN, "/start")
    await hearing.press(CITIZEN, "Continue from item 1")
    assert "Item 1 of 20" in hearing.last(CITIZEN).plain_text()


async def test_restart_in_the_middle_continues_exactly_there(hearing: Hearing) -> None:
    await begin(hearing)
    await hearing.press(CITIZEN, "👍 Support")
    await hearing.press(CITIZEN, "Medium")
    await hearing.press(CITIZEN, "✍️ Add a suggestion")
    await hearing.restart()
    # The awaited suggestion survives the restart: the next text is taken as the suggestion.
    replies = await hearing.say(CITIZEN, "Written after the restart")
    assert "Your suggestion on item 1 is saved" in replies[0].plain_text()
    assert "Item 2 of 20" in replies[1].plain_text()
    # A button from before the restart still works.
    item_two = hearing.with_buttons(CITIZEN)
    await hearing.restart()
    await hearing.press(CITIZEN, "👎 Oppose", item_two)
    assert "How high a priority" in hearing.emu.messages(CITIZEN)[-1].plain_text()
    db_path = hearing.settings.database_path
    assert await query(db_path, "SELECT text FROM suggestions") == [("Written after the restart",)]


async def begin(hearing: Hearing) -> None:
    """Open the bot and press Begin."""
    await hearing.say(CITIZEN, "/start")
    await hearing.press(CITIZEN, "Begin")
