"""Published versions of the plan, what changed in each, and who took part on which item."""

from __future__ import annotations

import re

from bot.model.reports import ChangeRow, VersionRow
from storage.repository import Repository

_VERSION = "version, text, previous, published_at, announced_at"


def item_order(item_id: str) -> tuple[int, str]:
    """Order item ids by their leading number, then as text ('2' < '10', '3' < '3.1')."""
    # What SQLite's ORDER BY CAST(item_id AS INTEGER), item_id did, on every backend.
    number = re.match(r"\d+", item_id)
    return (int(number.group()) if number else 0, item_id)


class PlanVersionRepository(Repository):
    """Record published plans and read them back."""

    async def latest(self) -> VersionRow | None:
        """Return the version published last, or None if the plan was never revised."""
        row = await self.fetch_one(
            f"SELECT {_VERSION} FROM plan_versions ORDER BY published_at DESC, seq DESC LIMIT 1"
        )
        return VersionRow(*row) if row else None

    async def get(self, version: str) -> VersionRow | None:
        """Return one version, or None."""
        row = await self.fetch_one(
            f"SELECT {_VERSION} FROM plan_versions WHERE version = ?", (version,)
        )
        return VersionRow(*row) if row else None

    async def add(
        self, version: str, text: str, previous: str | None, announced: bool = False
    ) -> None:
        """Record a version (the first one, the plan served before, counts as announced)."""
        now = self.timestamp()
        await self.execute(
            f"INSERT INTO plan_versions ({_VERSION}, seq) VALUES (?, ?, ?, ?, ?,"
            " (SELECT COALESCE(MAX(seq), 0) + 1 FROM plan_versions))",
            (version, text, previous, now, now if announced else None),
        )

    async def add_translations(self, version: str, texts: dict[str, str]) -> None:
        """Record a version's translations, by language code."""
        await self.execute_many(
            "INSERT INTO plan_translations (version, language, text) VALUES (?, ?, ?)",
            [(version, language, text) for language, text in sorted(texts.items())],
        )

    async def translations(self, version: str) -> dict[str, str]:
        """Return a version's translations, by language code."""
        rows = await self.fetch_all(
            "SELECT language, text FROM plan_translations WHERE version = ?", (version,)
        )
        return {str(row[0]): str(row[1]) for row in rows}

    async def add_changes(self, changes: list[ChangeRow]) -> None:
        """Record what changed in a version."""
        await self.execute_many(
            "INSERT INTO plan_changes (version, item_id, kind, old_text, new_text, into_item)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(c.version, c.item_id, c.kind, c.old_text, c.new_text, c.into_item) for c in changes],
        )

    async def changes(self, version: str) -> list[ChangeRow]:
        """Return a version's changes in item order."""
        rows = await self.fetch_all(
            "SELECT version, item_id, kind, old_text, new_text, into_item FROM plan_changes"
            " WHERE version = ?",
            (version,),
        )
        return sorted((ChangeRow(*row) for row in rows), key=lambda c: item_order(c.item_id))

    async def mark_announced(self, version: str) -> bool:
        """Record that a version's notices are queued; False if another run did it first."""
        changed = await self.execute(
            "UPDATE plan_versions SET announced_at = ? WHERE version = ? AND announced_at IS NULL",
            (self.timestamp(), version),
        )
        return changed == 1

    async def move_positions(self, item_id: str, into: str | None) -> None:
        """Move citizens stopped at an item that is gone to the item it merged into, or back
        to the welcome (a dropped item); a finished walkthrough stays finished."""
        if into is not None:
            await self.execute(
                "UPDATE participants SET current_item = ?, step = 'stance' WHERE current_item = ?",
                (into, item_id),
            )
            return
        await self.execute(
            "UPDATE participants SET current_item = NULL, step = 'welcome'"
            " WHERE current_item = ? AND step <> 'finished'",
            (item_id,),
        )

    async def engaged(self, item_ids: list[str]) -> list[tuple[str, str]]:
        """Return (participant, item) for everyone who answered or commented on these items."""
        if not item_ids:
            return []
        marks = ", ".join("?" for _ in item_ids)
        rows = await self.fetch_all(
            f"SELECT participant_id, item_id FROM stances WHERE item_id IN ({marks})"
            f" UNION SELECT participant_id, item_id FROM suggestions WHERE item_id IN ({marks})"
            " AND status <> 'withdrawn' ORDER BY 1, 2",
            (*item_ids, *item_ids),
        )
        return [(str(r[0]), str(r[1])) for r in rows]
