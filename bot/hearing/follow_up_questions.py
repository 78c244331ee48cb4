"""Follow-up questions: a drafter asks a segment of citizens; answers become suggestions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from bot.hearing.plan import Plan
from bot.hearing.publishable import Publisher
from bot.hearing.screening import Screening
from bot.hearing.submissions import check_text
from bot.hearing.typed_text import clean_typed, repeat_key
from bot.model.clock import Clock
from bot.model.refusals import Refusal, Refused
from bot.model.reports import QuestionRow
from bot.model.values import Awaiting, Language, SuggestionStatus
from storage.backend import Store
from storage.follow_ups import FollowUpRepository
from storage.repositories import Repositories

MAX_QUESTION_CHARS = 1000


class Segment(StrEnum):
    """Whom a follow-up question on an item is for."""

    OPPOSED = "opposed"
    SUPPORTED = "supported"
    HIGH = "high"


@dataclass(frozen=True)
class Drafted:
    """A question waiting for its author's confirmation, and how many it would reach."""

    question: QuestionRow


@dataclass(frozen=True)
class Answered:
    """A citizen's answer, stored as a suggestion on the question's item."""

    suggestion_id: int
    item_id: str
    held: bool


class FollowUps:
    """Commands for follow-up questions (the caller checks the drafter role)."""

    def __init__(
        self,
        db: Store,
        plan: Plan,
        screening: Screening,
        min_group: int,
        limit: int,
        clock: Clock | None = None,
    ) -> None:
        self.db = db
        self.clock = db.now if clock is None else clock
        self.plan = plan
        self.screening = screening
        self.min_group = min_group
        self.limit = limit

    async def set_consent(self, pid: str, accepted: bool) -> None:
        """Record whether the citizen accepts follow-up questions."""
        async with self.db.transaction() as repos:
            await repos.follow_ups.set_consent(pid, accepted)

    async def consent(self, pid: str) -> bool:
        """Tell whether the citizen accepted follow-up questions."""
        async with self.db.reading() as repos:
            return bool(await repos.follow_ups.consent(pid))

    async def draft(self, author: str, item_id: str, segment: Segment, text: str) -> Drafted:
        """Store a question to confirm; refuse a segment under the minimum group size.

        The size shown, and checked, is the segment's as published (publishable.py): it moves
        only once a group of people joined or left it, so that drafting again and again cannot
        show the moment one citizen answered an item one way.
        """
        if self.plan.index_of(item_id) is None:
            raise Refused(Refusal.UNKNOWN_ITEM)
        cleaned = clean_typed(text)
        if not cleaned:
            raise Refused(Refusal.EMPTY_RESPONSE)
        if len(cleaned) > MAX_QUESTION_CHARS:
            raise Refused(Refusal.RESPONSE_TOO_LONG, limit=MAX_QUESTION_CHARS, length=len(cleaned))
        async with self.db.transaction() as repos:
            size = await self._size(repos, item_id, segment)
            qid = await repos.follow_ups.add_question(author, item_id, segment, cleaned, size)
            question = await repos.follow_ups.question(qid)
        if question is None:
            raise RuntimeError("the question just stored cannot be read")
        return Drafted(question)

    async def send(
        self, author: str, question_id: int,
        render: Callable[[QuestionRow, Language | None], str],
    ) -> int:  # fmt: skip
        """Queue the author's question for its segment, in each reader's language.

        Return the segment's size as published (what the author was shown), not the exact one.
        """
        async with self.db.transaction() as repos:
            question = await self._own_draft(repos.follow_ups, author, question_id)
            # Counted again: consents may have been withdrawn since the question was drafted.
            size = await self._size(repos, question.item_id, question.segment)
            audience = await repos.follow_ups.segment(question.item_id, question.segment)
            chosen = await repos.participants.languages(list(audience))
            codes = {None, *chosen.values()}
            bodies = {code: render(question, Language.stored(code)) for code in codes}
            await repos.outbox.add_many(
                [(pid, "question", bodies[chosen.get(pid)], question_id) for pid in audience]
            )
            await repos.follow_ups.set_status(question_id, "sent", size)
        return size

    async def cancel(self, author: str, question_id: int) -> None:
        """Drop the author's question that was not sent."""
        async with self.db.transaction() as repos:
            await self._own_draft(repos.follow_ups, author, question_id)
            await repos.follow_ups.set_status(question_id, "cancelled")

    async def await_answer(self, pid: str, question_id: int) -> QuestionRow:
        """Make the citizen's next message their answer to a question they received."""
        async with self.db.transaction() as repos:
            question = await repos.follow_ups.question(question_id)
            if question is None or not await repos.outbox.received(pid, question_id):
                raise Refused(Refusal.NOT_ASKED)
            await repos.participants.set_awaiting(pid, Awaiting.FOLLOW_UP_ANSWER, question_id)
        return question

    async def answer(self, pid: str, question_id: int, text: str) -> Answered:
        """Store the citizen's answer as a suggestion on the item, linked to the question."""
        cleaned = check_text(text, self.limit)
        async with self.db.transaction() as repos:
            question = await repos.follow_ups.question(question_id)
            if question is None or not await repos.outbox.received(pid, question_id):
                raise Refused(Refusal.NOT_ASKED)
            if await repos.moderation.is_banned(pid):
                raise Refused(Refusal.BANNED)
            now = self.clock()
            await self.screening.check_pace(repos, pid, now)
            flags = await self.screening.screen(repos, pid, cleaned, now)
            status = SuggestionStatus.PENDING if flags else SuggestionStatus.VISIBLE
            sid = await repos.suggestions.add(
                pid, question.item_id, cleaned, status, self.plan.version, repeat_key(cleaned)
            )
            await repos.follow_ups.link_answer(sid, question_id)
            if flags:
                # Held exactly as a flagged suggestion is: queued, with why, in the audit log.
                await repos.moderation.add_flags(sid, [(f.reason, f.detail) for f in flags])
                await repos.moderation.enqueue(sid)
                reasons = ",".join(flag.reason for flag in flags)
                await repos.moderation.log(
                    sid, None, "flagged", reasons, None, SuggestionStatus.PENDING
                )
            await repos.participants.set_awaiting(pid, None)
        return Answered(sid, question.item_id, bool(flags))

    async def with_answers(self) -> list[tuple[QuestionRow, list[tuple[int, str]]]]:
        """Return every sent question with its visible answers."""
        async with self.db.reading() as repos:
            questions = await repos.follow_ups.sent_questions()
            return [(q, await repos.follow_ups.answers(q.id)) for q in questions]

    async def _size(self, repos: Repositories, item_id: str, segment: str) -> int:
        """Return a segment's published size; refuse one that may be under the minimum group.

        A published size is at most min_group - 1 away from the exact one (else it would have
        been published anew), so 2 * min_group - 1 published means at least min_group now:
        the check protects those asked without ever telling the exact size, which polling the
        refusal would otherwise reveal.
        """
        needed = 2 * self.min_group - 1
        audience = await repos.follow_ups.segment(item_id, segment)
        size = await Publisher.within(repos, self.min_group).segment(
            item_id, segment, len(audience)
        )
        if size.figures is None or size.figures < needed:
            raise Refused(Refusal.GROUP_TOO_SMALL, minimum=needed)
        return size.figures

    @staticmethod
    async def _own_draft(repo: FollowUpRepository, author: str, question_id: int) -> QuestionRow:
        question = await repo.question(question_id)
        if question is None:
            raise Refused(Refusal.UNKNOWN_QUESTION)
        if question.author_id != author:
            raise Refused(Refusal.NOT_YOUR_QUESTION)
        if question.status != "draft":
            raise Refused(Refusal.QUESTION_CLOSED)
        return question
