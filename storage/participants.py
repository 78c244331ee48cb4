"""Participants (pseudonymous, with their walkthrough position) and the delivery table."""

from __future__ import annotations

from bot.model.records import ParticipantRecord
from storage.repository import Repository

_SELECT = (
    "SELECT p.id, p.current_item, p.step, p.completed_at, p.created_at, a.kind, a.target,"
    " p.resume_item FROM participants p LEFT JOIN awaited_inputs a ON a.participant_id = p.id"
)


class ParticipantRepository(Repository):
    """Create participants and read or move their position in the walkthrough."""

    async def ensure(self, participant_id: str) -> bool:
        """Insert the participant if new; return True when it was created."""
        now = self.timestamp()
        added = await self.execute(
            "INSERT INTO participants (id, created_at, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (id) DO NOTHING",
            (participant_id, now, now),
        )
        return added == 1

    async def get(self, participant_id: str) -> ParticipantRecord | None:
        """Return the participant, or None if unknown."""
        row = await self.fetch_one(f"{_SELECT} WHERE p.id = ?", (participant_id,))
        return ParticipantRecord(*row) if row else None

    async def set_position(self, participant_id: str, item_id: str | None, step: str) -> None:
        """Move the participant to an item and a step; any other awaited text is dropped."""
        await self.execute(
            "UPDATE participants SET current_item = ?, step = ?, updated_at = ? WHERE id = ?",
            (item_id, step, self.timestamp(), participant_id),
        )
        await self.set_awaiting(participant_id, None)

    async def set_resume(self, participant_id: str, item_id: str | None) -> None:
        """Remember where the walk through the plan resumes after a visit (None: forget it)."""
        await self.execute(
            "UPDATE participants SET resume_item = ? WHERE id = ?", (item_id, participant_id)
        )

    async def set_awaiting(
        self, participant_id: str, kind: str | None, target: int | None = None
    ) -> None:
        """Record what free text the participant's next message is (None: nothing special)."""
        if kind is None:
            await self.execute(
                "DELETE FROM awaited_inputs WHERE participant_id = ?", (participant_id,)
            )
            return
        await self.execute(
            "INSERT INTO awaited_inputs (participant_id, kind, target, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (participant_id) DO UPDATE SET"
            " kind = excluded.kind, target = excluded.target, created_at = excluded.created_at",
            (participant_id, kind, target, self.timestamp()),
        )

    async def language(self, participant_id: str) -> str | None:
        """Return the language the participant chose, or None if they have not chosen."""
        language = await self.fetch_value(
            "SELECT language FROM participants WHERE id = ?", (participant_id,)
        )
        return None if language is None else str(language)

    async def set_language(self, participant_id: str, language: str) -> None:
        """Record the language the participant chose."""
        await self.execute(
            "UPDATE participants SET language = ?, updated_at = ? WHERE id = ?",
            (language, self.timestamp(), participant_id),
        )

    async def languages(self, participant_ids: list[str]) -> dict[str, str]:
        """Return the chosen language of each of these participants who chose one."""
        found: dict[str, str] = {}
        # Chunks keep the statement within SQLite's limit on bound parameters.
        for start in range(0, len(participant_ids), 500):
            chunk = participant_ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = await self.fetch_all(
                f"SELECT id, language FROM participants WHERE language IS NOT NULL"
                f" AND id IN ({marks})",
                chunk,
            )
            found.update({str(pid): str(lang) for pid, lang in rows})
        return found

    async def mark_completed(self, participant_id: str) -> None:
        """Record the first time the participant reached the end of the plan."""
        await self.execute(
            "UPDATE participants SET completed_at = COALESCE(completed_at, ?) WHERE id = ?",
            (self.timestamp(), participant_id),
        )


class DeliveryRepository(Repository):
    """Where to write back to a participant: the only place a citizen's chat id is kept."""

    async def upsert(self, participant_id: str, chat_id: int) -> None:
        """Remember the private chat in which to reach the participant."""
        await self.execute(
            "INSERT INTO delivery (participant_id, chat_id, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (participant_id) DO UPDATE SET chat_id = excluded.chat_id, "
            "updated_at = excluded.updated_at, blocked_at = NULL "
            "WHERE delivery.chat_id <> excluded.chat_id OR delivery.blocked_at IS NOT NULL",
            (participant_id, chat_id, self.timestamp()),
        )

    async def chat_id(self, participant_id: str) -> int | None:
        """Return the chat to write to, or None (unknown, or they blocked the bot)."""
        chat = await self.fetch_value(
            "SELECT chat_id FROM delivery WHERE participant_id = ? AND blocked_at IS NULL",
            (participant_id,),
        )
        return None if chat is None else int(chat)

    async def mark_blocked(self, participant_id: str) -> None:
        """Record that the participant blocked the bot: nothing is sent to them any more."""
        await self.execute(
            "UPDATE delivery SET blocked_at = COALESCE(blocked_at, ?) WHERE participant_id = ?",
            (self.timestamp(), participant_id),
        )

    async def set_updates(self, participant_id: str, wanted: bool) -> None:
        """Turn broadcasts on or off for a participant."""
        await self.execute(
            "UPDATE delivery SET updates_off_at = ? WHERE participant_id = ?",
            (None if wanted else self.timestamp(), participant_id),
        )

    async def wants_updates(self, participant_id: str) -> bool:
        """Tell whether the participant receives broadcasts."""
        wanted = await self.fetch_value(
            "SELECT updates_off_at IS NULL FROM delivery WHERE participant_id = ?",
            (participant_id,),
            default=False,
        )
        return bool(wanted)
