"""Digest queries: what happened in a period, every item's counts, suggestions with tallies."""

from __future__ import annotations

from bot.model.reports import DigestPart, DigestRow, ItemCounts, TalliedSuggestion
from storage.repository import Repository

_DIGEST = "id, slot, period_start, period_end, stats, chart, completed_at"


class DigestRepository(Repository):
    """Read a hearing's figures and record digests and their sent parts."""

    async def _count(self, sql: str, args: tuple[object, ...] = ()) -> int:
        return int(await self.fetch_value(sql, args, default=0))

    async def participation(self, start: str, end: str) -> tuple[int, int, int, int, int]:
        """Count participants new, active and completed in (start, end], and in total.

        Only people who took part count: an answer, a suggestion or a vote. Someone who only
        opened the bot (a drafter, a moderator, a visitor) is not a participant here.
        """
        took_part = (
            "(EXISTS (SELECT 1 FROM stances s WHERE s.participant_id = p.id)"
            " OR EXISTS (SELECT 1 FROM suggestions g WHERE g.participant_id = p.id)"
            " OR EXISTS (SELECT 1 FROM votes v WHERE v.participant_id = p.id))"
        )
        new = await self._count(
            f"SELECT COUNT(*) FROM participants p WHERE {took_part}"
            " AND p.created_at > ? AND p.created_at <= ?",
            (start, end),
        )
        active = await self._count(
            "SELECT COUNT(*) FROM (SELECT participant_id FROM stance_history"
            " WHERE recorded_at > ? AND recorded_at <= ?"
            " UNION SELECT participant_id FROM vote_history"
            " WHERE recorded_at > ? AND recorded_at <= ?"
            " UNION SELECT participant_id FROM suggestions"
            " WHERE created_at > ? AND created_at <= ?)",
            (start, end, start, end, start, end),
        )
        completed = await self._count(
            "SELECT COUNT(*) FROM participants WHERE completed_at > ? AND completed_at <= ?",
            (start, end),
        )
        total = await self._count(f"SELECT COUNT(*) FROM participants p WHERE {took_part}")
        completed_total = await self._count(
            "SELECT COUNT(*) FROM participants WHERE completed_at IS NOT NULL"
        )
        return new, active, completed, total, completed_total

    async def item_counts(self) -> dict[str, ItemCounts]:
        """Count current stances and priorities per item."""
        rows = await self.fetch_all(
            "SELECT item_id,"
            " SUM(stance = 'support'), SUM(stance = 'oppose'), SUM(stance = 'unsure'),"
            " SUM(priority = 'high'), SUM(priority = 'medium'), SUM(priority = 'low')"
            " FROM stances GROUP BY item_id"
        )
        return {str(r[0]): ItemCounts(*(int(v or 0) for v in r[1:])) for r in rows}

    async def tallied_suggestions(self) -> list[TalliedSuggestion]:
        """Return every visible suggestion with its current agree / disagree / pass counts."""
        rows = await self.fetch_all(
            "SELECT s.id, s.item_id, s.text,"
            " COALESCE(v.agree, 0), COALESCE(v.disagree, 0), COALESCE(v.passed, 0)"
            " FROM suggestions s LEFT JOIN (SELECT suggestion_id,"
            "   SUM(vote = 'agree') AS agree, SUM(vote = 'disagree') AS disagree,"
            "   SUM(vote = 'pass') AS passed FROM votes GROUP BY suggestion_id) v"
            " ON v.suggestion_id = s.id WHERE s.status = 'visible' ORDER BY s.id"
        )
        return [TalliedSuggestion(int(r[0]), str(r[1]), str(r[2]), *map(int, r[3:])) for r in rows]

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
        """Return a digest's parts not yet accepted by Telegram, in order per drafter."""
        rows = await self.fetch_all(
            "SELECT digest_id, recipient, part, kind, body FROM digest_parts"
            " WHERE digest_id = ? AND sent_at IS NULL ORDER BY recipient, part",
            (digest_id,),
        )
        return [DigestPart(*row) for row in rows]

    async def mark_sent(self, digest_id: int, recipient: int, part: int) -> None:
        """Record that Telegram accepted one part."""
        await self.execute(
            "UPDATE digest_parts SET sent_at = ? WHERE digest_id = ? AND recipient = ?"
            " AND part = ?",
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
