"""Suggestions citizens write on items."""

from __future__ import annotations

import aiosqlite

from bot.model.records import SuggestionRecord
from storage.clock import utcnow

_COLUMNS = "id, participant_id, item_id, text, status, created_at"


class SuggestionRepository:
    """Add and read suggestions."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def add(
        self, participant_id: str, item_id: str, text: str, status: str, plan_version: str
    ) -> int:
        """Store a suggestion and return its id."""
        cursor = await self.conn.execute(
            "INSERT INTO suggestions (participant_id, item_id, text, status, plan_version,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (participant_id, item_id, text, status, plan_version, utcnow()),
        )
        if cursor.lastrowid is None:
            raise RuntimeError("SQLite returned no id for the new suggestion")
        return cursor.lastrowid

    async def by_participant(self, participant_id: str) -> list[SuggestionRecord]:
        """Return the participant's suggestions, oldest first."""
        async with self.conn.execute(
            f"SELECT {_COLUMNS} FROM suggestions WHERE participant_id = ? ORDER BY id",
            (participant_id,),
        ) as cursor:
            rows = await cursor.fetchall()
        return [SuggestionRecord(*row) for row in rows]

    async def get(self, suggestion_id: int) -> SuggestionRecord | None:
        """Return one suggestion, or None."""
        async with self.conn.execute(
            f"SELECT {_COLUMNS} FROM suggestions WHERE id = ?", (suggestion_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return SuggestionRecord(*row) if row else None

    async def visible_on_item(
        self, item_id: str, excluding_participant: str
    ) -> list[tuple[int, str]]:
        """Return (id, text) of the visible suggestions on an item by other participants."""
        async with self.conn.execute(
            "SELECT id, text FROM suggestions WHERE item_id = ? AND status = 'visible'"
            " AND participant_id <> ? ORDER BY id",
            (item_id, excluding_participant),
        ) as cursor:
            rows = await cursor.fetchall()
        return [(int(row[0]), str(row[1])) for row in rows]

    async def count_shown(self, item_id: str, participant_id: str) -> tuple[int, int]:
        """Count a participant's own suggestions on an item not withdrawn, and others' visible."""
        async with self.conn.execute(
            "SELECT SUM(participant_id = ? AND status <> 'withdrawn'),"
            " SUM(participant_id <> ? AND status = 'visible')"
            " FROM suggestions WHERE item_id = ?",
            (participant_id, participant_id, item_id),
        ) as cursor:
            row = await cursor.fetchone()
        return (int(row[0] or 0), int(row[1] or 0)) if row else (0, 0)

    async def set_status(self, suggestion_id: int, status: str) -> None:
        """Change whether a suggestion is shown."""
        await self.conn.execute(
            "UPDATE suggestions SET status = ? WHERE id = ?", (status, suggestion_id)
        )

    async def count_since(self, participant_id: str, since: str) -> int:
        """Count the suggestions a participant posted since a moment."""
        async with self.conn.execute(
            "SELECT COUNT(*) FROM suggestions WHERE participant_id = ? AND created_at >= ?",
            (participant_id, since),
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def text_exists(self, text: str) -> bool:
        """Tell whether anyone posted exactly this text before."""
        async with self.conn.execute(
            "SELECT 1 FROM suggestions WHERE text = ? LIMIT 1", (text,)
        ) as cursor:
            return await cursor.fetchone() is not None

    async def ids_with_status(self, participant_id: str, status: str) -> list[int]:
        """Return the ids of a participant's suggestions in one state."""
        async with self.conn.execute(
            "SELECT id FROM suggestions WHERE participant_id = ? AND status = ? ORDER BY id",
            (participant_id, status),
        ) as cursor:
            return [int(row[0]) for row in await cursor.fetchall()]
