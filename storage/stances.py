"""Current stance per (participant, item), upserted, with an append-only history."""

from __future__ import annotations

import aiosqlite

from bot.model.records import StanceRecord
from storage.clock import utcnow

_COLUMNS = "participant_id, item_id, stance, priority, updated_at"


class StanceRepository:
    """Record and read citizens' answers on items."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def record(
        self,
        participant_id: str,
        item_id: str,
        stance: str,
        priority: str | None,
        plan_version: str,
    ) -> None:
        """Set the current answer on an item; a change (only a change) is appended to history.

        The same answer again changes nothing, so that an update replayed after a crash (its
        effect committed, its inbox mark not) leaves no second history row.
        """
        now = utcnow()
        cursor = await self.conn.execute(
            "INSERT INTO stances (participant_id, item_id, stance, priority, plan_version,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (participant_id, item_id) DO UPDATE SET stance = excluded.stance,"
            " priority = excluded.priority, plan_version = excluded.plan_version,"
            " updated_at = excluded.updated_at"
            " WHERE stances.stance IS NOT excluded.stance"
            " OR stances.priority IS NOT excluded.priority"
            " OR stances.plan_version IS NOT excluded.plan_version",
            (participant_id, item_id, stance, priority, plan_version, now),
        )
        if cursor.rowcount == 0:
            return
        await self.conn.execute(
            "INSERT INTO stance_history (participant_id, item_id, stance, priority,"
            " plan_version, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
            (participant_id, item_id, stance, priority, plan_version, now),
        )

    async def get(self, participant_id: str, item_id: str) -> StanceRecord | None:
        """Return the current answer on one item, or None."""
        async with self.conn.execute(
            f"SELECT {_COLUMNS} FROM stances WHERE participant_id = ? AND item_id = ?",
            (participant_id, item_id),
        ) as cursor:
            row = await cursor.fetchone()
        return StanceRecord(*row) if row else None

    async def for_participant(self, participant_id: str) -> dict[str, StanceRecord]:
        """Return the participant's current answers keyed by item id."""
        async with self.conn.execute(
            f"SELECT {_COLUMNS} FROM stances WHERE participant_id = ?", (participant_id,)
        ) as cursor:
            rows = await cursor.fetchall()
        return {row[1]: StanceRecord(*row) for row in rows}

    async def history_count(self, participant_id: str, item_id: str) -> int:
        """Count how many answers the participant has given on an item over time."""
        async with self.conn.execute(
            "SELECT COUNT(*) FROM stance_history WHERE participant_id = ? AND item_id = ?",
            (participant_id, item_id),
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0
