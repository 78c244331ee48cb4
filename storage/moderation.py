"""The moderation queue, automatic flags, bans and the append-only moderation log."""

from __future__ import annotations

from collections.abc import Iterable

from bot.model.records import LogRecord, QueueRecord
from storage.repository import Repository

_QUEUE = (
    "suggestion_id, state, claimed_by, claimed_until, decided_by, reason, excluded,"
    " appealed_at, author_told_at"
)
_LOG = "id, suggestion_id, actor_id, action, reason, previous_status, new_status, created_at"


class ModerationRepository(Repository):
    """Read and change the queue; append to the log (which refuses every other change)."""

    async def add_flags(self, suggestion_id: int, flags: Iterable[tuple[str, str | None]]) -> None:
        """Record what the automatic checks found in a suggestion."""
        now = self.timestamp()
        await self.execute_many(
            "INSERT INTO auto_flags (suggestion_id, reason, detail, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (suggestion_id, reason) DO NOTHING",
            [(suggestion_id, reason, detail, now) for reason, detail in flags],
        )

    async def flags(self, suggestion_id: int) -> list[tuple[str, str | None]]:
        """Return the automatic flags of a suggestion as (reason, detail)."""
        rows = await self.fetch_all(
            "SELECT reason, detail FROM auto_flags WHERE suggestion_id = ? ORDER BY reason",
            (suggestion_id,),
        )
        return [(str(r[0]), r[1]) for r in rows]

    async def report_reasons(self, suggestion_id: int) -> dict[str, int]:
        """Count a suggestion's reports by reason (never saying who reported)."""
        rows = await self.fetch_all(
            "SELECT COALESCE(reason, 'unspecified'), COUNT(*) FROM reports"
            " WHERE suggestion_id = ? GROUP BY 1 ORDER BY 1",
            (suggestion_id,),
        )
        return {str(r[0]): int(r[1]) for r in rows}

    async def enqueue(self, suggestion_id: int) -> bool:
        """Put a suggestion in the queue unless it is there already; True if it was added."""
        added = await self.execute(
            "INSERT INTO moderation_queue (suggestion_id, state, queued_at) VALUES (?, 'open', ?)"
            " ON CONFLICT (suggestion_id) DO NOTHING",
            (suggestion_id, self.timestamp()),
        )
        return added == 1

    async def get(self, suggestion_id: int) -> QueueRecord | None:
        """Return a suggestion's queue row, or None if it was never queued."""
        row = await self.fetch_one(
            f"SELECT {_QUEUE} FROM moderation_queue WHERE suggestion_id = ?", (suggestion_id,)
        )
        return QueueRecord(*row) if row else None

    async def next_open(self, moderator_id: str, now: str) -> int | None:
        """Pick the oldest open item nobody else holds; items this moderator skipped come last.

        A suggestion its author withdrew while it waited needs no decision: it is left out; so is
        one this moderator reported (another moderator decides it).
        """
        found = await self.fetch_value(
            "SELECT q.suggestion_id FROM moderation_queue q"
            " JOIN suggestions s ON s.id = q.suggestion_id"
            " WHERE q.state = 'open' AND s.status <> 'withdrawn'"
            " AND (q.claimed_by IS NULL OR q.claimed_by = ? OR q.claimed_until < ?)"
            " AND (q.excluded IS NULL OR q.excluded <> ?)"
            " AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.suggestion_id = q.suggestion_id"
            "   AND r.participant_id = ?)"
            " ORDER BY EXISTS (SELECT 1 FROM moderation_skips k WHERE k.moderator_id = ?"
            "   AND k.suggestion_id = q.suggestion_id), q.queued_at, q.suggestion_id LIMIT 1",
            (moderator_id, now, moderator_id, moderator_id, moderator_id),
        )
        return None if found is None else int(found)

    async def count_open(self) -> int:
        """Count the items waiting for a moderator (not those their authors withdrew)."""
        count = await self.fetch_value(
            "SELECT COUNT(*) FROM moderation_queue q JOIN suggestions s ON s.id = q.suggestion_id"
            " WHERE q.state = 'open' AND s.status <> 'withdrawn'",
            default=0,
        )
        return int(count)

    async def claim(self, suggestion_id: int, moderator_id: str, until: str) -> None:
        """Hold an open item for one moderator until a time."""
        await self.execute(
            "UPDATE moderation_queue SET claimed_by = ?, claimed_until = ?"
            " WHERE suggestion_id = ?",
            (moderator_id, until, suggestion_id),
        )

    async def skip(self, suggestion_id: int, moderator_id: str) -> None:
        """Release a moderator's claim and remember that they skipped the item."""
        await self.execute(
            "UPDATE moderation_queue SET claimed_by = NULL, claimed_until = NULL"
            " WHERE suggestion_id = ? AND claimed_by = ?",
            (suggestion_id, moderator_id),
        )
        await self.execute(
            "INSERT INTO moderation_skips (moderator_id, suggestion_id) VALUES (?, ?)"
            " ON CONFLICT DO NOTHING",
            (moderator_id, suggestion_id),
        )

    async def decide(
        self, suggestion_id: int, state: str, moderator_id: str, reason: str | None
    ) -> None:
        """Close an item with a moderator's decision; its author is still to be told."""
        now = self.timestamp()
        await self.execute(
            "INSERT INTO moderation_queue (suggestion_id, state, queued_at) VALUES (?, 'open', ?)"
            " ON CONFLICT (suggestion_id) DO NOTHING",
            (suggestion_id, now),
        )
        await self.execute(
            "UPDATE moderation_queue SET state = ?, decided_by = ?, decided_at = ?, reason = ?,"
            " claimed_by = NULL, claimed_until = NULL, author_told_at = NULL"
            " WHERE suggestion_id = ?",
            (state, moderator_id, now, reason, suggestion_id),
        )

    async def appeal(self, suggestion_id: int) -> None:
        """Reopen a hidden item for a second review by a moderator other than the first."""
        now = self.timestamp()
        await self.execute(
            "UPDATE moderation_queue SET state = 'open', excluded = decided_by, appealed_at = ?,"
            " queued_at = ?, claimed_by = NULL, claimed_until = NULL WHERE suggestion_id = ?",
            (now, now, suggestion_id),
        )

    async def untold(self) -> list[QueueRecord]:
        """Return decided items whose authors have not been told yet."""
        rows = await self.fetch_all(
            f"SELECT {_QUEUE} FROM moderation_queue WHERE state <> 'open'"
            " AND author_told_at IS NULL ORDER BY decided_at"
        )
        return [QueueRecord(*row) for row in rows]

    async def mark_told(self, suggestion_id: int) -> None:
        """Record that the author was told of the decision."""
        await self.execute(
            "UPDATE moderation_queue SET author_told_at = ? WHERE suggestion_id = ?",
            (self.timestamp(), suggestion_id),
        )

    async def hidden_count(self, participant_id: str) -> tuple[int, int]:
        """Return (hidden, total) of a participant's suggestions: their moderation history."""
        row = await self.fetch_one(
            "SELECT COUNT(*) FILTER (WHERE status = 'hidden'), COUNT(*) FROM suggestions"
            " WHERE participant_id = ?",
            (participant_id,),
        )
        return (int(row[0]), int(row[1])) if row else (0, 0)

    async def ban(self, participant_id: str, moderator_id: str) -> bool:
        """Stop accepting a participant's suggestions; False if they were banned already."""
        added = await self.execute(
            "INSERT INTO bans (participant_id, banned_by, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT (participant_id) DO NOTHING",
            (participant_id, moderator_id, self.timestamp()),
        )
        return added == 1

    async def unban(self, participant_id: str) -> bool:
        """Accept a participant's suggestions again; False if they were not banned."""
        removed = await self.execute(
            "DELETE FROM bans WHERE participant_id = ?", (participant_id,)
        )
        return removed == 1

    async def bans(self) -> list[tuple[str, str]]:
        """Return every ban as (participant, since), oldest first."""
        rows = await self.fetch_all(
            "SELECT participant_id, created_at FROM bans ORDER BY created_at"
        )
        return [(str(row[0]), str(row[1])) for row in rows]

    async def reported_by(self, suggestion_id: int, participant_id: str) -> bool:
        """Tell whether this participant reported the suggestion."""
        return await self.exists(
            "SELECT 1 FROM reports WHERE suggestion_id = ? AND participant_id = ?",
            (suggestion_id, participant_id),
        )

    async def is_banned(self, participant_id: str) -> bool:
        """Tell whether a participant may no longer post."""
        return await self.exists("SELECT 1 FROM bans WHERE participant_id = ?", (participant_id,))

    async def log(
        self, suggestion_id: int | None, actor_id: str | None, action: str,
        reason: str | None, previous_status: str | None, new_status: str | None,
    ) -> None:  # fmt: skip
        """Append one decision to the moderation log."""
        now = self.timestamp()
        await self.execute(
            "INSERT INTO moderation_log (suggestion_id, actor_id, action, reason,"
            " previous_status, new_status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (suggestion_id, actor_id, action, reason, previous_status, new_status, now),
        )

    async def recent_log(self, limit: int | None = None) -> list[LogRecord]:
        """Return the log, newest first (all of it without a limit)."""
        sql = f"SELECT {_LOG} FROM moderation_log ORDER BY id DESC"
        params: tuple[int, ...] = ()
        if limit is not None:
            sql += " LIMIT ?"
            params = (limit,)
        return [LogRecord(*row) for row in await self.fetch_all(sql, params)]
