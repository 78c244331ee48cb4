"""Suggestions citizens write on items."""

from __future__ import annotations

from bot.model.records import SuggestionRecord
from storage.repository import Repository

_COLUMNS = "id, participant_id, item_id, text, status, created_at"


class SuggestionRepository(Repository):
    """Add and read suggestions."""

    async def add(
        self, participant_id: str, item_id: str, text: str, status: str, plan_version: str,
        text_key: str | None = None,
    ) -> int:  # fmt: skip
        """Store a suggestion (with the key of its words, for the repeat check); return its id."""
        return await self.insert_id(
            "INSERT INTO suggestions (participant_id, item_id, text, status, plan_version,"
            " created_at, text_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (participant_id, item_id, text, status, plan_version, self.timestamp(), text_key),
        )

    async def by_participant(self, participant_id: str) -> list[SuggestionRecord]:
        """Return the participant's suggestions, oldest first."""
        rows = await self.fetch_all(
            f"SELECT {_COLUMNS} FROM suggestions WHERE participant_id = ? ORDER BY id",
            (participant_id,),
        )
        return [SuggestionRecord(*row) for row in rows]

    async def get(self, suggestion_id: int) -> SuggestionRecord | None:
        """Return one suggestion, or None."""
        row = await self.fetch_one(
            f"SELECT {_COLUMNS} FROM suggestions WHERE id = ?", (suggestion_id,)
        )
        return SuggestionRecord(*row) if row else None

    async def visible_on_item(
        self, item_id: str, excluding_participant: str
    ) -> list[tuple[int, str]]:
        """Return (id, text) of the visible suggestions on an item by other participants."""
        rows = await self.fetch_all(
            "SELECT id, text FROM suggestions WHERE item_id = ? AND status = 'visible'"
            " AND participant_id <> ? ORDER BY id",
            (item_id, excluding_participant),
        )
        return [(int(row[0]), str(row[1])) for row in rows]

    async def count_shown(self, item_id: str, participant_id: str) -> tuple[int, int]:
        """Count a participant's own suggestions on an item not withdrawn, and others' visible."""
        row = await self.fetch_one(
            "SELECT COUNT(*) FILTER (WHERE participant_id = ? AND status <> 'withdrawn'),"
            " COUNT(*) FILTER (WHERE participant_id <> ? AND status = 'visible')"
            " FROM suggestions WHERE item_id = ?",
            (participant_id, participant_id, item_id),
        )
        return (int(row[0] or 0), int(row[1] or 0)) if row else (0, 0)

    async def set_status(self, suggestion_id: int, status: str) -> None:
        """Change whether a suggestion is shown."""
        await self.execute(
            "UPDATE suggestions SET status = ? WHERE id = ?", (status, suggestion_id)
        )

    async def count_since(self, participant_id: str, since: str) -> int:
        """Count the suggestions a participant posted since a moment."""
        count = await self.fetch_value(
            "SELECT COUNT(*) FROM suggestions WHERE participant_id = ? AND created_at >= ?",
            (participant_id, since),
            default=0,
        )
        return int(count)

    async def key_exists(self, text_key: str) -> bool:
        """Tell whether anyone posted a text with this key before (an index lookup)."""
        return await self.exists(
            "SELECT 1 FROM suggestions WHERE text_key = ? LIMIT 1", (text_key,)
        )

    async def without_key(self, limit: int) -> list[tuple[int, str]]:
        """Return (id, text) of suggestions stored before texts had keys."""
        rows = await self.fetch_all(
            "SELECT id, text FROM suggestions WHERE text_key IS NULL ORDER BY id LIMIT ?",
            (limit,),
        )
        return [(int(row[0]), str(row[1])) for row in rows]

    async def set_keys(self, keys: list[tuple[str, int]]) -> None:
        """Store the keys (key, id) of suggestions stored before texts had keys."""
        await self.execute_many("UPDATE suggestions SET text_key = ? WHERE id = ?", keys)

    async def ids_with_status(self, participant_id: str, status: str) -> list[int]:
        """Return the ids of a participant's suggestions in one state."""
        rows = await self.fetch_all(
            "SELECT id FROM suggestions WHERE participant_id = ? AND status = ? ORDER BY id",
            (participant_id, status),
        )
        return [int(row[0]) for row in rows]
