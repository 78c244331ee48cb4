"""Votes on suggestions (current value plus history) and citizens' reports."""

from __future__ import annotations

from collections.abc import Sequence

import aiosqlite

from bot.model.records import Tally
from storage.clock import utcnow


class VoteRepository:
    """Record votes and reports; count them from the current-vote table."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def get(self, participant_id: str, suggestion_id: int) -> str | None:
        """Return the participant's current vote on a suggestion, or None."""
        async with self.conn.execute(
            "SELECT vote FROM votes WHERE participant_id = ? AND suggestion_id = ?",
            (participant_id, suggestion_id),
        ) as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row else None

    async def record(self, participant_id: str, suggestion_id: int, vote: str) -> None:
        """Set the current vote and append it to the history."""
        now = utcnow()
        await self.conn.execute(
            "INSERT INTO votes (participant_id, suggestion_id, vote, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (participant_id, suggestion_id)"
            " DO UPDATE SET vote = excluded.vote, updated_at = excluded.updated_at",
            (participant_id, suggestion_id, vote, now),
        )
        await self.conn.execute(
            "INSERT INTO vote_history (participant_id, suggestion_id, vote, recorded_at)"
            " VALUES (?, ?, ?, ?)",
            (participant_id, suggestion_id, vote, now),
        )

    async def tallies(self, suggestion_ids: Sequence[int]) -> dict[int, Tally]:
        """Count current agree / disagree / pass votes for each suggestion."""
        result = {sid: Tally() for sid in suggestion_ids}
        if not suggestion_ids:
            return result
        marks = ",".join("?" * len(suggestion_ids))
        async with self.conn.execute(
            "SELECT suggestion_id, vote, COUNT(*) FROM votes"
            f" WHERE suggestion_id IN ({marks}) GROUP BY suggestion_id, vote",
            tuple(suggestion_ids),
        ) as cursor:
            for sid, vote, count in await cursor.fetchall():
                result[sid] = result[sid].plus(vote, count)
        return result

    async def next_candidate(self, participant_id: str, item_id: str) -> int | None:
        """Pick the visible suggestion on an item this participant should vote on next.

        Never their own, never one they voted on or reported; the fewest votes first, so that
        every suggestion gets seen, then the oldest.
        """
        async with self.conn.execute(
            "SELECT s.id FROM suggestions s"
            " WHERE s.item_id = ? AND s.status = 'visible' AND s.participant_id <> ?"
            " AND NOT EXISTS (SELECT 1 FROM votes v"
            "   WHERE v.suggestion_id = s.id AND v.participant_id = ?)"
            " AND NOT EXISTS (SELECT 1 FROM reports r"
            "   WHERE r.suggestion_id = s.id AND r.participant_id = ?)"
            " ORDER BY (SELECT COUNT(*) FROM votes v2 WHERE v2.suggestion_id = s.id), s.id"
            " LIMIT 1",
            (item_id, participant_id, participant_id, participant_id),
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else None

    async def report(self, participant_id: str, suggestion_id: int, reason: str) -> bool:
        """Record a report; return False if this participant had reported it already."""
        cursor = await self.conn.execute(
            "INSERT INTO reports (participant_id, suggestion_id, reason, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (participant_id, suggestion_id) DO NOTHING",
            (participant_id, suggestion_id, reason, utcnow()),
        )
        return cursor.rowcount == 1

    async def report_count(self, suggestion_id: int) -> int:
        """Count the distinct citizens who reported a suggestion."""
        async with self.conn.execute(
            "SELECT COUNT(*) FROM reports WHERE suggestion_id = ?", (suggestion_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0
