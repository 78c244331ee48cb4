"""Votes on suggestions (current value plus history) and citizens' reports."""

from __future__ import annotations

from storage.repository import Repository

# The most history rows one participant's vote on one suggestion (or answer on one item) keeps:
# enough for every real change of mind, while a vote flipped back and forth a thousand times
# costs no more rows than this.
HISTORY_KEPT = 10


class VoteRepository(Repository):
    """Record votes and reports; count them from the current-vote table."""

    async def get(self, participant_id: str, suggestion_id: int) -> str | None:
        """Return the participant's current vote on a suggestion, or None."""
        vote = await self.fetch_value(
            "SELECT vote FROM votes WHERE participant_id = ? AND suggestion_id = ?",
            (participant_id, suggestion_id),
        )
        return None if vote is None else str(vote)

    async def record(self, participant_id: str, suggestion_id: int, vote: str) -> None:
        """Set the current vote; a change (only a change) is appended to the history.

        The history of one vote is bounded (HISTORY_KEPT): flipping a vote back and forth keeps
        the first vote and the latest changes, not every press.
        """
        now = self.timestamp()
        changed = await self.execute(
            "INSERT INTO votes (participant_id, suggestion_id, vote, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (participant_id, suggestion_id)"
            " DO UPDATE SET vote = excluded.vote, updated_at = excluded.updated_at"
            " WHERE votes.vote IS DISTINCT FROM excluded.vote",
            (participant_id, suggestion_id, vote, now),
        )
        if changed == 0:
            return
        await self.execute(
            "INSERT INTO vote_history (participant_id, suggestion_id, vote, recorded_at)"
            " VALUES (?, ?, ?, ?)",
            (participant_id, suggestion_id, vote, now),
        )
        # Over the bound, the second-oldest row goes: the first vote and the latest stay.
        await self.execute(
            "DELETE FROM vote_history WHERE id = (SELECT id FROM vote_history"
            "  WHERE participant_id = ?1 AND suggestion_id = ?2 ORDER BY id LIMIT 1 OFFSET 1)"
            " AND (SELECT COUNT(*) FROM vote_history"
            "  WHERE participant_id = ?1 AND suggestion_id = ?2) > ?3",
            (participant_id, suggestion_id, HISTORY_KEPT),
        )

    async def next_candidate(self, participant_id: str, item_id: str) -> int | None:
        """Pick the visible suggestion on an item this participant should vote on next.

        Never their own, never one they voted on or reported; the fewest votes first, so that
        every suggestion gets seen, then the oldest.
        """
        found = await self.fetch_value(
            "SELECT s.id FROM suggestions s"
            " WHERE s.item_id = ? AND s.status = 'visible' AND s.participant_id <> ?"
            " AND NOT EXISTS (SELECT 1 FROM votes v"
            "   WHERE v.suggestion_id = s.id AND v.participant_id = ?)"
            " AND NOT EXISTS (SELECT 1 FROM reports r"
            "   WHERE r.suggestion_id = s.id AND r.participant_id = ?)"
            " ORDER BY (SELECT COUNT(*) FROM votes v2 WHERE v2.suggestion_id = s.id), s.id"
            " LIMIT 1",
            (item_id, participant_id, participant_id, participant_id),
        )
        return None if found is None else int(found)

    async def report(self, participant_id: str, suggestion_id: int, reason: str) -> bool:
        """Record a report; return False if this participant had reported it already."""
        added = await self.execute(
            "INSERT INTO reports (participant_id, suggestion_id, reason, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (participant_id, suggestion_id) DO NOTHING",
            (participant_id, suggestion_id, reason, self.timestamp()),
        )
        return added == 1

    async def report_count(self, suggestion_id: int) -> int:
        """Count the distinct citizens who reported a suggestion."""
        count = await self.fetch_value(
            "SELECT COUNT(*) FROM reports WHERE suggestion_id = ?", (suggestion_id,), default=0
        )
        return int(count)
