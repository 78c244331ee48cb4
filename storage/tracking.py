"""Tracking of items (current values, metrics, append-only history) and who follows them."""

from __future__ import annotations

from bot.model.reports import HistoryRow, MetricRow, TrackingRow
from storage.repository import Repository

_COLUMNS = frozenset({"status", "responsible", "deadline"})
_METRIC = "item_id, name, unit, baseline, target, current, measured_on"
_HISTORY = "id, item_id, field, old_value, new_value, actor, source, changed_at"


class TrackingRepository(Repository):
    """Read and change items' tracking; every change is also appended to the history."""

    async def all(self) -> list[TrackingRow]:
        """Return every tracked item."""
        rows = await self.fetch_all("SELECT item_id, status, responsible, deadline FROM tracking")
        return [TrackingRow(*row) for row in rows]

    async def metrics(self) -> list[MetricRow]:
        """Return every metric of every item, in the order they were added."""
        rows = await self.fetch_all(f"SELECT {_METRIC} FROM tracking_metrics ORDER BY seq")
        return [MetricRow(*row) for row in rows]

    async def ensure(self, item_id: str, at: str) -> None:
        """Start tracking an item (as proposed) unless it is tracked already."""
        await self.execute(
            "INSERT INTO tracking (item_id, updated_at) VALUES (?, ?)"
            " ON CONFLICT (item_id) DO NOTHING",
            (item_id, at),
        )

    async def set_field(self, item_id: str, column: str, value: str | None, at: str) -> None:
        """Set the status, responsible body or deadline of a tracked item."""
        if column not in _COLUMNS:
            raise ValueError(f"not a tracking column: {column}")
        await self.execute(
            f"UPDATE tracking SET {column} = ?, updated_at = ? WHERE item_id = ?",
            (value, at, item_id),
        )

    async def define_metric(
        self, item_id: str, name: str, unit: str, baseline: float, target: float
    ) -> None:
        """Add a metric, or redefine its unit, baseline and target (its value stays)."""
        await self.execute(
            "INSERT INTO tracking_metrics (item_id, name, unit, baseline, target, seq)"
            " VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM tracking_metrics))"
            " ON CONFLICT (item_id, name) DO UPDATE SET"
            " unit = excluded.unit, baseline = excluded.baseline, target = excluded.target",
            (item_id, name, unit, baseline, target),
        )

    async def measure(self, item_id: str, name: str, value: float, measured_on: str) -> None:
        """Record a metric's current value and the day it was measured."""
        await self.execute(
            "UPDATE tracking_metrics SET current = ?, measured_on = ? WHERE item_id = ?"
            " AND name = ?",
            (value, measured_on, item_id, name),
        )

    async def add_history(
        self, item_id: str, field: str, old: str | None, new: str | None, actor: str,
        source: str, at: str,
    ) -> None:  # fmt: skip
        """Append one change to the item's history."""
        await self.execute(
            "INSERT INTO tracking_history (item_id, field, old_value, new_value, actor, source,"
            " changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (item_id, field, old, new, actor, source, at),
        )

    async def history(self, item_id: str) -> list[HistoryRow]:
        """Return an item's changes, oldest first."""
        rows = await self.fetch_all(
            f"SELECT {_HISTORY} FROM tracking_history WHERE item_id = ? ORDER BY id", (item_id,)
        )
        return [HistoryRow(*row) for row in rows]

    async def history_between(self, start: str, end: str) -> list[HistoryRow]:
        """Return every tracking change made in (start, end], oldest first."""
        rows = await self.fetch_all(
            f"SELECT {_HISTORY} FROM tracking_history WHERE changed_at > ? AND changed_at <= ?"
            " ORDER BY id",
            (start, end),
        )
        return [HistoryRow(*row) for row in rows]

    async def last_history_id(self) -> int:
        """Return the id of the latest change (0 if none)."""
        return int(await self.fetch_value("SELECT COALESCE(MAX(id), 0) FROM tracking_history"))


class FollowRepository(Repository):
    """Items citizens follow, and what each follower was last told about."""

    async def follow(self, participant_id: str, item_ids: list[str], since: int) -> int:
        """Follow items (changes after history id `since`); return how many are new."""
        added = 0
        for item_id in item_ids:
            added += await self.execute(
                "INSERT INTO follows (participant_id, item_id, since_history, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (participant_id, item_id, since, self.timestamp()),
            )
        return added

    async def unfollow(self, participant_id: str, item_id: str) -> None:
        """Stop following an item."""
        await self.execute(
            "DELETE FROM follows WHERE participant_id = ? AND item_id = ?",
            (participant_id, item_id),
        )

    async def followed(self, participant_id: str) -> set[str]:
        """Return the ids of the items a participant follows."""
        rows = await self.fetch_all(
            "SELECT item_id FROM follows WHERE participant_id = ?", (participant_id,)
        )
        return {str(row[0]) for row in rows}

    async def unseen(self, told_before: str) -> list[tuple[str, str, int]]:
        """Return (participant, item, latest change id) for changes followers were not told of.

        Only followers who can be reached and were last told before `told_before` are listed.
        """
        rows = await self.fetch_all(
            "SELECT f.participant_id, h.item_id, MAX(h.id) FROM follows f"
            " JOIN tracking_history h ON h.item_id = f.item_id AND h.id > f.since_history"
            " JOIN delivery d ON d.participant_id = f.participant_id AND d.blocked_at IS NULL"
            " LEFT JOIN follower_watermarks w ON w.participant_id = f.participant_id"
            " WHERE h.id > COALESCE(w.seen_history_id, 0)"
            " AND (w.notified_at IS NULL OR w.notified_at <= ?)"
            " GROUP BY f.participant_id, h.item_id ORDER BY f.participant_id, h.item_id",
            (told_before,),
        )
        return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]

    async def told(self, participant_id: str, seen: int, at: str) -> None:
        """Record that a follower was told of every change up to `seen`, at `at`."""
        await self.execute(
            "INSERT INTO follower_watermarks (participant_id, seen_history_id, notified_at)"
            " VALUES (?, ?, ?) ON CONFLICT (participant_id) DO UPDATE SET"
            " seen_history_id = CASE"
            "   WHEN excluded.seen_history_id > follower_watermarks.seen_history_id"
            "   THEN excluded.seen_history_id ELSE follower_watermarks.seen_history_id END,"
            " notified_at = excluded.notified_at",
            (participant_id, seen, at),
        )


class TrackingInputRepository(Repository):
    """Which tracking field a drafter's or overseer's next message is for."""

    async def set(self, participant_id: str, item_id: str, field: str, metric: str | None) -> None:
        """Remember the field the awaited text is for."""
        await self.execute(
            "INSERT INTO tracking_inputs (participant_id, item_id, field, metric)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (participant_id) DO UPDATE SET"
            " item_id = excluded.item_id, field = excluded.field, metric = excluded.metric",
            (participant_id, item_id, field, metric),
        )

    async def get(self, participant_id: str) -> tuple[str, str, str | None] | None:
        """Return (item, field, metric) the awaited text is for, or None."""
        row = await self.fetch_one(
            "SELECT item_id, field, metric FROM tracking_inputs WHERE participant_id = ?",
            (participant_id,),
        )
        return (str(row[0]), str(row[1]), row[2]) if row else None
