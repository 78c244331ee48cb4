"""Follow-up questions to segments of citizens, their consent, and the answers."""

from __future__ import annotations

import aiosqlite

from bot.model.reports import QuestionRow
from storage.clock import utcnow

_QUESTION = "id, author_id, item_id, segment, text, status, audience, sent_at"
# Who is in a segment of an item: a stance, or a high priority, given on it.
_SEGMENTS = {
    "opposed": "s.stance = 'oppose'",
    "supported": "s.stance = 'support'",
    "high": "s.priority = 'high'",
}


class FollowUpRepository:
    """Consents, questions, their audiences and answers."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def set_consent(self, participant_id: str, accepted: bool) -> None:
        """Record a citizen's yes or no to follow-up questions."""
        await self.conn.execute(
            "INSERT INTO follow_up_consents (participant_id, accepted, updated_at)"
            " VALUES (?, ?, ?) ON CONFLICT (participant_id) DO UPDATE SET"
            " accepted = excluded.accepted, updated_at = excluded.updated_at",
            (participant_id, int(accepted), utcnow()),
        )

    async def consent(self, participant_id: str) -> bool | None:
        """Return the citizen's answer to follow-up questions, None if never asked."""
        async with self.conn.execute(
            "SELECT accepted FROM follow_up_consents WHERE participant_id = ?", (participant_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return bool(row[0]) if row else None

    async def segment(self, item_id: str, segment: str) -> list[str]:
        """Return the reachable citizens of a segment who accepted follow-up questions."""
        condition = _SEGMENTS[segment]
        async with self.conn.execute(
            "SELECT s.participant_id FROM stances s"
            " JOIN follow_up_consents c ON c.participant_id = s.participant_id AND c.accepted = 1"
            " JOIN delivery d ON d.participant_id = s.participant_id AND d.blocked_at IS NULL"
            f" WHERE s.item_id = ? AND {condition} ORDER BY s.participant_id",
            (item_id,),
        ) as cursor:
            return [str(row[0]) for row in await cursor.fetchall()]

    async def add_question(
        self, author_id: str, item_id: str, segment: str, text: str, audience: int
    ) -> int:
        """Store a question as a draft to confirm; return its id."""
        cursor = await self.conn.execute(
            "INSERT INTO follow_up_questions (author_id, item_id, segment, text, audience,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (author_id, item_id, segment, text, audience, utcnow()),
        )
        if cursor.lastrowid is None:
            raise RuntimeError("SQLite returned no id for the new question")
        return cursor.lastrowid

    async def question(self, question_id: int) -> QuestionRow | None:
        """Return one question, or None."""
        async with self.conn.execute(
            f"SELECT {_QUESTION} FROM follow_up_questions WHERE id = ?", (question_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return QuestionRow(*row) if row else None

    async def set_status(self, question_id: int, status: str, audience: int | None = None) -> None:
        """Mark a question sent (with its final audience) or cancelled."""
        await self.conn.execute(
            "UPDATE follow_up_questions SET status = ?, audience = COALESCE(?, audience),"
            " sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?",
            (status, audience, status, utcnow(), question_id),
        )

    async def link_answer(self, suggestion_id: int, question_id: int) -> None:
        """Mark a suggestion as the answer to a question."""
        await self.conn.execute(
            "UPDATE suggestions SET question_id = ? WHERE id = ?", (question_id, suggestion_id)
        )

    async def sent_questions(self) -> list[QuestionRow]:
        """Return every sent question, oldest first."""
        async with self.conn.execute(
            f"SELECT {_QUESTION} FROM follow_up_questions WHERE status = 'sent' ORDER BY id"
        ) as cursor:
            return [QuestionRow(*row) for row in await cursor.fetchall()]

    async def answers(self, question_id: int) -> list[tuple[int, str]]:
        """Return (suggestion id, text) of the visible answers to a question."""
        async with self.conn.execute(
            "SELECT id, text FROM suggestions WHERE question_id = ? AND status = 'visible'"
            " ORDER BY id",
            (question_id,),
        ) as cursor:
            return [(int(r[0]), str(r[1])) for r in await cursor.fetchall()]
