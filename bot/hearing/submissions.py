"""Submitting suggestions and proposals: validate, keep the draft, check for near-duplicates."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.hearing.matching import Match, closest
from bot.hearing.plan import Item, Plan, telegram_length
from bot.hearing.screening import LINK, Flag, Screening
from bot.hearing.typed_text import clean_typed, repeat_key
from bot.hearing.walkthrough import View, Walkthrough
from bot.model.clock import Clock
from bot.model.records import DraftRecord
from bot.model.refusals import Refusal, Refused
from bot.model.values import (
    NEW_ITEMS,
    Awaiting,
    DraftOutcome,
    FlagReason,
    Step,
    SuggestionStatus,
    Vote,
)
from storage.backend import Store
from storage.repositories import Repositories

# What an author is told held their suggestion: the most useful to them first. The
# blocklisted term itself is never named, so that the message teaches no way around the list.
TOLD_FIRST = (
    FlagReason.PERSONAL_DATA, FlagReason.LINK, FlagReason.BLOCKLIST, FlagReason.REPEATED,
    FlagReason.FLOOD, FlagReason.PRE_MODERATION,
)  # fmt: skip


@dataclass(frozen=True)
class HeldFor:
    """Why a suggestion waits for a moderator, as its author is told."""

    reason: FlagReason
    kind: str | None = None  # for personal data: number, cnic or email


def held_for(flags: list[Flag]) -> HeldFor | None:
    """Choose what to tell the author of the checks that held their suggestion."""
    found = {flag.reason: flag for flag in flags}
    reason = next((r for r in TOLD_FIRST if r in found), None)
    if reason is None:
        return None
    return HeldFor(reason, found[reason].detail if reason is FlagReason.PERSONAL_DATA else None)


@dataclass(frozen=True)
class Posted:
    """A suggestion or proposal was stored; `held` says why a moderator must see it first."""

    suggestion_id: int
    item: Item | None
    text: str
    next: View | None
    held: tuple[FlagReason, ...] = field(default=())
    held_for: HeldFor | None = None
    replaced: int | None = None  # the held suggestion this corrected one replaced


@dataclass(frozen=True)
class Correcting:
    """The citizen's next text corrects a held suggestion."""

    suggestion_id: int
    item: Item | None  # None: a proposal for a new item


@dataclass(frozen=True)
class AgreedInstead:
    """The citizen agreed with an existing suggestion instead of posting a near-duplicate."""

    suggestion_id: int
    item: Item | None
    next: View | None
    already: bool = False  # the citizen had agreed with it before: nothing new was recorded


@dataclass(frozen=True)
class Similar:
    """The text is close to existing suggestions; the citizen chooses what to do."""

    draft_id: int
    item: Item | None
    matches: tuple[Match, ...]
    text: str = ""  # the citizen's own text, as it was kept


Submitted = Posted | Similar


def check_text(text: str, limit: int) -> str:
    """Return the text to store, or refuse one that is empty, too long, only links or emoji.

    Invisible characters are removed first (typed_text.clean_typed): bidi overrides and
    zero-width spaces never reach the database, cards, the moderators or the digest.
    """
    cleaned = clean_typed(text)
    if not cleaned:
        raise Refused(Refusal.EMPTY_SUGGESTION)
    # Counted as Telegram counts, so that the messages quoting it whole stay under its limit.
    if (length := telegram_length(cleaned)) > limit:
        raise Refused(Refusal.SUGGESTION_TOO_LONG, limit=limit, length=length)
    if not any(ch.isalnum() for ch in LINK.sub(" ", cleaned)):
        raise Refused(Refusal.LINK_ONLY if LINK.search(cleaned) else Refusal.NO_WORDS)
    return cleaned


class Submissions:
    """Turn a citizen's text into a suggestion (or proposal), offering near-duplicates first."""

    def __init__(
        self,
        db: Store,
        plan: Plan,
        walkthrough: Walkthrough,
        limit: int,
        screening: Screening,
        clock: Clock | None = None,
    ) -> None:
        self.db = db
        self.clock = db.now if clock is None else clock
        self.plan = plan
        self.walkthrough = walkthrough
        self.limit = limit
        self.screening = screening

    async def expects_text(self, pid: str) -> bool:
        """Tell whether the citizen's next text message is a suggestion or a proposal."""
        participant = await self.walkthrough.current(pid)
        return participant.awaiting in (Awaiting.PROPOSAL, Awaiting.CORRECTION) or (
            participant.step == Step.SUGGESTION_TEXT and participant.current_item is not None
        )

    async def correct(self, pid: str, suggestion_id: int) -> Correcting:
        """Make the citizen's next text the corrected version of their held suggestion.

        The held one stays until the corrected one is posted (then it is withdrawn), so that
        cancelling loses nothing.
        """
        async with self.db.transaction() as repos:
            held = await repos.suggestions.get(suggestion_id)
            if held is None or held.participant_id != pid:
                raise Refused(Refusal.NOT_YOURS)
            if held.status != SuggestionStatus.PENDING:
                raise Refused(Refusal.NOT_HELD)
            if await repos.moderation.is_banned(pid):
                raise Refused(Refusal.BANNED)
            await repos.participants.set_awaiting(pid, Awaiting.CORRECTION, suggestion_id)
        item = None if held.item_id == NEW_ITEMS else self.plan.item(held.item_id)
        return Correcting(suggestion_id, item)

    async def submit(self, pid: str, text: str) -> Submitted:
        """Keep the text as a draft; publish it, or first show the suggestions it resembles."""
        cleaned = check_text(text, self.limit)
        async with self.db.transaction() as repos:
            target = await self._target(repos, pid)
            if await repos.moderation.is_banned(pid):
                raise Refused(Refusal.BANNED)
            await self.screening.check_pace(repos, pid, self.clock())
            draft_id = await repos.drafts.add(pid, target, cleaned)
        async with self.db.reading() as repos:
            candidates = await repos.suggestions.visible_on_item(target, pid)
        # Matching runs outside the write lock: it is the slow part and needs no consistency.
        matches = closest(cleaned, candidates)
        if matches:
            return Similar(draft_id, self.plan.item(target), tuple(matches), cleaned)
        return await self.post(pid, draft_id)

    async def post(self, pid: str, draft_id: int) -> Posted:
        """Publish a draft as it is, or hold it for a moderator if a check flags it."""
        async with self.db.transaction() as repos:
            draft = await self._open_draft(repos, pid, draft_id)
            if await repos.moderation.is_banned(pid):
                raise Refused(Refusal.BANNED)
            now = self.clock()
            await self.screening.check_pace(repos, pid, now)
            flags = await self.screening.screen(repos, pid, draft.text, now)
            status = SuggestionStatus.PENDING if flags else SuggestionStatus.VISIBLE
            suggestion_id = await repos.suggestions.add(
                pid, draft.item_id, draft.text, status, self.plan.version, repeat_key(draft.text)
            )
            if flags:
                await self._hold(repos, suggestion_id, flags)
            await repos.drafts.decide(draft_id, DraftOutcome.POSTED, suggestion_id)
            replaced = await self._replace_held(repos, pid)
            following = await self._after(repos, pid, draft)
        held = tuple(flag.reason for flag in flags)
        item = self.plan.item(draft.item_id)
        return Posted(suggestion_id, item, draft.text, following, held, held_for(flags), replaced)

    @staticmethod
    async def _hold(repos: Repositories, suggestion_id: int, flags: list[Flag]) -> None:
        """Queue a flagged suggestion for moderators, and log why it is not shown."""
        await repos.moderation.add_flags(suggestion_id, [(f.reason, f.detail) for f in flags])
        await repos.moderation.enqueue(suggestion_id)
        reasons = ",".join(flag.reason for flag in flags)
        await repos.moderation.log(
            suggestion_id, None, "flagged", reasons, None, SuggestionStatus.PENDING
        )

    async def key_old_texts(self, batch: int = 500) -> int:
        """Key the suggestions stored before texts had keys (once, at start); return how many."""
        keyed = 0
        while True:
            async with self.db.transaction() as repos:
                rows = await repos.suggestions.without_key(batch)
                await repos.suggestions.set_keys([(repeat_key(text), sid) for sid, text in rows])
            keyed += len(rows)
            if len(rows) < batch:
                return keyed

    async def agree_instead(self, pid: str, draft_id: int, suggestion_id: int) -> AgreedInstead:
        """Record agreement with an existing suggestion and keep the draft as not posted."""
        async with self.db.transaction() as repos:
            draft = await self._open_draft(repos, pid, draft_id)
            existing = await repos.suggestions.get(suggestion_id)
            if existing is None or existing.item_id != draft.item_id:
                raise Refused(Refusal.UNKNOWN_SUGGESTION)
            if existing.status != SuggestionStatus.VISIBLE:
                raise Refused(Refusal.SUGGESTION_GONE)
            if existing.participant_id == pid:
                raise Refused(Refusal.OWN_SUGGESTION)
            # Agreeing again records nothing: one current vote, and no repeated history row.
            already = await repos.votes.get(pid, suggestion_id) == Vote.AGREE
            if not already:
                await repos.votes.record(pid, suggestion_id, Vote.AGREE)
            await repos.drafts.decide(draft_id, DraftOutcome.AGREED, suggestion_id)
            await self._replace_held(repos, pid)
            following = await self._after(repos, pid, draft)
        item = self.plan.item(draft.item_id)
        return AgreedInstead(suggestion_id, item, following, already)

    async def _replace_held(self, repos: Repositories, pid: str) -> int | None:
        """Withdraw the held suggestion a corrected text replaces, if this text was one."""
        participant = await repos.participants.get(pid)
        if participant is None or participant.awaiting != Awaiting.CORRECTION:
            return None
        await repos.participants.set_awaiting(pid, None)
        held = await repos.suggestions.get(participant.awaiting_target or 0)
        if held is None or held.participant_id != pid or held.status != SuggestionStatus.PENDING:
            return None  # decided meanwhile: the moderator's decision stands
        await repos.suggestions.set_status(held.id, SuggestionStatus.WITHDRAWN)
        return held.id

    async def _target(self, repos: Repositories, pid: str) -> str:
        participant = await repos.participants.get(pid)
        if participant is None:
            raise Refused(Refusal.UNKNOWN_PARTICIPANT)
        if participant.awaiting == Awaiting.CORRECTION:
            held = await repos.suggestions.get(participant.awaiting_target or 0)
            if held is None or held.participant_id != pid:
                raise Refused(Refusal.NOT_WAITING_FOR_TEXT)
            return held.item_id
        if participant.awaiting == Awaiting.PROPOSAL:
            return NEW_ITEMS
        if participant.step == Step.SUGGESTION_TEXT and participant.current_item is not None:
            return participant.current_item
        raise Refused(Refusal.NOT_WAITING_FOR_TEXT)

    async def _open_draft(self, repos: Repositories, pid: str, draft_id: int) -> DraftRecord:
        draft = await repos.drafts.get(draft_id)
        if draft is None or draft.participant_id != pid:
            raise Refused(Refusal.UNKNOWN_SUGGESTION)
        if draft.outcome is not None:
            raise Refused(Refusal.DRAFT_DECIDED)
        return draft

    async def _after(self, repos: Repositories, pid: str, draft: DraftRecord) -> View | None:
        """Move on from the item the draft was written for; a proposal leaves the position."""
        if draft.item_id == NEW_ITEMS:
            await repos.participants.set_awaiting(pid, None)
            return None
        participant = await repos.participants.get(pid)
        if participant is None or participant.current_item != draft.item_id:
            return None  # the citizen has moved on since: leave them where they are
        return await self.walkthrough.advance(repos, pid, draft.item_id)
