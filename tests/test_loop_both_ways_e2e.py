"""Closing the loop both ways: an author answers the drafter, a changed decision is explained,
/mine shows outcomes and the item, the drafters' card shows the exchange."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.emulator import Emulator
from tests.harness import Hearing, background, make_settings, query

DRAFTER, OTHER_DRAFTER, AUTHOR, OTHER = 7501, 7502, 7601, 7602
ANSWER = "💬 Answer the drafter"
TEXT = "Protect judges as well as witnesses"


@pytest.fixture
async def drafting(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> AsyncIterator[Hearing]:
    """A hearing with two drafters who have opened the bot."""
    drafters = frozenset({DRAFTER, OTHER_DRAFTER})
    hearing = Hearing(emu, replace(make_settings(tmp_path), drafter_ids=drafters))
    await hearing.start()
    for drafter in drafters:
        await hearing.say(drafter, "/help")
    try:
        yield hearing
    finally:
        await hearing.stop()


async def reply(hearing: Hearing, sid: int, button: str, text: str) -> None:
    """As the drafter, open the suggestion's card and reply (or decline) with a text."""
    [card] = await hearing.say(DRAFTER, f"/start d-{sid}")
    await hearing.press(DRAFTER, button, card)
    await hearing.say(DRAFTER, text)


async def decide(hearing: Hearing, sid: int, button: str, item: str | None = None) -> None:
    """As the drafter, adopt a suggestion or merge it into an item."""
    [card] = await hearing.say(DRAFTER, f"/start d-{sid}")
    await hearing.press(DRAFTER, button, card)
    if item is not None:
        await hearing.press(DRAFTER, item)


async def test_an_author_answers_the_drafters_reply_once(drafting: Hearing) -> None:
    hearing = drafting
    sid = await hearing.suggest(AUTHOR, "18", TEXT)
    await reply(hearing, sid, "💬 Reply to the author", "Which judges do you mean?")
    notice = hearing.last(AUTHOR)
    assert "Which judges do you mean?" in notice.plain_text()
    assert notice.button_labels() == [ANSWER]
    await hearing.press(AUTHOR, ANSWER, notice)
    prompt = hearing.last(AUTHOR)
    assert "Send your answer to the drafters about suggestion" in prompt.plain_text()
    assert prompt.button_labels() == ["✖️ Cancel"]
    [sent] = await hearing.say(AUTHOR, "Anti-terrorism court judges, above all")
    assert sent.plain_text().startswith("✅ Sent: the drafters will read your answer")
    await background(hearing.app).outbox.wait_idle()
    for drafter in (DRAFTER, OTHER_DRAFTER):
        told = hearing.last(drafter).plain_text()
        assert f"The author of suggestion #{sid} answered your reply" in told, drafter
        assert "Anti-terrorism court judges, above all" in told
        assert str(AUTHOR) not in told
    # Once per reply: the button again is refused; the answer is on the drafters' card.
    update_id = hearing.emu.press(AUTHOR, notice.message_id, ANSWER)
    await hearing.settle()
    assert "already answered" in str((hearing.emu.answer_for(update_id) or {}).get("text"))
    [card] = await hearing.say(DRAFTER, f"/start d-{sid}")
    text = card.plain_text()
    assert "Earlier" in text and "💬 replied: Which judges do you mean?" in text
    assert "the author answered: Anti-terrorism court judges, above all" in text
    rows = await query(hearing.settings.database_path,
                       "SELECT suggestion_id, text FROM author_answers")  # fmt: skip
    assert rows == [(sid, "Anti-terrorism court judges, above all")]
    # The answer is the author's data: in /mydata, and erased with /delete.
    await hearing.say(AUTHOR, "/mydata")
    assert b"Anti-terrorism court judges" in (hearing.last(AUTHOR).file_bytes or b"")
    await hearing.say(AUTHOR, "/delete")
    await hearing.press(AUTHOR, "🗑 Yes, erase everything")
    assert await query(hearing.settings.database_path, "SELECT * FROM author_answers") == []


async def test_bad_answers_are_refused_and_change_nothing(drafting: Hearing) -> None:
    hearing = drafting
    sid = await hearing.suggest(AUTHOR, "18", TEXT)
    await decide(hearing, sid, "✅ Adopted")
    adopted = hearing.last(AUTHOR)
    assert adopted.button_labels() == [], "a bare decision has no words to answer"
    await reply(hearing, sid, "💬 Reply to the author", "We will write to the courts.")
    notice = hearing.last(AUTHOR)
    data = dict(b for row in notice.buttons() for b in row)[ANSWER]
    response = int(data.rsplit(":", 1)[1])
    for user, forged, refusal in (
        (OTHER, data, "Only the author"),
        (AUTHOR, f"v1:aw:{response - 1}", "does not exist"),  # the adoption: not answerable
        (AUTHOR, "v1:aw:0", "not valid"),
    ):
        update_id = hearing.emu.press_button(user, notice.message_id, forged, check=False)
        await hearing.settle()
        assert refusal in str((hearing.emu.answer_for(update_id) or {}).get("text")), forged
    await hearing.press(AUTHOR, ANSWER, notice)
    [empty] = await hearing.say(AUTHOR, "   ")
    assert empty.plain_text().startswith("That message looks empty")
    await hearing.press(AUTHOR, "✖️ Cancel", hearing.with_buttons(AUTHOR))
    await hearing.say(AUTHOR, "This is not an answer any more")
    assert await query(hearing.settings.database_path, "SELECT * FROM author_answers") == []


async def test_a_changed_decision_is_explained(drafting: Hearing) -> None:
    hearing = drafting
    sid = await hearing.suggest(AUTHOR, "18", TEXT)
    await decide(hearing, sid, "✅ Adopted")
    assert "Your suggestion was adopted" in hearing.last(AUTHOR).plain_text()
    assert "replaces" not in hearing.last(AUTHOR).plain_text(), "a first decision"
    await decide(hearing, sid, "🔀 Merged into an item", "17")
    told = hearing.last(AUTHOR).plain_text()
    assert "Your suggestion was merged into item 17" in told
    assert "This replaces the earlier decision: adopted." in told
    await reply(hearing, sid, "💬 Reply to the author", "Item 17 now covers judges too.")
    assert "replaces" not in hearing.last(AUTHOR).plain_text(), "a reply changes no decision"


async def test_mine_shows_the_item_and_what_became_of_each_suggestion(drafting: Hearing) -> None:
    hearing = drafting
    adopted = await hearing.suggest(AUTHOR, "18", TEXT)
    declined = await hearing.suggest(AUTHOR, "5", "Disband the provincial police")
    replied = await hearing.suggest(AUTHOR, "3", "Register every madrasa within a year")
    await decide(hearing, adopted, "✅ Adopted")
    await reply(hearing, declined, "❌ Declined", "The provinces keep their police.")
    await reply(hearing, replied, "💬 Reply to the author", "Thank you, noted.")
    mine = "\n".join(m.plain_text() for m in await hearing.say(AUTHOR, "/mine"))
    assert f"#{adopted} · item 18 (“An effective Witness Protection Program.”)" in mine
    assert "✅ Adopted by the drafters" in mine
    assert "❌ Declined by the drafters: The provinces keep their police." in mine
    assert "💬 The drafters replied: Thank you, noted." in mine
