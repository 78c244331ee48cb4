"""An author answers a drafter's reply (or reason): once per reply, told to every drafter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.hearing.plan import telegram_length
from bot.hearing.typed_text import clean_typed
from bot.model.records import ResponseRecord, SuggestionRecord
from bot.model.refusals import Refusal, Refused
from bot.model.values import Awaiting, Language
from storage.backend import Store
from storage.repositories import Repositories

AUTHOR_ANSWER = "author_answer"  # the outbox kind of the drafters' notice
# The drafters' replies an author may answer: their words, not a bare decision.
ANSWERABLE = frozenset({"reply", "declined"})


@dataclass(frozen=True)
class Answered:
    """An author's answer was recorded and the drafters are to be told."""

    suggestion_id: int


# Renders the drafters' notice in a drafter's language: the suggestion, the reply, the answer.
DrafterNotice = Callable[[SuggestionRecord, ResponseRecord, str, Language | None], str]


class AuthorAnswers:
    """Let an author answer what a drafter said to them; the answer reaches the drafters."""

    def __init__(self, db: Store, drafters: frozenset[str], limit: int) -> None:
        self.db = db
        self.drafters = drafters  # pseudonyms
        self.limit = limit

    async def ask(self, pid: str, response_id: int) -> SuggestionRecord:
        """Make the author's next text their answer to this reply."""
        async with self.db.transaction() as repos:
            suggestion, _ = await self._answerable(repos, pid, response_id)
            await repos.participants.set_awaiting(pid, Awaiting.AUTHOR_ANSWER, response_id)
        return suggestion

    async def answer(self, pid: str, text: str, notice: DrafterNotice) -> Answered:
        """Record the awaited answer and queue a notice of it to every drafter."""
        cleaned = clean_typed(text)
        if not cleaned:
            raise Refused(Refusal.EMPTY_RESPONSE)
        if (length := telegram_length(cleaned)) > self.limit:
            raise Refused(Refusal.RESPONSE_TOO_LONG, limit=self.limit, length=length)
        async with self.db.transaction() as repos:
            participant = await repos.participants.get(pid)
            if participant is None or participant.awaiting != Awaiting.AUTHOR_ANSWER:
                raise Refused(Refusal.NOT_WAITING_FOR_TEXT)
            suggestion, reply = await self._answerable(repos, pid, participant.awaiting_target)
            await repos.responses.add_answer(reply.id, suggestion.id, pid, cleaned)
            await repos.participants.set_awaiting(pid, None)
            for drafter in sorted(self.drafters):
                if await repos.participants.get(drafter) is None:
                    continue  # a drafter who never opened the bot has nowhere to be told
                chosen = await repos.participants.language(drafter)
                language = Language(chosen) if chosen else None
                body = notice(suggestion, reply, cleaned, language)
                await repos.outbox.add(drafter, AUTHOR_ANSWER, body)
        return Answered(suggestion.id)

    async def _answerable(
        self, repos: Repositories, pid: str, response_id: int | None
    ) -> tuple[SuggestionRecord, ResponseRecord]:
        reply = await repos.responses.get(response_id or 0)
        if reply is None or reply.kind not in ANSWERABLE:
            raise Refused(Refusal.UNKNOWN_SUGGESTION)
        suggestion = await repos.suggestions.get(reply.suggestion_id)
        if suggestion is None or suggestion.participant_id != pid:
            raise Refused(Refusal.NOT_YOURS)
        if await repos.responses.answered(reply.id):
            raise Refused(Refusal.ALREADY_ANSWERED)
        return suggestion, reply
