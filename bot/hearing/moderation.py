"""Moderators' commands: take the next queued suggestion, decide on it, ban; authors appeal."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from bot.hearing.plan import Item, Plan
from bot.hearing.privacy import StaffIds, short_tag
from bot.model.clock import Clock
from bot.model.records import LogRecord, QueueRecord, SuggestionRecord
from bot.model.refusals import Refusal, Refused
from bot.model.values import QueueState, ReportReason, SuggestionStatus
from storage.backend import Store
from storage.clock import iso
from storage.repositories import Repositories


@dataclass(frozen=True)
class QueueCard:
    """What a moderator sees of one queued suggestion."""

    suggestion: SuggestionRecord
    item: Item | None
    author_tag: str
    hidden_before: int
    posted_before: int
    flags: tuple[tuple[str, str | None], ...]
    reports: dict[str, int]
    appealed: bool
    waiting: int


@dataclass(frozen=True)
class AuthorNotice:
    """What to tell a suggestion's author about a decision, once it is committed."""

    suggestion: SuggestionRecord
    item: Item | None
    state: QueueState
    reason: str | None
    appealed: bool
    # Whether a different moderator could give a second review (not with a single moderator).
    reviewable: bool = True
    banned: bool = False  # the author may no longer post


@dataclass(frozen=True)
class Decided:
    """A decision was recorded; `notice` is for the author (None when nothing changed for them)."""

    suggestion_id: int
    state: QueueState
    notice: AuthorNotice | None
    also_hidden: int = 0


class Moderation:
    """Each command runs in one transaction, so two moderators can never both decide an item."""

    def __init__(
        self, db: Store, plan: Plan, claim: timedelta, clock: Clock | None = None,
        moderators: frozenset[str] = frozenset(), staff: StaffIds = lambda pid: pid,
    ) -> None:  # fmt: skip
        self.db = db
        self.plan = plan
        self.claim = claim
        self.clock = db.now if clock is None else clock
        # The moderators' pseudonyms: is there someone else for a second review?
        self.moderators = moderators
        self.staff = staff

    async def next_card(self, moderator: str) -> QueueCard | None:
        """Claim the oldest open item this moderator may take, or return None if there is none."""
        now = self.clock()
        async with self.db.transaction() as repos:
            sid = await repos.moderation.next_open(moderator, iso(now))
            if sid is None:
                return None
            await repos.moderation.claim(sid, moderator, iso(now + self.claim))
            return await self._card(repos, sid)

    async def card(self, suggestion_id: int) -> QueueCard:
        """Return one queued suggestion as a moderator sees it."""
        async with self.db.reading() as repos:
            return await self._card(repos, suggestion_id)

    async def approve(self, moderator: str, suggestion_id: int) -> Decided:
        """Show the suggestion (unless its author withdrew it) and close the item."""
        async with self.db.transaction() as repos:
            suggestion, row = await self._decidable(repos, moderator, suggestion_id)
            shown = suggestion.status != SuggestionStatus.WITHDRAWN
            status = SuggestionStatus.VISIBLE if shown else SuggestionStatus.WITHDRAWN
            return await self._decide(
                repos, moderator, suggestion, row, QueueState.APPROVED, status, None
            )

    async def hide(self, moderator: str, suggestion_id: int, reason: ReportReason) -> Decided:
        """Hide the suggestion for a reason its author will be told."""
        async with self.db.transaction() as repos:
            suggestion, row = await self._decidable(repos, moderator, suggestion_id)
            return await self._decide(
                repos, moderator, suggestion, row, QueueState.HIDDEN, SuggestionStatus.HIDDEN,
                reason,
            )  # fmt: skip

    async def ban(self, moderator: str, suggestion_id: int, reason: ReportReason) -> Decided:
        """Hide this suggestion and every pending one by its author; refuse their new ones."""
        async with self.db.transaction() as repos:
            suggestion, row = await self._decidable(repos, moderator, suggestion_id)
            author = suggestion.participant_id
            decided = await self._decide(
                repos, moderator, suggestion, row, QueueState.HIDDEN, SuggestionStatus.HIDDEN,
                reason,
            )  # fmt: skip
            pending = await repos.suggestions.ids_with_status(author, SuggestionStatus.PENDING)
            for other in pending:
                await repos.suggestions.set_status(other, SuggestionStatus.HIDDEN)
                await repos.moderation.decide(other, QueueState.HIDDEN, moderator, reason)
                await repos.moderation.mark_told(other)  # one notice, about the ban, is enough
                await repos.moderation.log(
                    other, moderator, "hide", reason, SuggestionStatus.PENDING,
                    SuggestionStatus.HIDDEN,
                )  # fmt: skip
            await repos.moderation.ban(author, moderator)
            await repos.moderation.log(suggestion_id, moderator, "ban", reason, None, None)
        notice = replace(decided.notice, banned=True) if decided.notice else None
        return Decided(decided.suggestion_id, decided.state, notice, len(pending))

    async def skip(self, moderator: str, suggestion_id: int) -> None:
        """Pass an item to the other moderators without deciding it."""
        async with self.db.transaction() as repos:
            await self._decidable(repos, moderator, suggestion_id)
            await repos.moderation.skip(suggestion_id, moderator)

    async def appeal(self, pid: str, suggestion_id: int) -> None:
        """Send the author's hidden suggestion back to the queue for a different moderator."""
        async with self.db.transaction() as repos:
            suggestion = await repos.suggestions.get(suggestion_id)
            row = await repos.moderation.get(suggestion_id)
            if suggestion is None or suggestion.participant_id != pid:
                raise Refused(Refusal.NOT_YOURS)
            if row is None or row.state != QueueState.HIDDEN:
                raise Refused(Refusal.NOT_HIDDEN)
            if row.appealed_at is not None:
                raise Refused(Refusal.ALREADY_APPEALED)
            if not self._reviewable(row):
                raise Refused(Refusal.NO_OTHER_MODERATOR)
            await repos.moderation.appeal(suggestion_id)
            await repos.moderation.log(
                suggestion_id, pid, "appeal", None, suggestion.status, suggestion.status
            )

    async def log(self, limit: int) -> list[LogRecord]:
        """Return the latest moderation decisions, newest first, actors as staff pseudonyms."""
        async with self.db.reading() as repos:
            entries = await repos.moderation.recent_log(limit)
        return [replace(e, actor_id=self.staff(e.actor_id)) if e.actor_id else e for e in entries]

    async def untold(self) -> list[AuthorNotice]:
        """Return the decisions whose authors a crash or an outage kept uninformed."""
        notices = []
        async with self.db.reading() as repos:
            for row in await repos.moderation.untold():
                suggestion = await repos.suggestions.get(row.suggestion_id)
                if suggestion is not None:
                    notice = self._notice(suggestion, row, QueueState(row.state), None)
                    banned = await repos.moderation.is_banned(suggestion.participant_id)
                    notices.append(replace(notice, banned=banned))
        return notices

    async def told(self, suggestion_id: int) -> None:
        """Record that the author was told of the decision."""
        async with self.db.transaction() as repos:
            await repos.moderation.mark_told(suggestion_id)

    async def _decidable(
        self, repos: Repositories, moderator: str, suggestion_id: int
    ) -> tuple[SuggestionRecord, QueueRecord]:
        suggestion = await repos.suggestions.get(suggestion_id)
        row = await repos.moderation.get(suggestion_id)
        if suggestion is None or row is None:
            raise Refused(Refusal.UNKNOWN_SUGGESTION)
        if row.state != QueueState.OPEN:
            raise Refused(Refusal.ALREADY_DECIDED)
        if row.excluded == moderator:
            raise Refused(Refusal.SECOND_REVIEW_BY_OTHER)
        if await repos.moderation.reported_by(suggestion_id, moderator):
            raise Refused(Refusal.OWN_REPORT)
        held = row.claimed_until is not None and row.claimed_until > iso(self.clock())
        if row.claimed_by not in (None, moderator) and held:
            raise Refused(Refusal.CLAIMED_BY_OTHER)
        return suggestion, row

    async def _decide(
        self, repos: Repositories, moderator: str, suggestion: SuggestionRecord,
        row: QueueRecord, state: QueueState, status: SuggestionStatus, reason: str | None,
    ) -> Decided:  # fmt: skip
        await repos.suggestions.set_status(suggestion.id, status)
        await repos.moderation.decide(suggestion.id, state, moderator, reason)
        action = "approve" if state is QueueState.APPROVED else "hide"
        await repos.moderation.log(
            suggestion.id, moderator, action, reason, suggestion.status, status
        )
        if state is QueueState.APPROVED and suggestion.status in (
            status,
            SuggestionStatus.VISIBLE,
        ):
            await repos.moderation.mark_told(suggestion.id)  # nothing changed for the author
            return Decided(suggestion.id, state, None)
        decided = replace(row, decided_by=moderator)
        return Decided(suggestion.id, state, self._notice(suggestion, decided, state, reason))

    def _notice(
        self, suggestion: SuggestionRecord, row: QueueRecord, state: QueueState,
        reason: str | None,
    ) -> AuthorNotice:  # fmt: skip
        return AuthorNotice(
            suggestion, self.plan.item(suggestion.item_id), state,
            reason if reason is not None else row.reason, appealed=row.appealed_at is not None,
            reviewable=self._reviewable(row),
        )  # fmt: skip

    def _reviewable(self, row: QueueRecord) -> bool:
        """Tell whether a moderator other than the one who decided could review it again."""
        return any(m != row.decided_by for m in self.moderators)

    async def _card(self, repos: Repositories, suggestion_id: int) -> QueueCard:
        suggestion = await repos.suggestions.get(suggestion_id)
        row = await repos.moderation.get(suggestion_id)
        if suggestion is None or row is None:
            raise Refused(Refusal.UNKNOWN_SUGGESTION)
        hidden, total = await repos.moderation.hidden_count(suggestion.participant_id)
        mine_hidden = 1 if suggestion.status == SuggestionStatus.HIDDEN else 0
        return QueueCard(
            suggestion, self.plan.item(suggestion.item_id), short_tag(suggestion.participant_id),
            hidden - mine_hidden, total - 1, tuple(await repos.moderation.flags(suggestion_id)),
            await repos.moderation.report_reasons(suggestion_id), row.appealed_at is not None,
            await repos.moderation.count_open(),
        )  # fmt: skip
