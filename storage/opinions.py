"""Opinion groups' storage: the votes they are found from, and the state one digest hands on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from storage.repository import Repository

_VOTED_ON = ("visible", "hidden", "withdrawn")


def _pairs(values: Mapping[str, int]) -> list[object]:
    return [x for pair in values.items() for x in pair]


class OpinionRepository(Repository):
    """Read the votes opinion groups are found from; keep the latest run's state."""

    async def stances(
        self, item_ids: Sequence[str], prefix: str, values: Mapping[str, int]
    ) -> list[tuple[str, str, int]]:
        """Return (participant, prefix + item, value of the stance) of current answers.

        Only answers given on the items' current wording count: one given on an earlier
        version of the plan counts if the item has not changed since (no change to it recorded
        in a version published after that one).
        """
        if not item_ids:
            return []
        marks = ", ".join("?" for _ in item_ids)
        cases = " ".join("WHEN ? THEN CAST(? AS INTEGER)" for _ in values)
        return await self._tuples(
            f"SELECT s.participant_id, ? || s.item_id, CASE s.stance {cases} END FROM stances s"
            f" WHERE s.item_id IN ({marks}) AND NOT EXISTS ("
            "   SELECT 1 FROM plan_changes c"
            "   JOIN plan_versions later ON later.version = c.version"
            "   JOIN plan_versions given ON given.version = s.plan_version"
            "   WHERE c.item_id = s.item_id AND later.published_at > given.published_at)",
            (prefix, *_pairs(values), *item_ids),
        )

    async def suggestion_votes(
        self, prefix: str, values: Mapping[str, int]
    ) -> list[tuple[str, str, int, int]]:
        """Return (participant, prefix + suggestion, value of the vote, 1 if not shown now).

        Votes on suggestions shown now, and on those shown once, then hidden by a moderator or
        withdrawn by their author (pending ones were never shown, so have no votes).
        """
        marks = ", ".join("?" for _ in _VOTED_ON)
        cases = " ".join("WHEN ? THEN CAST(? AS INTEGER)" for _ in values)
        return await self._tuples(
            f"SELECT v.participant_id, ? || v.suggestion_id, CASE v.vote {cases} END,"
            " CASE WHEN s.status = 'visible' THEN 0 ELSE 1 END FROM votes v"
            f" JOIN suggestions s ON s.id = v.suggestion_id WHERE s.status IN ({marks})",
            (prefix, *_pairs(values), *_VOTED_ON),
        )

    async def suggestions(self, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """Return each suggestion's (item, text)."""
        if not ids:
            return {}
        marks = ", ".join("?" for _ in ids)
        rows = await self.fetch_all(
            f"SELECT id, item_id, text FROM suggestions WHERE id IN ({marks})", tuple(ids)
        )
        return {int(r[0]): (str(r[1]), str(r[2])) for r in rows}

    async def fingerprint(self) -> tuple[object, ...]:
        """Return figures that change whenever the votes or the stored state do.

        The last one is the latest erasure's time: anything found before it must be found anew.
        """
        row = await self.fetch_one(
            "SELECT (SELECT COUNT(*) FROM stances), (SELECT MAX(id) FROM stance_history),"
            " (SELECT COUNT(*) FROM votes), (SELECT MAX(id) FROM vote_history),"
            " (SELECT COUNT(*) FROM suggestions WHERE status = 'visible'),"
            " (SELECT MAX(id) FROM suggestions), (SELECT MAX(digest_id) FROM opinion_runs),"
            " (SELECT MAX(erased_at) FROM participants)"
        )
        return tuple(row) if row else ()

    async def changed_since(self, stance_mark: int, vote_mark: int) -> int:
        """Count the participants who answered or voted after the given history row ids."""
        return int(
            await self.fetch_value(
                "SELECT COUNT(*) FROM (SELECT participant_id FROM stance_history WHERE id > ?"
                " UNION SELECT participant_id FROM vote_history WHERE id > ?) AS changed",
                (stance_mark, vote_mark),
                default=0,
            )
        )

    async def _tuples(self, sql: str, params: Sequence[object]) -> list[Any]:
        # A million rows: plain tuples, as sqlite3 makes them, cost half what named rows do.
        async with self.conn.execute(sql, params) as cursor:
            cursor.row_factory = None
            return list(await cursor.fetchall())

    async def latest_run(self) -> tuple[str, list[tuple[str, int]]] | None:
        """Return the latest run's smoother (JSON) and members (participant, label), or None."""
        run = await self.fetch_one(
            "SELECT digest_id, smoother FROM opinion_runs ORDER BY digest_id DESC LIMIT 1"
        )
        if run is None:
            return None
        members = await self.fetch_all(
            "SELECT participant_id, label FROM opinion_members WHERE digest_id = ?"
            " ORDER BY participant_id",
            (run[0],),
        )
        return str(run[1]), [(str(m[0]), int(m[1])) for m in members]

    async def save_run(
        self,
        digest_id: int,
        smoother: str,
        members: Sequence[tuple[str, int]],
        computed_at: str,
    ) -> bool:
        """Keep a digest's run as the latest; drop older runs' members. False if kept already.

        A participant erased since the votes were read is left out: the run rests on data
        that no longer exists.
        """
        added = await self.execute(
            "INSERT INTO opinion_runs (digest_id, smoother, computed_at, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (digest_id) DO NOTHING",
            (digest_id, smoother, computed_at, self.timestamp()),
        )
        if added != 1:
            return False
        await self.execute_many(
            "INSERT INTO opinion_members (digest_id, participant_id, label) SELECT ?, ?, ?"
            " WHERE NOT EXISTS (SELECT 1 FROM participants p"
            "   WHERE p.id = ? AND p.erased_at IS NOT NULL AND p.erased_at >= ?)",
            [(digest_id, pid, label, pid, computed_at) for pid, label in members],
        )
        # Only the state the next run needs is kept: fewer rows naming people.
        await self.execute("DELETE FROM opinion_members WHERE digest_id < ?", (digest_id,))
        return True
