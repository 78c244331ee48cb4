"""Digest queries: what happened in a period, suggestions with tallies, the digests sent."""

from __future__ import annotations

from bot.model.reports import DigestPart, DigestRow, TalliedSuggestion
from storage.repository import Repository, Row

_DIGEST = "id, slot, period_start, period_end, stats, chart, completed_at"
# Suggestions with their current agree / disagree / pass counts (add a WHERE on `s`).
_TALLIED = (
    "SELECT s.id, s.item_id, s.text,"
    " COALESCE(v.agree, 0), COALESCE(v.disagree, 0), COALESCE(v.passed, 0)"
    " FROM suggestions s LEFT JOIN (SELECT suggestion_id,"
    "   COUNT(*) FILTER (WHERE vote = 'agree') AS agree,"
    "   COUNT(*) FILTER (WHERE vote = 'disagree') AS disagree,"
    "   COUNT(*) FILTER (WHERE vote = 'pass') AS passed FROM votes GROUP BY suggestion_id) v"
    " ON v.suggestion_id = s.id"
)


class DigestRepository(Repository):
    """Read a hearing's figures and record digests and their sent parts."""

    async def _count(self, sql: str, args: tuple[object, ...] = ()) -> int:
        return int(await self.fetch_value(sql, args, default=0))

    async def active(self, start: str, end: str) -> int:
        """Count the participants who answered, suggested or voted in (start, end]."""
        return await self._count(
            "SELECT COUNT(*) FROM (SELECT participant_id FROM stance_history"
            " WHERE recorded_at > ? AND recorded_at <= ?"
            " UNION SELECT participant_id FROM vote_history"
            " WHERE recorded_at > ? AND recorded_at <= ?"
            " UNION SELECT participant_id FROM suggestions"
            " WHERE created_at > ? AND created_at <= ?) AS active",
            (start, end, start, end, start, end),
        )

    async def completed_total(self) -> int:
        """Count the participants who finished the plan."""
        return await self._count(
            "SELECT COUNT(*) FROM participants WHERE completed_at IS NOT NULL"
        )

    async def tallied_suggestions(self) -> list[TalliedSuggestion]:
        """Return every visible suggestion with its current agree / disagree / pass counts."""
        rows = await self.fetch_all(f"{_TALLIED} WHERE s.status = 'visible' ORDER BY s.id")
        return [_tallied(row) for row in rows]

    async def new_suggestions(self, start: str, end: str) -> list[TalliedSuggestion]:
        """Return the visible suggestions first shown to citizens in (start, end], with tallies.

        One held at submission was first shown when a moderator first approved it; any other
        when it was posted (hidden by reports and restored later, it is not new again).
        """
        rows = await self.fetch_all(
            f"{_TALLIED} JOIN (SELECT n.id, COALESCE("
            "   (SELECT MIN(l.created_at) FROM moderation_log l WHERE l.suggestion_id = n.id"
            "    AND l.action = 'approve'"
            "    AND EXISTS (SELECT 1 FROM auto_flags f WHERE f.suggestion_id = n.id)),"
            "   n.created_at) AS shown_at FROM suggestions n WHERE n.status = 'visible') shown"
            " ON shown.id = s.id WHERE shown.shown_at > ? AND shown.shown_at <= ? ORDER BY s.id",
            (start, end),
        )
        return [_tallied(row) for row in rows]

    async def visible_page(self, before: int | None, limit: int) -> list[TalliedSuggestion]:
        """Return up to `limit` visible suggestions with ids below `before`, newest first."""
        rows = await self.fetch_all(
            f"{_TALLIED} WHERE s.status = 'visible' AND s.id < ? ORDER BY s.id DESC LIMIT ?",
            (before if before is not None else 2**62, limit),
        )
        return [_tallied(row) for row in rows]

    async def visible_count(self) -> int:
        """Count the suggestions shown to citizens."""
        return await self._count("SELECT COUNT(*) FROM suggestions WHERE status = 'visible'")

    async def new_waiting(self, start: str, end: str) -> int:
        """Count the suggestions posted in (start, end] that still wait for a moderator."""
        return await self._count(
            "SELECT COUNT(*) FROM suggestions WHERE status = 'pending'"
            " AND created_at > ? AND created_at <= ?",
            (start, end),
        )

    async def awaiting_moderation(self) -> int:
        """Count suggestions waiting for a moderator."""
        return await self._count("SELECT COUNT(*) FROM suggestions WHERE status = 'pending'")

    async def reported(self) -> int:
        """Count visible suggestions that citizens have reported."""
        return await self._count(
            "SELECT COUNT(DISTINCT r.suggestion_id) FROM reports r"
            " JOIN suggestions s ON s.id = r.suggestion_id WHERE s.status = 'visible'"
        )

    async def latest(self, kind: str = "daily") -> DigestRow | None:
        """Return the most recent scheduled digest of a kind, or None."""
        row = await self.fetch_one(
            f"SELECT {_DIGEST} FROM digests WHERE kind = ? ORDER BY slot DESC LIMIT 1", (kind,)
        )
        return DigestRow(*row) if row else None

    async def get(self, digest_id: int) -> DigestRow | None:
        """Return one recorded digest, or None."""
        row = await self.fetch_one(f"SELECT {_DIGEST} FROM digests WHERE id = ?", (digest_id,))
        return DigestRow(*row) if row else None

    async def by_slot(self, slot: str) -> DigestRow | None:
        """Return the digest recorded for a scheduled time, or None."""
        row = await self.fetch_one(f"SELECT {_DIGEST} FROM digests WHERE slot = ?", (slot,))
        return DigestRow(*row) if row else None

    async def unfinished(self, kind: str = "daily") -> list[DigestRow]:
        """Return digests of a kind some part of which is still to be sent."""
        rows = await self.fetch_all(
            f"SELECT {_DIGEST} FROM digests WHERE completed_at IS NULL AND kind = ? ORDER BY slot",
            (kind,),
        )
        return [DigestRow(*row) for row in rows]

    async def add(
        self,
        slot: str,
        period: tuple[str | None, str],
        stats: str,
        chart: bytes | None,
        parts: list[tuple[int, int, str, str | None]],
        kind: str = "daily",
    ) -> int | None:
        """Record a digest and its parts (recipient, part, kind, body); None if the slot exists."""
        digest_id = await self.insert_id_or_none(
            "INSERT INTO digests (slot, period_start, period_end, stats, chart, created_at, kind)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (slot) DO NOTHING",
            (slot, period[0], period[1], stats, chart, self.timestamp(), kind),
        )
        if digest_id is None:
            return None
        await self.execute_many(
            "INSERT INTO digest_parts (digest_id, recipient, part, kind, body)"
            " VALUES (?, ?, ?, ?, ?)",
            [(digest_id, *part) for part in parts],
        )
        return digest_id

    async def unsent_parts(self, digest_id: int) -> list[DigestPart]:
        """Return a digest's parts neither accepted by Telegram nor withheld, per recipient."""
        rows = await self.fetch_all(
            "SELECT digest_id, recipient, part, kind, body FROM digest_parts"
            " WHERE digest_id = ? AND sent_at IS NULL AND withheld_at IS NULL"
            " ORDER BY recipient, part",
            (digest_id,),
        )
        return [DigestPart(*row) for row in rows]

    async def mark_sent(self, digest_id: int, recipient: int, part: int) -> None:
        """Record that Telegram accepted one part, and forget its body: it is never sent again."""
        # A sent body would keep quoting suggestions after their authors erased them.
        await self.execute(
            "UPDATE digest_parts SET sent_at = ?, body = NULL"
            " WHERE digest_id = ? AND recipient = ? AND part = ?",
            (self.timestamp(), digest_id, recipient, part),
        )

    async def mark_withheld(self, digest_id: int, recipient: int, part: int) -> None:
        """Record that one part will never be sent (its recipient lost the role); forget it."""
        await self.execute(
            "UPDATE digest_parts SET withheld_at = ?, body = NULL"
            " WHERE digest_id = ? AND recipient = ? AND part = ?",
            (self.timestamp(), digest_id, recipient, part),
        )

    async def complete(self, digest_id: int) -> None:
        """Record that every part of a digest was sent."""
        await self.execute(
            "UPDATE digests SET completed_at = ? WHERE id = ? AND completed_at IS NULL",
            (self.timestamp(), digest_id),
        )

    async def state(self, key: str) -> str | None:
        """Return one of the bot's own stored facts."""
        value = await self.fetch_value("SELECT value FROM app_state WHERE key = ?", (key,))
        return None if value is None else str(value)

    async def set_state_once(self, key: str, value: str) -> None:
        """Store a fact unless it is already stored."""
        await self.execute(
            "INSERT INTO app_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
            (key, value),
        )


def _tallied(row: Row) -> TalliedSuggestion:
    return TalliedSuggestion(
        int(row[0]), str(row[1]), str(row[2]), int(row[3]), int(row[4]), int(row[5])
    )
