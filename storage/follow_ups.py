"""Follow-up questions to segments of citizens, their consent, and the answers."""

from __future__ import annotations

from bot.model.reports import QuestionRow
from storage.repository import Repository

_QUESTION = "id, author_id, item_id, segment, text, status, audience, sent_at"
# Who is in a segment of an item: a stance, or a high priority, given on it.
_SEGMENTS = {
    "opposed": "s.stance = 'oppose'",
    "supported": "s.stance = 'support'",
    "high": "s.priority = 'high'",
}


class FollowUpRepository(Repository):
    """Consents, questions, their audiences and answers."""

    async def set_consent(self, participant_id: str, accepted: bool) -> None:
        """Record a citizen's yes or no to follow-up questions."""
        await self.execute(
            "INSERT INTO follow_up_consents (participant_id, accepted, updated_at)"
            " VALUES (?, ?, ?) ON CONFLICT (participant_id) DO UPDATE SET"
            " accepted = excluded.accepted, updated_at = excluded.updated_at",
            (participant_id, int(accepted), self.timestamp()),
        )

    async def consent(self, participant_id: str) -> bool | None:
        """Return the citizen's answer to follow-up questions, None if never asked."""
        accepted = await self.fetch_value(
            "SELECT accepted FROM follow_up_consents WHERE participant_id = ?", (participant_id,)
        )
        return None if accepted is None else bool(accepted)

    async def segment(self, item_id: str, segment: str) -> list[str]:
        """Return the reachable citizens of a segment who accepted follow-up questions."""
        condition = _SEGMENTS[segment]
        rows = await self.fetch_all(
            "SELECT s.participant_id FROM stances s"
            " JOIN follow_up_consents c ON c.participant_id = s.participant_id AND c.accepted = 1"
            " JOIN delivery d ON d.participant_id = s.participant_id AND d.blocked_at IS NULL"
            f" WHERE s.item_id = ? AND {condition} ORDER BY s.participant_id",
            (item_id,),
        )
        return [str(row[0]) for row in rows]

    async def add_question(
        self, author_id: str, item_id: str, segment: str, text: str, audience: int
    ) -> int:
        """Store a question as a draft to confirm; return its id."""
        return await self.insert_id(
            "INSERT INTO follow_up_questions (author_id, item_id, segment, text, audience,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (author_id, item_id, segment, text, audience, self.timestamp()),
        )

    async def question(self, question_id: int) -> QuestionRow | None:
        """Return one question, or None."""
        row = await self.fetch_one(
            f"SELECT {_QUESTION} FROM follow_up_questions WHERE id = ?", (question_id,)
        )
        return QuestionRow(*row) if row else None

    async def set_status(self, question_id: int, status: str, audience: int | None = None) -> None:
        """Mark a question sent (with its final audience) or cancelled."""
        await self.execute(
            "UPDATE follow_up_questions SET status = ?, audience = COALESCE(?, audience),"
            " sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?",
            (status, audience, status, self.timestamp(), question_id),
        )

    async def link_answer(self, suggestion_id: int, question_id: int) -> None:
        """Mark a suggestion as the answer to a question."""
        await self.execute(
            "UPDATE suggestions SET question_id = ? WHERE id = ?", (question_id, suggestion_id)
        )

    async def sent_questions(self) -> list[QuestionRow]:
        """Return every sent question, oldest first."""
        rows = await self.fetch_all(
            f"SELECT {_QUESTION} FROM follow_up_questions WHERE status = 'sent' ORDER BY id"
        )
        return [QuestionRow(*row) for row in rows]

    async def answers(self, question_id: int) -> list[tuple[int, str]]:
        """Return (suggestion id, text) of the visible answers to a question."""
        rows = await self.fetch_all(
            "SELECT id, text FROM suggestions WHERE question_id = ? AND status = 'visible'"
            " ORDER BY id",
            (question_id,),
        )
        return [(int(r[0]), str(r[1])) for r in rows]
