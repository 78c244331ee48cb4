"""Drafters' replies and decisions on suggestions."""

from __future__ import annotations

from bot.model.records import ResponseRecord
from storage.repository import Repository

_COLUMNS = "id, suggestion_id, kind, item_id, text"


class ResponseRepository(Repository):
    """Record what drafters said and decided, and that authors were told."""

    async def add(
        self, suggestion_id: int, responder_id: str, kind: str, item_id: str | None,
        text: str | None,
    ) -> int:  # fmt: skip
        """Record a reply or decision and return its id."""
        return await self.insert_id(
            "INSERT INTO suggestion_responses (suggestion_id, responder_id, kind, item_id, text,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (suggestion_id, responder_id, kind, item_id, text, self.timestamp()),
        )

    async def decision(self, suggestion_id: int) -> ResponseRecord | None:
        """Return the latest decision (not a mere reply) on a suggestion, or None."""
        row = await self.fetch_one(
            f"SELECT {_COLUMNS} FROM suggestion_responses WHERE suggestion_id = ?"
            " AND kind <> 'reply' ORDER BY id DESC LIMIT 1",
            (suggestion_id,),
        )
        return ResponseRecord(*row) if row else None

    async def latest(self, suggestion_id: int) -> ResponseRecord | None:
        """Return the latest reply or decision on a suggestion, or None."""
        row = await self.fetch_one(
            f"SELECT {_COLUMNS} FROM suggestion_responses WHERE suggestion_id = ?"
            " ORDER BY id DESC LIMIT 1",
            (suggestion_id,),
        )
        return ResponseRecord(*row) if row else None

    async def unnotified(self) -> list[ResponseRecord]:
        """Return responses whose author has not been told, oldest first."""
        rows = await self.fetch_all(
            f"SELECT {_COLUMNS} FROM suggestion_responses WHERE notified_at IS NULL ORDER BY id"
        )
        return [ResponseRecord(*row) for row in rows]

    async def mark_notified(self, response_id: int) -> None:
        """Record that the suggestion's author was told."""
        await self.execute(
            "UPDATE suggestion_responses SET notified_at = ? WHERE id = ?",
            (self.timestamp(), response_id),
        )
