"""Current stance per (participant, item), upserted, with a bounded history of changes."""

from __future__ import annotations

from bot.model.records import StanceRecord
from storage.repository import Repository
from storage.votes import HISTORY_KEPT

_COLUMNS = "participant_id, item_id, stance, priority, updated_at"


class StanceRepository(Repository):
    """Record and read citizens' answers on items."""

    async def record(
        self,
        participant_id: str,
        item_id: str,
        stance: str,
        priority: str | None,
        plan_version: str,
    ) -> None:
        """Set the current answer on an item; a change (only a change) is appended to history
        (bounded: storage.votes.HISTORY_KEPT rows per participant and item).

        The same answer again changes nothing, so that an update replayed after a crash (its
        effect committed, its inbox mark not) leaves no second history row.
        """
        now = self.timestamp()
        changed = await self.execute(
            "INSERT INTO stances (participant_id, item_id, stance, priority, plan_version,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (participant_id, item_id) DO UPDATE SET stance = excluded.stance,"
            " priority = excluded.priority, plan_version = excluded.plan_version,"
            " updated_at = excluded.updated_at"
            " WHERE stances.stance IS DISTINCT FROM excluded.stance"
            " OR stances.priority IS DISTINCT FROM excluded.priority"
            " OR stances.plan_version IS DISTINCT FROM excluded.plan_version",
            (participant_id, item_id, stance, priority, plan_version, now),
        )
        if changed == 0:
            return
        await self.execute(
            "INSERT INTO stance_history (participant_id, item_id, stance, priority,"
            " plan_version, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
            (participant_id, item_id, stance, priority, plan_version, now),
        )
        # Bounded as votes' history is: the first answer and the latest changes stay.
        await self.execute(
            "DELETE FROM stance_history WHERE id = (SELECT id FROM stance_history"
            "  WHERE participant_id = ?1 AND item_id = ?2 ORDER BY id LIMIT 1 OFFSET 1)"
            " AND (SELECT COUNT(*) FROM stance_history"
            "  WHERE participant_id = ?1 AND item_id = ?2) > ?3",
            (participant_id, item_id, HISTORY_KEPT),
        )

    async def get(self, participant_id: str, item_id: str) -> StanceRecord | None:
        """Return the current answer on one item, or None."""
        row = await self.fetch_one(
            f"SELECT {_COLUMNS} FROM stances WHERE participant_id = ? AND item_id = ?",
            (participant_id, item_id),
        )
        return StanceRecord(*row) if row else None

    async def for_participant(self, participant_id: str) -> dict[str, StanceRecord]:
        """Return the participant's current answers keyed by item id."""
        rows = await self.fetch_all(
            f"SELECT {_COLUMNS} FROM stances WHERE participant_id = ?", (participant_id,)
        )
        return {row[1]: StanceRecord(*row) for row in rows}

    async def history_count(self, participant_id: str, item_id: str) -> int:
        """Count how many answers the participant has given on an item over time."""
        count = await self.fetch_value(
            "SELECT COUNT(*) FROM stance_history WHERE participant_id = ? AND item_id = ?",
            (participant_id, item_id),
            default=0,
        )
        return int(count)
