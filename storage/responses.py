"""Drafters' replies and decisions on suggestions."""

from __future__ import annotations

import aiosqlite

from bot.model.records import ResponseRecord
from storage.clock import utcnow

_COLUMNS = "id, suggestion_id, kind, item_id, text"


class ResponseRepository:
    """Record what drafters said and decided, and that authors were told."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def add(
        self, suggestion_id: int, responder_id: str, kind: str, item_id: str | None,
        text: str | None,
    ) -> int:  # fmt: skip
        """Record a reply or decision and return its id."""
        cursor = await self.conn.execute(
            "INSERT INTO suggestion_responses (suggestion_id, responder_id, kind, item_id, text,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (suggestion_id, responder_id, kind, item_id, text, utcnow()),
        )
        if cursor.lastrowid is None:
            raise RuntimeError("SQLite returned no id for the new response")
        return cursor.lastrowid

    async def decision(self, suggestion_id: int) -> ResponseRecord | None:
        """Return the latest decision (not a mere reply) on a suggestion, or None."""
        async with self.conn.execute(
            f"SELECT {_COLUMNS} FROM suggestion_responses WHERE suggestion_id = ?"
            " AND kind <> 'reply' ORDER BY id DESC LIMIT 1",
            (suggestion_id,),
        ) as cursor:
            row = await cursor.fetchone()
        return ResponseRecord(*row) if row else None

    async def latest(self, suggestion_id: int) -> ResponseRecord | None:
        """Return the latest reply or decision on a suggestion, or None."""
        async with self.conn.execute(
            f"SELECT {_COLUMNS} FROM suggestion_responses WHERE suggestion_id = ?"
            " ORDER BY id DESC LIMIT 1",
            (suggestion_id,),
        ) as cursor:
            row = await cursor.fetchone()
        return ResponseRecord(*row) if row else None

    async def unnotified(self) -> list[ResponseRecord]:
        """Return responses whose author has not been told, oldest first."""
        async with self.conn.execute(
            f"SELECT {_COLUMNS} FROM suggestion_responses WHERE notified_at IS NULL ORDER BY id"
        ) as cursor:
            rows = await cursor.fetchall()
        return [ResponseRecord(*row) for row in rows]

    async def mark_notified(self, response_id: int) -> None:
        """Record that the suggestion's author was told."""
        await self.conn.execute(
            "UPDATE suggestion_responses SET notified_at = ? WHERE id = ?",
            (utcnow(), response_id),
        )
