"""Messages to citizens rendered once and sent in the background, each at most once."""

from __future__ import annotations

from bot.model.records import OutboxRow
from storage.repository import Repository


class OutboxRepository(Repository):
    """Queue messages and record what became of each."""

    async def add(
        self, participant_id: str, kind: str, body: str, question_id: int | None = None
    ) -> None:
        """Queue one message."""
        await self.execute(
            "INSERT INTO outbox (participant_id, kind, body, question_id, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (participant_id, kind, body, question_id, self.timestamp()),
        )

    async def add_many(self, rows: list[tuple[str, str, str, int | None]]) -> None:
        """Queue messages (participant, kind, body, question) in one statement."""
        now = self.timestamp()
        await self.execute_many(
            "INSERT INTO outbox (participant_id, kind, body, question_id, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [(*row, now) for row in rows],
        )

    async def pending(self, limit: int) -> list[OutboxRow]:
        """Return the oldest messages not yet sent."""
        rows = await self.fetch_all(
            "SELECT o.id, o.participant_id, o.kind, o.body, o.question_id, d.chat_id"
            " FROM outbox o LEFT JOIN delivery d ON d.participant_id = o.participant_id"
            " AND d.blocked_at IS NULL WHERE o.status = 'pending' ORDER BY o.id LIMIT ?",
            (limit,),
        )
        return [OutboxRow(*row) for row in rows]

    async def mark(self, outbox_id: int, status: str) -> None:
        """Record what became of one message, and forget its text: it is never sent again."""
        # A drafter's copy of an author's answer quotes the suggestion; kept after sending,
        # it would outlive the author's erasure.
        sent = self.timestamp() if status == "sent" else None
        await self.execute(
            "UPDATE outbox SET status = ?, sent_at = ?, body = '' WHERE id = ?",
            (status, sent, outbox_id),
        )

    async def received(self, participant_id: str, question_id: int) -> bool:
        """Tell whether a follow-up question was queued for this participant."""
        return await self.exists(
            "SELECT 1 FROM outbox WHERE participant_id = ? AND question_id = ? LIMIT 1",
            (participant_id, question_id),
        )
