"""Broadcasts to every citizen who wants updates, and who has received each."""

from __future__ import annotations

from bot.model.records import BroadcastRecord, Recipient
from bot.model.values import BroadcastStatus, DeliveryStatus
from storage.repository import Repository


class BroadcastRepository(Repository):
    """Draft, start and track broadcasts."""

    async def draft(self, author_id: str, text: str) -> int:
        """Store a broadcast the drafter has yet to confirm; return its id."""
        return await self.insert_id(
            "INSERT INTO broadcasts (author_id, text, created_at) VALUES (?, ?, ?)",
            (author_id, text, self.timestamp()),
        )

    async def get(self, broadcast_id: int) -> BroadcastRecord | None:
        """Return one broadcast, or None."""
        row = await self.fetch_one(
            "SELECT id, author_id, text, status FROM broadcasts WHERE id = ?", (broadcast_id,)
        )
        if row is None:
            return None
        return BroadcastRecord(int(row[0]), str(row[1]), str(row[2]), BroadcastStatus(row[3]))

    async def audience(self, author_id: str) -> int:
        """Count the citizens a broadcast by this author would reach now."""
        count = await self.fetch_value(
            "SELECT COUNT(*) FROM delivery WHERE blocked_at IS NULL AND updates_off_at IS NULL"
            " AND participant_id <> ?",
            (author_id,),
            default=0,
        )
        return int(count)

    async def start(self, broadcast_id: int) -> int:
        """Mark a draft as sending and queue everyone who wants updates but its author."""
        await self.execute(
            "UPDATE broadcasts SET status = ?, started_at = ? WHERE id = ?",
            (BroadcastStatus.SENDING, self.timestamp(), broadcast_id),
        )
        return await self.execute(
            "INSERT INTO broadcast_deliveries (broadcast_id, participant_id, status)"
            " SELECT b.id, d.participant_id, ? FROM broadcasts b JOIN delivery d"
            " ON d.participant_id <> b.author_id"
            " WHERE b.id = ? AND d.blocked_at IS NULL AND d.updates_off_at IS NULL",
            (DeliveryStatus.PENDING, broadcast_id),
        )

    async def set_status(self, broadcast_id: int, status: BroadcastStatus) -> None:
        """Change a broadcast's status (finished_at is set when it is done or cancelled)."""
        ended = status in (BroadcastStatus.DONE, BroadcastStatus.CANCELLED)
        finished = self.timestamp() if ended else None
        await self.execute(
            "UPDATE broadcasts SET status = ?, finished_at = COALESCE(?, finished_at)"
            " WHERE id = ?",
            (status, finished, broadcast_id),
        )

    async def sending(self) -> list[int]:
        """Return the broadcasts being sent (to resume after a restart), oldest first."""
        rows = await self.fetch_all(
            "SELECT id FROM broadcasts WHERE status = ? ORDER BY id", (BroadcastStatus.SENDING,)
        )
        return [int(row[0]) for row in rows]

    async def pending(self, broadcast_id: int, limit: int) -> list[Recipient]:
        """Return recipients not yet reached who can still be written to."""
        rows = await self.fetch_all(
            "SELECT b.participant_id, d.chat_id FROM broadcast_deliveries b"
            " JOIN delivery d ON d.participant_id = b.participant_id"
            " WHERE b.broadcast_id = ? AND b.status = ? AND d.blocked_at IS NULL"
            " ORDER BY b.participant_id LIMIT ?",
            (broadcast_id, DeliveryStatus.PENDING, limit),
        )
        return [Recipient(str(r[0]), int(r[1])) for r in rows]

    async def mark(self, broadcast_id: int, participant_id: str, status: DeliveryStatus) -> None:
        """Record the outcome of one attempt to reach a recipient."""
        sent_at = self.timestamp() if status is DeliveryStatus.SENT else None
        await self.execute(
            "UPDATE broadcast_deliveries SET status = ?, attempts = attempts + 1,"
            " sent_at = COALESCE(?, sent_at) WHERE broadcast_id = ? AND participant_id = ?",
            (status, sent_at, broadcast_id, participant_id),
        )

    async def counts(self, broadcast_id: int) -> dict[DeliveryStatus, int]:
        """Count a broadcast's recipients by status."""
        rows = await self.fetch_all(
            "SELECT status, COUNT(*) FROM broadcast_deliveries WHERE broadcast_id = ?"
            " GROUP BY status",
            (broadcast_id,),
        )
        return {DeliveryStatus(r[0]): int(r[1]) for r in rows}
