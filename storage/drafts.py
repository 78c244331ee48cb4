"""Texts citizens sent as suggestions, kept before and after they become suggestions."""

from __future__ import annotations

import aiosqlite

from bot.model.records import DraftRecord
from storage.clock import utcnow

_COLUMNS = "id, participant_id, item_id, text, outcome, suggestion_id"


class DraftRepository:
    """Keep every suggestion text as sent, and what became of it."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def add(self, participant_id: str, item_id: str, text: str) -> int:
        """Store a new undecided draft, closing any earlier undecided one as replaced."""
        now = utcnow()
        await self.conn.execute(
            "UPDATE suggestion_drafts SET outcome = 'replaced', decided_at = ?"
            " WHERE participant_id = ? AND outcome IS NULL",
            (now, participant_id),
        )
        cursor = await self.conn.execute(
            "INSERT INTO suggestion_drafts (participant_id, item_id, text, created_at)"
            " VALUES (?, ?, ?, ?)",
            (participant_id, item_id, text, now),
        )
        if cursor.lastrowid is None:
            raise RuntimeError("SQLite returned no id for the new draft")
        return cursor.lastrowid

    async def get(self, draft_id: int) -> DraftRecord | None:
        """Return one draft, or None."""
        async with self.conn.execute(
            f"SELECT {_COLUMNS} FROM suggestion_drafts WHERE id = ?", (draft_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return DraftRecord(*row) if row else None

    async def decide(self, draft_id: int, outcome: str, suggestion_id: int | None) -> None:
        """Record what became of a draft."""
        await self.conn.execute(
            "UPDATE suggestion_drafts SET outcome = ?, suggestion_id = ?, decided_at = ?"
            " WHERE id = ?",
            (outcome, suggestion_id, utcnow(), draft_id),
        )
