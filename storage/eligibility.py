"""Citizens whose phone number was checked (opt-in eligibility): a keyed fingerprint only."""

from __future__ import annotations

from storage.repository import Repository


class EligibilityRepository(Repository):
    """Record that a participant is eligible, one participant per phone fingerprint."""

    async def verified(self, participant_id: str) -> bool:
        """Tell whether the participant's number was checked."""
        return await self.exists(
            "SELECT 1 FROM eligibility WHERE participant_id = ?", (participant_id,)
        )

    async def holder(self, phone_hash: str) -> str | None:
        """Return the participant this number's fingerprint belongs to, or None."""
        found = await self.fetch_value(
            "SELECT participant_id FROM eligibility WHERE phone_hash = ?", (phone_hash,)
        )
        return None if found is None else str(found)

    async def add(self, participant_id: str, phone_hash: str) -> None:
        """Record a participant's checked number (its fingerprint)."""
        await self.execute(
            "INSERT INTO eligibility (participant_id, phone_hash, verified_at) VALUES (?, ?, ?)"
            " ON CONFLICT (participant_id) DO NOTHING",
            (participant_id, phone_hash, self.timestamp()),
        )
