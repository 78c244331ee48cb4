"""Citizens whose phone number was checked (opt-in eligibility): a keyed fingerprint only."""

from __future__ import annotations

import aiosqlite

from storage.clock import utcnow


class EligibilityRepository:
    """Record that a participant is eligible, one participant per phone fingerprint."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def verified(self, participant_id: str) -> bool:
        """Tell whether the participant's number was checked."""
        async with self.conn.execute(
            "SELECT 1 FROM eligibility WHERE participant_id = ?", (participant_id,)
        ) as cursor:
            return await cursor.fetchone() is not None

    async def holder(self, phone_hash: str) -> str | None:
        """Return the participant this number's fingerprint belongs to, or None."""
        async with self.conn.execute(
            "SELECT participant_id FROM eligibility WHERE phone_hash = ?", (phone_hash,)
        ) as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row else None

    async def add(self, participant_id: str, phone_hash: str) -> None:
        """Record a participant's checked number (its fingerprint)."""
        await self.conn.execute(
            "INSERT INTO eligibility (participant_id, phone_hash, verified_at) VALUES (?, ?, ?)"
            " ON CONFLICT (participant_id) DO NOTHING",
            (participant_id, phone_hash, utcnow()),
        )
