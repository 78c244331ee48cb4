"""Follow-up questions to a segment: consent, the minimum group size, answers in the digest."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import Emulator
from bot.senders.digests import send_digests
from bot.views.codec import Action, encode
from tests.after_support import DRAFTER, forged, outbox_sent, running
from tests.harness import Clock, Hearing, at, query

OPPOSERS = (601, 602, 603)
SILENT_OPPOSER, SUPPORTER = 604, 605
QUESTION = "/ask 7 opposed What would make item 7 acceptable to you?"
ASKED = "A follow-up question from the drafters"


@pytest.fixture
async def hearing(
    emu: Emulator, tmp_path: Path, database_url: str | None, clock: Clock
) -> AsyncIterator[Hearing]:
    """A hearing with opposers and a supporter of item 7, whose minimum group is 2: a question
    needs a segment of 3 as published (2 * 2 - 1: bot/hearing/follow_up_questions.py)."""
    async with running(emu, tmp_path, clock, min_group_size=2) as started:
        for user in (*OPPOSERS, SILENT_OPPOSER):
            await started.answer_item(user, "7", "👎 Oppose")
        await started.answer_item(SUPPORTER, "7", "👍 Support")
        for user in (*OPPOSERS[:2], SUPPORTER):
            await accept(started, user)
        yield started


async def accept(hearing: Hearing, user: int) -> None:
    """Accept follow-up questions with /followups."""
    await hearing.say(user, "/followups")
    await hearing.press(user, "🙋 Yes, ask me follow-up questions")
    assert "You accept follow-up questions" in hearing.last(user).plain_text()


def asked(hearing: Hearing, user: int) -> bool:
    """Tell whether a citizen received the follow-up question."""
    return any(ASKED in m.plain_text() for m in hearing.emu.messages(user))


async def questions(hearing: Hearing) -> list[tuple[object, ...]]:
    """Every question: status and audience."""
    return await query(hearing.settings.database_path,
                       "SELECT status, audience FROM follow_up_questions")  # fmt: skip


async def test_a_segment_below_the_minimum_is_refused(hearing: Hearing) -> None:
    replies = await hearing.say(DRAFTER, QUESTION)
    assert "Too few citizens in that group accept follow-up questions (at least 3" in (
        replies[0].plain_text()
    )
    assert await questions(hearing) == []
    assert not any(asked(hearing, user) for user in (*OPPOSERS, SILENT_OPPOSER, SUPPORTER))


async def test_only_the_segment_who_accepted_is_asked_and_answers_reach_the_digest(
    hearing: Hearing, clock: Clock
) -> None:
    await accept(hearing, OPPOSERS[2])
    replies = await hearing.say(DRAFTER, QUESTION)
    assert "will go to about 3 citizens who opposed item 7" in replies[0].plain_text()
    await hearing.press(DRAFTER, "❓ Send it")
    assert "Sending to about 3 citizens" in hearing.last(DRAFTER).plain_text()
    await outbox_sent(hearing)
    assert [asked(hearing, user) for user in OPPOSERS] == [True, True, True]
    assert not asked(hearing, SILENT_OPPOSER), "never accepted follow-up questions"
    assert not asked(hearing, SUPPORTER), "not in the segment"
    message = hearing.last(OPPOSERS[0])
    assert "You are asked because you opposed item 7" in message.plain_text()
    await hearing.press(OPPOSERS[0], "✍️ Answer", message)
    replies = await hearing.say(OPPOSERS[0], "Oversight by parliament, not only the army")
    assert "your answer about item 7 reaches the drafters" in replies[0].plain_text()
    rows = await query(hearing.settings.database_path,
                       "SELECT item_id, text, question_id FROM suggestions")  # fmt: skip
    assert rows == [("7", "Oversight by parliament, not only the army", 1)]
    clock.now = at(27, 20, 5)
    assert hearing.app is not None
    await send_digests(hearing.app)
    digest = "\n".join(m.plain_text() for m in hearing.emu.messages(DRAFTER))
    assert "Follow-up #1 to those who opposed item 7 (3 asked, 1 answered)" in digest
    assert "“Oversight by parliament, not only the army”" in digest


async def test_someone_not_asked_cannot_answer(hearing: Hearing) -> None:
    await accept(hearing, OPPOSERS[2])
    await hearing.say(DRAFTER, QUESTION)
    await hearing.press(DRAFTER, "❓ Send it")
    await outbox_sent(hearing)
    await hearing.say(SILENT_OPPOSER, "/help")
    answer = await forged(hearing, SILENT_OPPOSER, encode(Action.ANSWER, 1))
    assert "was not sent to you" in answer
    await hearing.say(SILENT_OPPOSER, "My answer anyway")
    rows = await query(hearing.settings.database_path, "SELECT COUNT(*) FROM suggestions")
    assert rows == [(0,)]


async def test_consent_withdrawn_before_sending_is_counted_again(hearing: Hearing) -> None:
    await accept(hearing, OPPOSERS[2])
    await hearing.say(DRAFTER, QUESTION)
    confirm = hearing.last(DRAFTER)
    for user in OPPOSERS[:2]:  # two of three: a group's worth of change
        await hearing.say(user, "/followups")
        await hearing.press(user, "Stop follow-up questions")
    answer = await forged(hearing, DRAFTER, confirm.buttons()[0][0][1])
    assert "at least 3 are needed" in answer
    assert await questions(hearing) == [("draft", 3)]
    await outbox_sent(hearing)
    assert not any(asked(hearing, user) for user in OPPOSERS)


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/ask", "Ask a follow-up question to a group"),
        ("/ask 7 angry Why?", "Ask a follow-up question to a group"),
        ("/ask 42 opposed Why?", "that item does not exist"),
    ],
)
async def test_bad_questions_are_refused(hearing: Hearing, command: str, answer: str) -> None:
    replies = await hearing.say(DRAFTER, command)
    assert answer in replies[0].plain_text()
    assert await questions(hearing) == []


async def test_citizens_cannot_ask(hearing: Hearing) -> None:
    replies = await hearing.say(OPPOSERS[0], QUESTION)
    assert "only for the hearing's drafters" in replies[0].plain_text()
    assert await questions(hearing) == []


async def test_an_answer_survives_a_restart_between_button_and_text(hearing: Hearing) -> None:
    await accept(hearing, OPPOSERS[2])
    await hearing.say(DRAFTER, QUESTION)
    await hearing.press(DRAFTER, "❓ Send it")
    await outbox_sent(hearing)
    await hearing.press(OPPOSERS[1], "✍️ Answer", hearing.last(OPPOSERS[1]))
    await hearing.restart()
    await outbox_sent(hearing)
    for user in OPPOSERS:
        received = [m for m in hearing.emu.messages(user) if ASKED in m.plain_text()]
        assert len(received) == 1, "nobody is asked twice"
    replies = await hearing.say(OPPOSERS[1], "A civilian review board")
    assert "reaches the drafters" in replies[0].plain_text()
    rows = await query(hearing.settings.database_path, "SELECT question_id FROM suggestions")
    assert rows == [(1,)]


async def test_each_citizen_is_asked_in_their_own_language(hearing: Hearing) -> None:
    await accept(hearing, OPPOSERS[2])
    await hearing.say(OPPOSERS[1], "/language")
    await hearing.press(OPPOSERS[1], "اردو")
    await hearing.say(DRAFTER, QUESTION)
    await hearing.press(DRAFTER, "❓ Send it")
    await outbox_sent(hearing)
    urdu = hearing.last(OPPOSERS[1])
    assert "کے مسودہ نویسوں کی طرف سے ایک مزید سوال" in urdu.plain_text()
    assert "انسداد دہشت گردی ایکشن پلان" in urdu.plain_text(), "the Urdu plan's title"
    assert "What would make item 7 acceptable to you?" in urdu.plain_text(), "as written"
    assert urdu.button_labels() == ["✍️ جواب دیں"]
    english = hearing.last(OPPOSERS[0])
    assert ASKED in english.plain_text() and english.button_labels() == ["✍️ Answer"]
