"""Broadcasts to every citizen who wants updates, and who has received each."""

from __future__ import annotations

import aiosqlite

from bot.model.records import BroadcastRecord, Recipient
from bot.model.values import BroadcastStatus, DeliveryStatus
from storage.clock import utcnow


class BroadcastRepository:
    """Draft, start and track broadcasts."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def draft(self, author_id: str, text: str) -> int:
        """Store a broadcast the drafter has yet to confirm; return its id."""
        cursor = await self.conn.execute(
            "INSERT INTO broadcasts (author_id, text, created_at) VALUES (?, ?, ?)",
            (author_id, text, utcnow()),
        )
        if cursor.lastrowid is None:
            raise RuntimeError("SQLite returned no id for the new broadcast")
        return cursor.lastrowid

    async def get(self, broadcast_id: int) -> BroadcastRecord | None:
        """Return one broadcast, or None."""
        async with self.conn.execute(
            "SELECT id, author_id, text, status FROM broadcasts WHERE id = ?", (broadcast_id,)
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        return BroadcastRecord(int(row[0]), str(row[1]), str(row[2]), BroadcastStatus(row[3]))

    async def audience(self, author_id: str) -> int:
        """Count the citizens a broadcast by this author would reach now."""
        async with self.conn.execute(
            "SELECT COUNT(*) FROM delivery WHERE blocked_at IS NULL AND updates_off_at IS NULL"
            " AND participant_id <> ?",
            (author_id,),
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def start(self, broadcast_id: int) -> int:
        """Mark a draft as sending and queue everyone who wants updates but its author."""
        await self.conn.execute(
            "UPDATE broadcasts SET status = ?, started_at = ? WHERE id = ?",
            (BroadcastStatus.SENDING, utcnow(), broadcast_id),
        )
        cursor = await self.conn.execute(
            "INSERT INTO broadcast_deliveries (broadcast_id, participant_id, status)"
            " SELECT b.id, d.participant_id, ? FROM broadcasts b JOIN delivery d"
            " ON d.participant_id <> b.author_id"
            " WHERE b.id = ? AND d.blocked_at IS NULL AND d.updates_off_at IS NULL",
            (DeliveryStatus.PENDING, broadcast_id),
        )
        return cursor.rowcount

    async def set_status(self, broadcast_id: int, status: BroadcastStatus) -> None:
        """Change a broadcast's status (finished_at is set when it is done or cancelled)."""
        ended = status in (BroadcastStatus.DONE, BroadcastStatus.CANCELLED)
        finished = utcnow() if ended else None
        await self.conn.execute(
            "UPDATE broadcasts SET status = ?, finished_at = COALESCE(?, finished_at)"
            " WHERE id = ?",
            (status, finished, broadcast_id),
        )

    async def sending(self) -> list[int]:
        """Return the broadcasts being sent (to resume after a restart), oldest first."""
        async with self.conn.execute(
            "SELECT id FROM broadcasts WHERE status = ? ORDER BY id", (BroadcastStatus.SENDING,)
        ) as cursor:
            return [int(row[0]) for row in await cursor.fetchall()]

    async def pending(self, broadcast_id: int, limit: int) -> list[Recipient]:
        """Return recipients not yet reached who can still be written to."""
        async with self.conn.execute(
            "SELECT b.participant_id, d.chat_id FROM broadcast_deliveries b"
            " JOIN delivery d ON d.participant_id = b.participant_id"
            " WHERE b.broadcast_id = ? AND b.status = ? AND d.blocked_at IS NULL"
            " ORDER BY b.participant_id LIMIT ?",
            (broadcast_id, DeliveryStatus.PENDING, limit),
        ) as cursor:
            rows = await cursor.fetchall()
        return [Recipient(str(r[0]), int(r[1])) for r in rows]

    async def mark(self, broadcast_id: int, participant_id: str, status: DeliveryStatus) -> None:
        """Record the outcome of one attempt to reach a recipient."""
        sent_at = utcnow() if status is DeliveryStatus.SENT else None
        await self.conn.execute(
            "UPDATE broadcast_deliveries SET status = ?, attempts = attempts + 1,"
            " sent_at = COALESCE(?, sent_at) WHERE broadcast_id = ? AND participant_id = ?",
            (status, sent_at, broadcast_id, participant_id),
        )

    async def counts(self, broadcast_id: int) -> dict[DeliveryStatus, int]:
        """Count a broadcast's recipients by status."""
        async with self.conn.execute(
            "SELECT status, COUNT(*) FROM broadcast_deliveries WHERE broadcast_id = ?"
            " GROUP BY status",
            (broadcast_id,),
        ) as cursor:
            return {DeliveryStatus(r[0]): int(r[1]) for r in await cursor.fetchall()}
