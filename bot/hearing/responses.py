"""Closing the loop: a drafter replies to a suggestion's author and decides on it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.hearing.plan import Item, Plan, telegram_length
from bot.hearing.publishable import Publisher
from bot.hearing.typed_text import clean_typed
from bot.model.records import ResponseRecord, SuggestionRecord, Tally
from bot.model.refusals import Refusal, Refused
from bot.model.values import Awaiting
from storage.backend import Store

MAX_RESPONSE_CHARS = 2000


class Decision(StrEnum):
    """What a drafter can say or decide about a suggestion."""

    REPLY = "reply"
    ADOPTED = "adopted"
    MERGED = "merged"
    DECLINED = "declined"


@dataclass(frozen=True)
class Exchange:
    """One earlier reply or decision on a suggestion, with the author's answer to it, if any."""

    response: ResponseRecord
    at: str
    answer: str | None = None
    answered_at: str | None = None


@dataclass(frozen=True)
class Review:
    """A suggestion as a drafter sees it: its text, votes, current outcome and the exchange."""

    suggestion: SuggestionRecord
    item: Item | None
    tally: Tally | None  # as published (publishable.py); None: too few voted to show
    decision: ResponseRecord | None
    history: tuple[Exchange, ...] = ()


@dataclass(frozen=True)
class Notice:
    """What to tell a suggestion's author, once the response is committed."""

    response_id: int
    author_id: str
    decision: Decision
    suggestion: SuggestionRecord
    item: Item | None  # where the suggestion was made
    merged_into: Item | None
    text: str | None
    # The decision this one replaces (adopted, then merged...), so that the author is told so.
    previous: ResponseRecord | None = None


class FollowThrough:
    """Commands for drafters' replies and decisions; the caller checks the drafter role."""

    def __init__(self, db: Store, plan: Plan, min_group: int = 1) -> None:
        self.db = db
        self.plan = plan
        self.min_group = min_group

    async def review(self, suggestion_id: int) -> Review:
        """Return a suggestion with its votes (as published) and the latest decision on it."""
        async with self.db.transaction() as repos:
            suggestion = await repos.suggestions.get(suggestion_id)
            if suggestion is None:
                raise Refused(Refusal.UNKNOWN_SUGGESTION)
            votes = await Publisher.within(repos, self.min_group).votes([suggestion_id])
            tally = votes[suggestion_id].figures
            decision = await repos.responses.decision(suggestion_id)
            answers = await repos.responses.answers(suggestion_id)
            history = tuple(
                Exchange(response, at, *answers.get(response.id, (None, None)))
                for response, at in await repos.responses.history(suggestion_id)
            )
        item = self.plan.item(suggestion.item_id)
        return Review(suggestion, item, tally, decision, history)

    async def await_text(self, drafter_id: str, suggestion_id: int, kind: Awaiting) -> Review:
        """Make the drafter's next message a reply to, or a reason for declining, a suggestion."""
        review = await self.review(suggestion_id)
        async with self.db.transaction() as repos:
            await repos.participants.set_awaiting(drafter_id, kind, suggestion_id)
        return review

    async def respond(
        self, drafter_id: str, suggestion_id: int, decision: Decision,
        item_id: str | None = None, text: str | None = None,
    ) -> Notice:  # fmt: skip
        """Record a reply or decision; the caller then tells the author."""
        cleaned = clean_typed(text) if text is not None else None
        if decision in (Decision.REPLY, Decision.DECLINED) and not cleaned:
            raise Refused(Refusal.EMPTY_RESPONSE)
        length = telegram_length(cleaned) if cleaned is not None else 0
        if length > MAX_RESPONSE_CHARS:
            raise Refused(Refusal.RESPONSE_TOO_LONG, limit=MAX_RESPONSE_CHARS, length=length)
        merged_into = self.plan.item(item_id) if item_id is not None else None
        if decision is Decision.MERGED and (merged_into is None or merged_into.parent_id):
            raise Refused(Refusal.UNKNOWN_ITEM)
        async with self.db.transaction() as repos:
            suggestion = await repos.suggestions.get(suggestion_id)
            if suggestion is None:
                raise Refused(Refusal.UNKNOWN_SUGGESTION)
            latest = await repos.responses.latest(suggestion_id)
            if latest is not None and (latest.kind, latest.item_id, latest.text) == (
                decision,
                item_id,
                cleaned,
            ):
                # The same words or decision again (an old button, or an update replayed after
                # a crash): the author is not told twice.
                raise Refused(Refusal.SAME_RESPONSE)
            previous = await repos.responses.decision(suggestion_id)
            response_id = await repos.responses.add(
                suggestion_id, drafter_id, decision, item_id, cleaned
            )
            await repos.participants.set_awaiting(drafter_id, None)
        return Notice(response_id, suggestion.participant_id, decision, suggestion,
                      self.plan.item(suggestion.item_id), merged_into, cleaned,
                      _changed(decision, item_id, previous))  # fmt: skip

    async def unnotified(self) -> list[Notice]:
        """Return the replies and decisions whose authors have not been told yet."""
        async with self.db.reading() as repos:
            pending = await repos.responses.unnotified()
            notices = []
            for response in pending:
                suggestion = await repos.suggestions.get(response.suggestion_id)
                if suggestion is None:
                    continue
                before = await repos.responses.decision_before(suggestion.id, response.id)
                notices.append(self._notice(response, suggestion, before))
        return notices

    def _notice(
        self, response: ResponseRecord, suggestion: SuggestionRecord,
        before: ResponseRecord | None,
    ) -> Notice:  # fmt: skip
        merged_into = self.plan.item(response.item_id) if response.item_id else None
        decision = Decision(response.kind)
        return Notice(response.id, suggestion.participant_id, decision,
                      suggestion, self.plan.item(suggestion.item_id), merged_into,
                      response.text, _changed(decision, response.item_id, before))  # fmt: skip

    async def notified(self, response_id: int) -> None:
        """Record that the author was told."""
        async with self.db.transaction() as repos:
            await repos.responses.mark_notified(response_id)


def _changed(
    decision: Decision, item_id: str | None, previous: ResponseRecord | None
) -> ResponseRecord | None:
    """Return the earlier decision a new decision changes (a reply changes none)."""
    if decision is Decision.REPLY or previous is None:
        return None
    return None if (previous.kind, previous.item_id) == (decision, item_id) else previous
