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

    async def decision_before(self, suggestion_id: int, response_id: int) -> ResponseRecord | None:
        """Return the decision that stood before a given response, or None."""
        row = await self.fetch_one(
            f"SELECT {_COLUMNS} FROM suggestion_responses WHERE suggestion_id = ?"
            " AND kind <> 'reply' AND id < ? ORDER BY id DESC LIMIT 1",
            (suggestion_id, response_id),
        )
        return ResponseRecord(*row) if row else None

    async def decisions(self, suggestion_ids: list[int]) -> dict[int, ResponseRecord]:
        """Return the latest decision on each of these suggestions, else the latest reply."""
        found: dict[int, ResponseRecord] = {}
        for sid in suggestion_ids:  # a citizen's own suggestions: a handful
            if (latest := await self.decision(sid) or await self.latest(sid)) is not None:
                found[sid] = latest
        return found

    async def get(self, response_id: int) -> ResponseRecord | None:
        """Return one reply or decision, or None."""
        row = await self.fetch_one(
            f"SELECT {_COLUMNS} FROM suggestion_responses WHERE id = ?", (response_id,)
        )
        return ResponseRecord(*row) if row else None

    async def history(self, suggestion_id: int) -> list[tuple[ResponseRecord, str]]:
        """Return every reply and decision on a suggestion with its time, oldest first."""
        rows = await self.fetch_all(
            f"SELECT {_COLUMNS}, created_at FROM suggestion_responses WHERE suggestion_id = ?"
            " ORDER BY id",
            (suggestion_id,),
        )
        return [(ResponseRecord(*row[:5]), str(row[5])) for row in rows]

    async def add_answer(
        self, response_id: int, suggestion_id: int, author_id: str, text: str
    ) -> bool:
        """Record an author's answer to a reply; False if they had answered it already."""
        added = await self.execute(
            "INSERT INTO author_answers (response_id, suggestion_id, author_id, text, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (response_id) DO NOTHING",
            (response_id, suggestion_id, author_id, text, self.timestamp()),
        )
        return added == 1

    async def answered(self, response_id: int) -> bool:
        """Tell whether the author answered this reply."""
        return await self.exists(
            "SELECT 1 FROM author_answers WHERE response_id = ?", (response_id,)
        )

    async def answers(self, suggestion_id: int) -> dict[int, tuple[str, str]]:
        """Return the author's answers on a suggestion: reply id -> (text, time)."""
        rows = await self.fetch_all(
            "SELECT response_id, text, created_at FROM author_answers WHERE suggestion_id = ?",
            (suggestion_id,),
        )
        return {int(r[0]): (str(r[1]), str(r[2])) for r in rows}

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
