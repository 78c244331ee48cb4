"""Deliberation: citizens vote on each other's suggestions, report them, withdraw their own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.hearing.bans import MODERATION_NOTICE
from bot.hearing.plan import Item, Plan
from bot.hearing.publishable import Publisher
from bot.model.records import ResponseRecord, SuggestionRecord, Tally
from bot.model.refusals import Refusal, Refused
from bot.model.values import (
    NEW_ITEMS,
    Awaiting,
    Language,
    QueueState,
    ReportReason,
    SuggestionStatus,
    Vote,
)
from storage.backend import Store
from storage.repositories import Repositories

# Renders what a suggestion's author is told when citizens' reports hide it, in their language.
HiddenNotice = Callable[[SuggestionRecord, Language | None], str]


@dataclass(frozen=True)
class Card:
    """A suggestion shown to a citizen for voting, with their current vote."""

    suggestion: SuggestionRecord
    item: Item | None
    vote: Vote | None
    left: int

    @property
    def is_proposal(self) -> bool:
        """Tell whether this is a proposed new item rather than a suggestion on an item."""
        return self.suggestion.item_id == NEW_ITEMS


@dataclass(frozen=True)
class Voted:
    """A vote was recorded; `next` is the following card to offer, if any."""

    card: Card
    next: Card | None


@dataclass(frozen=True)
class OwnSuggestion:
    """One of the citizen's own suggestions with its current tally."""

    suggestion: SuggestionRecord
    tally: Tally | None  # as published (publishable.py); None: too few voted to show
    # What the drafters last said or decided on it (a reply, adopted, merged, declined), if any.
    outcome: ResponseRecord | None = None


@dataclass(frozen=True)
class NoProposals:
    """No proposed item is left to vote on: how many are the citizen's own, and others'."""

    own: int
    others: int


class Deliberation:
    """Commands for voting, reporting and withdrawing; each runs in one transaction."""

    def __init__(
        self, db: Store, plan: Plan, cards_per_item: int = 3, hide_after_reports: int = 3,
        min_group: int = 1,
    ) -> None:  # fmt: skip
        self.db = db
        self.plan = plan
        self.cards_per_item = cards_per_item
        self.hide_after_reports = hide_after_reports
        self.min_group = min_group

    async def first_card(self, pid: str, item_id: str) -> Card | None:
        """Return the first suggestion on an item to offer for voting, if there is one."""
        if self.cards_per_item <= 0:
            return None
        async with self.db.reading() as repos:
            return await self._next_card(repos, pid, item_id, self.cards_per_item - 1)

    async def proposal_card(self, pid: str) -> Card | NoProposals:
        """Return the first proposed item to vote on, or why there is none."""
        card = await self.first_card(pid, NEW_ITEMS)
        if card is not None:
            return card
        async with self.db.reading() as repos:
            own, others = await repos.suggestions.count_shown(NEW_ITEMS, pid)
        return NoProposals(own, others)

    async def card(self, pid: str, suggestion_id: int, left: int = 0) -> Card:
        """Return one suggestion for voting (a deep link), refusing what cannot be voted on."""
        async with self.db.reading() as repos:
            suggestion = await self._votable(repos, pid, suggestion_id)
            return await self._card(repos, pid, suggestion, left)

    async def cast_vote(self, pid: str, suggestion_id: int, vote: Vote, left: int) -> Voted:
        """Record or change a vote; the same vote twice is refused and changes nothing."""
        async with self.db.transaction() as repos:
            suggestion = await self._votable(repos, pid, suggestion_id)
            previous = await repos.votes.get(pid, suggestion_id)
            if previous == vote:
                raise Refused(Refusal.ALREADY_VOTED, vote=vote.value)
            await repos.votes.record(pid, suggestion_id, vote)
            card = await self._card(repos, pid, suggestion, 0)
            # A changed vote does not open further cards: the citizen is revisiting.
            following = None
            if previous is None and left > 0:
                following = await self._next_card(repos, pid, suggestion.item_id, left - 1)
        return Voted(card, following)

    async def report(
        self, pid: str, suggestion_id: int, left: int, reason: ReportReason,
        hidden_notice: HiddenNotice | None = None,
    ) -> Card | None:  # fmt: skip
        """Record a citizen's report for moderators and return the next card, if any.

        Enough distinct reports hide the suggestion until a moderator looks at it, unless a
        moderator has already approved it; its author is then told why (`hidden_notice`,
        queued in the outbox in the same transaction).
        """
        async with self.db.transaction() as repos:
            suggestion = await self._votable(repos, pid, suggestion_id)
            if not await repos.votes.report(pid, suggestion_id, reason):
                raise Refused(Refusal.ALREADY_REPORTED)
            await repos.moderation.enqueue(suggestion_id)
            queued = await repos.moderation.get(suggestion_id)
            reports = await repos.votes.report_count(suggestion_id)
            if reports >= self.hide_after_reports and queued and queued.state == QueueState.OPEN:
                await repos.suggestions.set_status(suggestion_id, SuggestionStatus.PENDING)
                await repos.moderation.log(
                    suggestion_id, None, "report_hidden", f"{reports} reports",
                    suggestion.status, SuggestionStatus.PENDING,
                )  # fmt: skip
                if hidden_notice is not None:
                    author = suggestion.participant_id
                    chosen = await repos.participants.language(author)
                    body = hidden_notice(suggestion, Language(chosen) if chosen else None)
                    await repos.outbox.add(author, MODERATION_NOTICE, body)
            if left <= 0:
                return None
            return await self._next_card(repos, pid, suggestion.item_id, left - 1)

    async def withdraw(self, pid: str, suggestion_id: int) -> SuggestionRecord:
        """Stop showing one of the citizen's own suggestions; its votes stay counted."""
        async with self.db.transaction() as repos:
            suggestion = await self._existing(repos, suggestion_id)
            if suggestion.participant_id != pid:
                raise Refused(Refusal.NOT_YOURS)
            if suggestion.status == SuggestionStatus.WITHDRAWN:
                raise Refused(Refusal.ALREADY_WITHDRAWN)
            await repos.suggestions.set_status(suggestion_id, SuggestionStatus.WITHDRAWN)
        return suggestion

    async def own(self, pid: str, suggestion_id: int) -> SuggestionRecord:
        """Return one of the citizen's own suggestions, refusing anyone else's."""
        async with self.db.reading() as repos:
            suggestion = await self._existing(repos, suggestion_id)
        if suggestion.participant_id != pid:
            raise Refused(Refusal.NOT_YOURS)
        return suggestion

    async def mine(self, pid: str) -> list[OwnSuggestion]:
        """Return the citizen's suggestions with their votes as published (publishable.py)."""
        async with self.db.transaction() as repos:
            suggestions = await repos.suggestions.by_participant(pid)
            ids = [s.id for s in suggestions]
            votes = await Publisher.within(repos, self.min_group).votes(ids)
            outcomes = await repos.responses.decisions(ids)
        return [OwnSuggestion(s, votes[s.id].figures, outcomes.get(s.id)) for s in suggestions]

    async def request_proposal(self, pid: str) -> None:
        """Make the citizen's next text message a proposal for a new item."""
        async with self.db.transaction() as repos:
            await repos.participants.set_awaiting(pid, Awaiting.PROPOSAL)

    async def _next_card(
        self, repos: Repositories, pid: str, item_id: str, left: int
    ) -> Card | None:
        suggestion_id = await repos.votes.next_candidate(pid, item_id)
        if suggestion_id is None:
            return None
        suggestion = await self._existing(repos, suggestion_id)
        return await self._card(repos, pid, suggestion, left)

    async def _card(
        self, repos: Repositories, pid: str, suggestion: SuggestionRecord, left: int
    ) -> Card:
        vote = await repos.votes.get(pid, suggestion.id)
        item = self.plan.item(suggestion.item_id)
        return Card(suggestion, item, Vote(vote) if vote else None, max(left, 0))

    async def _votable(
        self, repos: Repositories, pid: str, suggestion_id: int
    ) -> SuggestionRecord:
        suggestion = await self._existing(repos, suggestion_id)
        if suggestion.status != SuggestionStatus.VISIBLE:
            raise Refused(Refusal.SUGGESTION_GONE)
        if suggestion.participant_id == pid:
            raise Refused(Refusal.OWN_SUGGESTION)
        return suggestion

    async def _existing(self, repos: Repositories, suggestion_id: int) -> SuggestionRecord:
        suggestion = await repos.suggestions.get(suggestion_id)
        if suggestion is None:
            raise Refused(Refusal.UNKNOWN_SUGGESTION)
        return suggestion
