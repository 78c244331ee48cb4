"""Broadcasts: a drafter's update to every citizen who wants updates, resumable."""

from __future__ import annotations

from dataclasses import dataclass

from bot.hearing.plan import telegram_length
from bot.hearing.typed_text import clean_typed
from bot.model.records import BroadcastRecord, Recipient
from bot.model.refusals import Refusal, Refused
from bot.model.values import Awaiting, BroadcastStatus, DeliveryStatus
from storage.backend import Store
from storage.repositories import Repositories

MAX_BROADCAST_CHARS = 3500
BROADCAST_REPORT = "broadcast_report"  # the outbox kind of the report to a broadcast's author


@dataclass(frozen=True)
class Drafted:
    """A broadcast waiting for the drafter's confirmation, and how many it would reach."""

    broadcast_id: int
    text: str
    audience: int


class Broadcasts:
    """Commands for drafting, starting and tracking broadcasts (the caller checks the role)."""

    def __init__(self, db: Store) -> None:
        self.db = db

    async def request(self, drafter_id: str) -> None:
        """Make the drafter's next message the text of a broadcast."""
        async with self.db.transaction() as repos:
            await repos.participants.set_awaiting(drafter_id, Awaiting.BROADCAST)

    async def draft(self, drafter_id: str, text: str) -> Drafted:
        """Store the text as a draft to confirm; nothing is sent yet."""
        cleaned = clean_typed(text)
        if not cleaned:
            raise Refused(Refusal.EMPTY_RESPONSE)
        if (length := telegram_length(cleaned)) > MAX_BROADCAST_CHARS:
            raise Refused(Refusal.RESPONSE_TOO_LONG, limit=MAX_BROADCAST_CHARS, length=length)
        async with self.db.transaction() as repos:
            broadcast_id = await repos.broadcasts.draft(drafter_id, cleaned)
            await repos.participants.set_awaiting(drafter_id, None)
            audience = await repos.broadcasts.audience(drafter_id)
        return Drafted(broadcast_id, cleaned, audience)

    async def start(self, drafter_id: str, broadcast_id: int) -> int:
        """Queue the drafter's confirmed draft for everyone who wants updates; return how many."""
        async with self.db.transaction() as repos:
            await _own_draft(repos, drafter_id, broadcast_id)
            return await repos.broadcasts.start(broadcast_id)

    async def cancel(self, drafter_id: str, broadcast_id: int) -> None:
        """Drop the drafter's draft that was not confirmed."""
        async with self.db.transaction() as repos:
            await _own_draft(repos, drafter_id, broadcast_id)
            await repos.broadcasts.set_status(broadcast_id, BroadcastStatus.CANCELLED)

    async def sending(self) -> list[BroadcastRecord]:
        """Return the broadcasts being sent, oldest first."""
        async with self.db.reading() as repos:
            ids = await repos.broadcasts.sending()
            found = [await repos.broadcasts.get(i) for i in ids]
        return [b for b in found if b is not None]

    async def pending(self, broadcast_id: int, limit: int) -> list[Recipient]:
        """Return recipients still to reach."""
        async with self.db.reading() as repos:
            return await repos.broadcasts.pending(broadcast_id, limit)

    async def record(self, broadcast_id: int, participant_id: str, status: DeliveryStatus) -> None:
        """Record what became of the broadcast for one recipient."""
        async with self.db.transaction() as repos:
            await repos.broadcasts.mark(broadcast_id, participant_id, status)

    async def counts(self, broadcast_id: int) -> dict[DeliveryStatus, int]:
        """Count a broadcast's recipients by what became of it for them."""
        async with self.db.reading() as repos:
            return await repos.broadcasts.counts(broadcast_id)

    async def finish(self, broadcast_id: int, report: str) -> bool:
        """Close a broadcast with no one left to reach, queueing its report to the author.

        In one transaction, so that the author gets the report once; False if it was closed
        already (by an earlier run).
        """
        async with self.db.transaction() as repos:
            record = await repos.broadcasts.get(broadcast_id)
            if record is None or record.status is not BroadcastStatus.SENDING:
                return False
            await repos.broadcasts.set_status(broadcast_id, BroadcastStatus.DONE)
            await repos.outbox.add(record.author_id, BROADCAST_REPORT, report)
        return True


async def _own_draft(repos: Repositories, drafter_id: str, broadcast_id: int) -> BroadcastRecord:
    record = await repos.broadcasts.get(broadcast_id)
    if record is None:
        raise Refused(Refusal.UNKNOWN_BROADCAST)
    # Drafters share a role, not each other's words: only the author sends or drops a draft.
    if record.author_id != drafter_id:
        raise Refused(Refusal.NOT_YOUR_BROADCAST)
    if record.status is not BroadcastStatus.DRAFT:
        raise Refused(Refusal.BROADCAST_STARTED)
    return record
