"""Texts citizens sent as suggestions, kept before and after they become suggestions."""

from __future__ import annotations

from bot.model.records import DraftRecord
from storage.repository import Repository

_COLUMNS = "id, participant_id, item_id, text, outcome, suggestion_id"


class DraftRepository(Repository):
    """Keep every suggestion text as sent, and what became of it."""

    async def add(self, participant_id: str, item_id: str, text: str) -> int:
        """Store a new undecided draft, closing any earlier undecided one as replaced."""
        now = self.timestamp()
        await self.execute(
            "UPDATE suggestion_drafts SET outcome = 'replaced', decided_at = ?"
            " WHERE participant_id = ? AND outcome IS NULL",
            (now, participant_id),
        )
        return await self.insert_id(
            "INSERT INTO suggestion_drafts (participant_id, item_id, text, created_at)"
            " VALUES (?, ?, ?, ?)",
            (participant_id, item_id, text, now),
        )

    async def get(self, draft_id: int) -> DraftRecord | None:
        """Return one draft, or None."""
        row = await self.fetch_one(
            f"SELECT {_COLUMNS} FROM suggestion_drafts WHERE id = ?", (draft_id,)
        )
        return DraftRecord(*row) if row else None

    async def decide(self, draft_id: int, outcome: str, suggestion_id: int | None) -> None:
        """Record what became of a draft."""
        await self.execute(
            "UPDATE suggestion_drafts SET outcome = ?, suggestion_id = ?, decided_at = ?"
            " WHERE id = ?",
            (outcome, suggestion_id, self.timestamp(), draft_id),
        )
