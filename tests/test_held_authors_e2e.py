"""Authors of held suggestions: told which rule held it (never the blocklisted word), able to
correct or withdraw it; private information is a reason of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.emulator import Emulator, SentMessage
from tests.harness import Hearing, make_settings, query

ANA, BILAL, CHAND = 9101, 9102, 9103
MOD = 9901
PHONE = "Call me on 0300-1234567 about the checkpoint"
HELD_BUTTONS = ["✏️ Correct it", "🗑 Withdraw it"]


@pytest.fixture
async def moderated(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> AsyncIterator[Hearing]:
    """A running hearing with one moderator."""
    hearing = Hearing(emu, replace(make_settings(tmp_path), moderator_ids=frozenset({MOD})))
    await hearing.start()
    try:
        yield hearing
    finally:
        await hearing.stop()


async def statuses(hearing: Hearing) -> list[tuple[object, ...]]:
    """Return every suggestion's id, text and status."""
    return await query(hearing.settings.database_path,
                       "SELECT id, text, status FROM suggestions ORDER BY id")  # fmt: skip


def held_notice(hearing: Hearing, user: int) -> SentMessage:
    """Return the latest notice that a suggestion waits for a moderator."""
    found = [m for m in hearing.emu.messages(user) if m.button_labels() == HELD_BUTTONS]
    assert found, "the author was told it is held, with a way to correct or withdraw it"
    return found[-1]


async def test_a_held_author_is_told_why_and_can_correct_it(moderated: Hearing) -> None:
    hearing = moderated
    held = await hearing.suggest(ANA, "10", PHONE)
    notice = held_notice(hearing, ANA)
    text = notice.plain_text()
    assert "a moderator will look at it, because it seems to contain a phone number" in text
    assert "0300" not in text, "the data itself is not repeated"
    # Correct it: a prompt with Cancel; cancelling keeps the held one.
    await hearing.press(ANA, "✏️ Correct it", notice)
    prompt = hearing.last(ANA)
    assert "Send the corrected suggestion on item 10" in prompt.plain_text()
    assert prompt.button_labels() == ["✖️ Cancel"]
    await hearing.press(ANA, "✖️ Cancel", prompt)
    assert await statuses(hearing) == [(held, PHONE, "pending")]
    # Again, and send the corrected text: it is posted, and the held one withdrawn.
    await hearing.press(ANA, "✏️ Correct it", notice)
    replies = await hearing.say(ANA, "Ask the checkpoint staff to publish their hours")
    said = [m.plain_text() for m in replies]
    assert any("Your suggestion on item 10 is saved" in m for m in said)
    assert any(f"The suggestion #{held} that was waiting for a moderator is withdrawn" in m
               for m in said)  # fmt: skip
    rows = await statuses(hearing)
    assert [(r[0], r[2]) for r in rows] == [(held, "withdrawn"), (held + 1, "visible")]
    [empty] = await hearing.say(MOD, "/queue")
    assert "The moderation queue is empty" in empty.plain_text(), "a withdrawn post needs no one"
    # The same notice cannot correct it again.
    update_id = hearing.emu.press(ANA, notice.message_id, "✏️ Correct it")
    await hearing.settle()
    answer = hearing.emu.answer_for(update_id) or {}
    assert "no longer waiting for a moderator" in str(answer.get("text"))


async def test_the_blocklist_is_named_as_a_rule_never_by_its_word(moderated: Hearing) -> None:
    hearing = moderated
    await hearing.suggest(ANA, "2", "Molvi sahib ne kaha ye banda wajibul qatal hai, saza do")
    text = held_notice(hearing, ANA).plain_text()
    assert "words that the hearing's rules ask a moderator to read first" in text
    assert "wajib" not in text.lower() and "qat" not in text.lower()
    await hearing.suggest(BILAL, "3", "Read the full report at https://example.org/report")
    assert "because it contains a link" in held_notice(hearing, BILAL).plain_text()
    await hearing.suggest(CHAND, "4", "Write to tipoff.person@example.com with names")
    assert "an e-mail address" in held_notice(hearing, CHAND).plain_text()


async def test_a_held_author_can_withdraw_it(moderated: Hearing) -> None:
    hearing = moderated
    held = await hearing.suggest(ANA, "10", PHONE)
    await hearing.press(ANA, "🗑 Withdraw it", held_notice(hearing, ANA))
    question = hearing.last(ANA)
    assert question.button_labels() == ["Yes, withdraw it", "No, keep it"]
    await hearing.press(ANA, "Yes, withdraw it", question)
    assert await statuses(hearing) == [(held, PHONE, "withdrawn")]
    mine = "\n".join(m.plain_text() for m in await hearing.say(ANA, "/mine"))
    assert "· withdrawn" in mine
    # /mine offers to withdraw one that is still held.
    other = await hearing.suggest(ANA, "11", "My number is 0301 7654321, call me")
    mine_message = (await hearing.say(ANA, "/mine"))[-1]
    assert f"Withdraw #{other} (item 11)" in mine_message.button_labels()


async def test_private_information_is_a_reason_of_its_own(moderated: Hearing) -> None:
    hearing = moderated
    await hearing.suggest(ANA, "10", PHONE)
    [card] = await hearing.say(MOD, "/queue")
    await hearing.press(MOD, "🙈 Hide", card)
    reasons = hearing.emu.message(MOD, card.message_id)
    assert reasons is not None
    assert reasons.button_labels()[2:4] == ["Personal attack", "Private information"]
    await hearing.press(MOD, "Private information", reasons)
    notice = hearing.last(ANA).plain_text()
    assert "has hidden your suggestion" in notice and "The reason: Private information." in notice
    assert "attack" not in notice
    log = await query(hearing.settings.database_path,
                      "SELECT action, reason FROM moderation_log ORDER BY id")  # fmt: skip
    assert log == [("flagged", "personal_data"), ("hide", "private_data")]


async def test_bad_corrections_are_refused(moderated: Hearing) -> None:
    hearing = moderated
    held = await hearing.suggest(ANA, "10", PHONE)
    shown = await hearing.suggest(BILAL, "12", "Publish the number of cases decided every month")
    message = hearing.last(BILAL).message_id
    for user, data, refusal in (
        (BILAL, f"v1:hc:{held}", "Only the author"),
        (BILAL, f"v1:hc:{shown}", "no longer waiting for a moderator"),
        (BILAL, "v1:hc:0", "not valid"),
        (BILAL, "v1:hc:999", "Only the author"),
    ):
        update_id = hearing.emu.press_button(user, message, data, check=False)
        await hearing.settle()
        assert refusal in str((hearing.emu.answer_for(update_id) or {}).get("text")), data
    # A correction that is itself held: told again why; the first one is withdrawn.
    await hearing.press(ANA, "✏️ Correct it", held_notice(hearing, ANA))
    await hearing.say(ANA, "Then write to me at ana.person@example.com instead")
    assert "an e-mail address" in held_notice(hearing, ANA).plain_text()
    assert [r[2] for r in await statuses(hearing)] == ["withdrawn", "visible", "pending"]
