"""The outbox: messages to citizens recorded before they are sent, so none is lost or doubled."""

from __future__ import annotations

from bot.model.records import OutboxRow
from bot.model.values import DeliveryStatus
from storage.backend import Store


class Outbox:
    """Read what is still to send and record what became of each message."""

    def __init__(self, db: Store) -> None:
        self.db = db

    async def pending(self, limit: int) -> list[OutboxRow]:
        """Return the oldest messages not yet sent."""
        async with self.db.reading() as repos:
            return await repos.outbox.pending(limit)

    async def record(self, outbox_id: int, status: DeliveryStatus) -> None:
        """Record that a message was sent, or could not be."""
        async with self.db.transaction() as repos:
            await repos.outbox.mark(outbox_id, status)
