"""Participants (pseudonymous, with their walkthrough position) and the delivery table."""

from __future__ import annotations

import aiosqlite

from bot.model.records import ParticipantRecord
from storage.clock import utcnow

_SELECT = (
    "SELECT p.id, p.current_item, p.step, p.completed_at, p.created_at, a.kind, a.target,"
    " p.resume_item FROM participants p LEFT JOIN awaited_inputs a ON a.participant_id = p.id"
)


class ParticipantRepository:
    """Create participants and read or move their position in the walkthrough."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def ensure(self, participant_id: str) -> bool:
        """Insert the participant if new; return True when it was created."""
        now = utcnow()
        cursor = await self.conn.execute(
            "INSERT INTO participants (id, created_at, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (id) DO NOTHING",
            (participant_id, now, now),
        )
        return cursor.rowcount == 1

    async def get(self, participant_id: str) -> ParticipantRecord | None:
        """Return the participant, or None if unknown."""
        async with self.conn.execute(f"{_SELECT} WHERE p.id = ?", (participant_id,)) as cursor:
            row = await cursor.fetchone()
        return ParticipantRecord(*row) if row else None

    async def set_position(self, participant_id: str, item_id: str | None, step: str) -> None:
        """Move the participant to an item and a step; any other awaited text is dropped."""
        await self.conn.execute(
            "UPDATE participants SET current_item = ?, step = ?, updated_at = ? WHERE id = ?",
            (item_id, step, utcnow(), participant_id),
        )
        await self.set_awaiting(participant_id, None)

    async def set_resume(self, participant_id: str, item_id: str | None) -> None:
        """Remember where the walk through the plan resumes after a visit (None: forget it)."""
        await self.conn.execute(
            "UPDATE participants SET resume_item = ? WHERE id = ?", (item_id, participant_id)
        )

    async def set_awaiting(
        self, participant_id: str, kind: str | None, target: int | None = None
    ) -> None:
        """Record what free text the participant's next message is (None: nothing special)."""
        if kind is None:
            await self.conn.execute(
                "DELETE FROM awaited_inputs WHERE participant_id = ?", (participant_id,)
            )
            return
        await self.conn.execute(
            "INSERT INTO awaited_inputs (participant_id, kind, target, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (participant_id) DO UPDATE SET"
            " kind = excluded.kind, target = excluded.target, created_at = excluded.created_at",
            (participant_id, kind, target, utcnow()),
        )

    async def language(self, participant_id: str) -> str | None:
        """Return the language the participant chose, or None if they have not chosen."""
        async with self.conn.execute(
            "SELECT language FROM participants WHERE id = ?", (participant_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row and row[0] is not None else None

    async def set_language(self, participant_id: str, language: str) -> None:
        """Record the language the participant chose."""
        await self.conn.execute(
            "UPDATE participants SET language = ?, updated_at = ? WHERE id = ?",
            (language, utcnow(), participant_id),
        )

    async def languages(self, participant_ids: list[str]) -> dict[str, str]:
        """Return the chosen language of each of these participants who chose one."""
        found: dict[str, str] = {}
        # Chunks keep the statement within SQLite's limit on bound parameters.
        for start in range(0, len(participant_ids), 500):
            chunk = participant_ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            async with self.conn.execute(
                f"SELECT id, language FROM participants WHERE language IS NOT NULL"
                f" AND id IN ({marks})",
                chunk,
            ) as cursor:
                found.update({str(pid): str(lang) async for pid, lang in cursor})
        return found

    async def mark_completed(self, participant_id: str) -> None:
        """Record the first time the participant reached the end of the plan."""
        await self.conn.execute(
            "UPDATE participants SET completed_at = COALESCE(completed_at, ?) WHERE id = ?",
            (utcnow(), participant_id),
        )


class DeliveryRepository:
    """Where to write back to a participant: the only place a citizen's chat id is kept."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def upsert(self, participant_id: str, chat_id: int) -> None:
        """Remember the private chat in which to reach the participant."""
        await self.conn.execute(
            "INSERT INTO delivery (participant_id, chat_id, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (participant_id) DO UPDATE SET chat_id = excluded.chat_id, "
            "updated_at = excluded.updated_at, blocked_at = NULL "
            "WHERE delivery.chat_id <> excluded.chat_id OR delivery.blocked_at IS NOT NULL",
            (participant_id, chat_id, utcnow()),
        )

    async def chat_id(self, participant_id: str) -> int | None:
        """Return the chat to write to, or None (unknown, or they blocked the bot)."""
        async with self.conn.execute(
            "SELECT chat_id FROM delivery WHERE participant_id = ? AND blocked_at IS NULL",
            (participant_id,),
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else None

    async def mark_blocked(self, participant_id: str) -> None:
        """Record that the participant blocked the bot: nothing is sent to them any more."""
        await self.conn.execute(
            "UPDATE delivery SET blocked_at = COALESCE(blocked_at, ?) WHERE participant_id = ?",
            (utcnow(), participant_id),
        )

    async def set_updates(self, participant_id: str, wanted: bool) -> None:
        """Turn broadcasts on or off for a participant."""
        await self.conn.execute(
            "UPDATE delivery SET updates_off_at = ? WHERE participant_id = ?",
            (None if wanted else utcnow(), participant_id),
        )

    async def wants_updates(self, participant_id: str) -> bool:
        """Tell whether the participant receives broadcasts."""
        async with self.conn.execute(
            "SELECT updates_off_at IS NULL FROM delivery WHERE participant_id = ?",
            (participant_id,),
        ) as cursor:
            row = await cursor.fetchone()
        return bool(row[0]) if row else False
