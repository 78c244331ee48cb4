"""A way back from every prompt: Cancel, Back that cancels, No, proposals, the progress bar."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.emulator import Emulator, SentMessage
from bot.hearing.privacy import pseudonym
from tests.harness import SECRET, Hearing, make_settings, query

ANA, BILAL, CHAND = 8101, 8102, 8103
DRAFTER = 8901
CANCEL = "✖️ Cancel"
SUGGEST = "✍️ Add a suggestion"
PROPOSE = "\u2795 Propose a new item"


@pytest.fixture
async def drafting(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> AsyncIterator[Hearing]:
    """A running hearing with a drafter."""
    hearing = Hearing(emu, replace(make_settings(tmp_path), drafter_ids=frozenset({DRAFTER})))
    await hearing.start()
    try:
        yield hearing
    finally:
        await hearing.stop()


async def position(hearing: Hearing, user: int) -> tuple[object, ...]:
    """Return where a citizen stands: the current item, the step and any awaited text."""
    rows = await query(hearing.settings.database_path,
                       "SELECT p.current_item, p.step, a.kind FROM participants p"
                       " LEFT JOIN awaited_inputs a ON a.participant_id = p.id WHERE p.id = ?",
                       pseudonym(SECRET, user))  # fmt: skip
    return rows[0]


async def count(hearing: Hearing, sql: str) -> int:
    """Count rows in the bot's database."""
    return int(str((await query(hearing.settings.database_path, sql))[0][0]))


async def forged(hearing: Hearing, user: int, message: SentMessage, data: str) -> str:
    """Press button data that may not be on the message; return the toast."""
    update_id = hearing.emu.press_button(user, message.message_id, data, check=False)
    await hearing.settle()
    answer = hearing.emu.answer_for(update_id)
    assert answer is not None
    return str(answer.get("text", ""))


async def toast_of(hearing: Hearing, user: int, message: SentMessage, label: str) -> str:
    """Press a button on a message; return the toast."""
    update_id = hearing.emu.press(user, message.message_id, label)
    await hearing.settle()
    answer = hearing.emu.answer_for(update_id)
    assert answer is not None
    return str(answer.get("text", ""))


def now(hearing: Hearing, message: SentMessage) -> SentMessage:
    """Return a message as it stands now (after edits)."""
    return hearing.emu.message(message.chat_id, message.message_id) or message


async def test_cancel_and_back_at_the_suggestion_prompt_return_to_the_item(
    hearing: Hearing,
) -> None:
    item = await hearing.answer_item(ANA, "10")
    await hearing.press(ANA, SUGGEST, item)
    prompt = now(hearing, item)
    assert "Send your suggestion" in prompt.plain_text() and "item 10" in prompt.plain_text()
    assert prompt.button_labels() == [CANCEL, "Skip ➡️", "↗️ Share"], "Cancel, not Back"
    await hearing.press(ANA, CANCEL, prompt)
    back_at = now(hearing, item)
    assert back_at.message_id == item.message_id, "the same message, one step back"
    assert "Would you like to add a suggestion" in back_at.plain_text()
    assert "Item 10 of 20" in back_at.plain_text() and SUGGEST in back_at.button_labels()
    assert await position(hearing, ANA) == ("10", "suggest", None)
    replies = await hearing.say(ANA, "This text is not a suggestion any more")
    assert "Please answer with the buttons" in replies[0].plain_text()
    assert await count(hearing, "SELECT COUNT(*) FROM suggestions") == 0

    # Back from a prompt (an older keyboard, or a forged press) cancels it too: never item 9.
    await hearing.press(ANA, SUGGEST, item)
    assert await forged(hearing, ANA, item, "v1:bk:10") == "Cancelled."
    assert await position(hearing, ANA) == ("10", "suggest", None)
    assert "Item 10 of 20" in now(hearing, item).plain_text()
    # A restart in the middle of a prompt: Cancel still works.
    await hearing.press(ANA, SUGGEST, item)
    await hearing.restart()
    await hearing.press(ANA, CANCEL, now(hearing, item))
    assert await position(hearing, ANA) == ("10", "suggest", None)
    # Bad presses change nothing.
    assert "does not exist" in await forged(hearing, ANA, item, "v1:sx:99")
    assert "not valid" in await forged(hearing, ANA, item, "v1:sx:x")
    # Cancel on an item the citizen has left does not move them.
    await hearing.press(ANA, SUGGEST, item)
    await hearing.open_link(ANA, "item-3")
    assert await forged(hearing, ANA, item, "v1:sx:10") == "Cancelled."
    assert await position(hearing, ANA) == ("3", "stance", None)


async def test_every_other_text_prompt_has_cancel(drafting: Hearing) -> None:
    hearing = drafting
    [prompt] = await hearing.say(ANA, "/propose")
    assert prompt.button_labels() == [CANCEL]
    await hearing.press(ANA, CANCEL, prompt)
    assert now(hearing, prompt).plain_text() == "✖️ Cancelled: nothing was saved."
    assert now(hearing, prompt).button_labels() == []
    await hearing.say(ANA, "A new item about schools")
    assert await count(hearing, "SELECT COUNT(*) FROM suggestions") == 0, "not a proposal"

    # A prompt answered already: its Cancel says so and retires, the proposal stays.
    [prompt] = await hearing.say(ANA, "/propose")
    await hearing.say(ANA, "Protect journalists who report on militancy")
    assert await count(hearing, "SELECT COUNT(*) FROM suggestions") == 1
    assert "Nothing to cancel" in await toast_of(hearing, ANA, prompt, CANCEL)
    assert now(hearing, prompt).button_labels() == [], "the button is retired"
    assert await count(hearing, "SELECT COUNT(*) FROM suggestions WHERE status = 'visible'") == 1
    # A Cancel for another kind of prompt leaves this one waiting; a forged kind is refused.
    [prompt] = await hearing.say(ANA, "/propose")
    assert "Nothing to cancel" in await forged(hearing, ANA, prompt, "v1:ci:broadcast")
    assert "not valid" in await forged(hearing, ANA, prompt, "v1:ci:anything")
    assert (await position(hearing, ANA))[2] == "proposal"

    # The drafters' prompts: a broadcast, a reply to an author, a tracking field.
    [prompt] = await hearing.say(DRAFTER, "/broadcast")
    assert prompt.button_labels() == [CANCEL]
    await hearing.press(DRAFTER, CANCEL, prompt)
    replies = await hearing.say(DRAFTER, "Hello everyone")
    assert not any("Send this update" in m.plain_text() for m in replies), "no broadcast drafted"
    assert await count(hearing, "SELECT COUNT(*) FROM broadcasts") == 0
    sid = await hearing.suggest(BILAL, "4", "More schools in the tribal areas")
    [card] = await hearing.say(DRAFTER, f"/start d-{sid}")
    await hearing.press(DRAFTER, "💬 Reply to the author", card)
    prompt = hearing.last(DRAFTER)
    assert "Send your reply" in prompt.plain_text() and prompt.button_labels() == [CANCEL]
    await hearing.press(DRAFTER, CANCEL, prompt)
    await hearing.say(DRAFTER, "Thank you for this")
    assert await count(hearing, "SELECT COUNT(*) FROM suggestion_responses") == 0
    [card] = await hearing.say(DRAFTER, "/track 3")
    await hearing.press(DRAFTER, "Responsible body", card)
    prompt = hearing.last(DRAFTER)
    assert prompt.button_labels() == [CANCEL]
    await hearing.press(DRAFTER, CANCEL, prompt)
    assert (await position(hearing, DRAFTER))[2] is None


async def test_vote_on_proposed_items_is_never_a_dead_end(hearing: Hearing) -> None:
    [prompt] = await hearing.say(CHAND, "/propose")
    await forged(hearing, CHAND, prompt, "v1:nv")  # the button the end of the plan offers
    none_yet = hearing.last(CHAND)
    assert "Nobody has proposed a new item yet" in none_yet.plain_text()
    assert none_yet.button_labels() == [PROPOSE, "📋 All items"]
    await hearing.say(ANA, "/propose")
    await hearing.say(ANA, "Protect journalists who report on militancy")
    saved = hearing.last(ANA)
    await hearing.press(ANA, "🗳 Vote on proposed items", saved)
    own = hearing.last(ANA)
    assert "The only proposed items so far are your own" in own.plain_text()
    assert own.button_labels() == [PROPOSE, "📋 All items"]
    await hearing.press(ANA, "📋 All items", own)
    assert "the 20 items" in hearing.last(ANA).plain_text()
    await hearing.press(ANA, PROPOSE, own)
    assert hearing.last(ANA).button_labels() == [CANCEL]

    await hearing.say(BILAL, "/propose")
    await hearing.say(BILAL, "Teach peace in every school")
    saved = hearing.last(BILAL)
    await hearing.press(BILAL, "🗳 Vote on proposed items", saved)
    card = hearing.last(BILAL)
    assert "Protect journalists" in card.plain_text()
    await hearing.press(BILAL, "👍 Agree", card)
    await hearing.press(BILAL, "🗳 Vote on proposed items", saved)
    assert "You have voted on every item others have proposed" in hearing.last(BILAL).plain_text()


async def test_the_withdraw_question_can_be_answered_no(hearing: Hearing) -> None:
    sid = await hearing.suggest(ANA, "6", "Publish civilian casualty figures")
    other = await hearing.suggest(BILAL, "6", "Train police in precise operations")
    await hearing.say(ANA, "/mine")
    await hearing.press(ANA, f"Withdraw #{sid} (item 6)")
    question = hearing.last(ANA)
    assert question.button_labels() == ["Yes, withdraw it", "No, keep it"]
    await hearing.press(ANA, "No, keep it", question)
    assert now(hearing, question).plain_text() == "Kept: it is still shown to others."
    assert now(hearing, question).button_labels() == []
    assert await count(hearing, f"SELECT COUNT(*) FROM suggestions WHERE id = {sid}"
                                " AND status = 'visible'") == 1  # fmt: skip
    assert "Only the author" in await forged(hearing, ANA, question, f"v1:wn:{other}")
    assert "not valid" in await forged(hearing, ANA, question, "v1:wn:0")


async def test_the_progress_bar_counts_answered_items_not_the_position(hearing: Hearing) -> None:
    await hearing.say(ANA, "/start")
    await hearing.press(ANA, "Begin")
    first = hearing.with_buttons(ANA)
    assert "Item 1 of 20  ▱▱▱▱▱▱▱▱▱▱  0 of 20 answered" in first.plain_text()
    await hearing.press(ANA, "👍 Support", first)
    assert "Item 1 of 20  ▰▱▱▱▱▱▱▱▱▱  1 of 20 answered" in now(hearing, first).plain_text()
    await hearing.open_link(ANA, "item-12")
    twelfth = hearing.last(ANA)
    assert "Item 12 of 20  ▰▱▱▱▱▱▱▱▱▱  1 of 20 answered" in twelfth.plain_text(), (
        "the position is in the words; the bar shows what is answered"
    )
    for n in range(2, 20):
        await hearing.answer_item(ANA, str(n), "🤔 Unsure", "Low")
    last = await hearing.answer_item(ANA, "20", "🤔 Unsure", "Low")
    assert "Item 20 of 20  ▰▰▰▰▰▰▰▰▰▰  20 of 20 answered" in now(hearing, last).plain_text()
