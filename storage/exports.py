"""Read queries for exports: the tables a drafter may receive, paged through by key.

Nothing here reads `delivery`, `inbox` or `digest_parts`: they hold Telegram ids (chat ids,
raw updates, the drafters' ids), and an export must never contain them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

from storage.repository import Connection, Repository

PAGE_ROWS = 1000


@dataclass(frozen=True)
class Dataset:
    """One exported table: its file, its columns, and where its rows come from."""

    file_name: str
    columns: tuple[str, ...]
    table: str
    select: str
    # A unique ordering key; its values are the first columns of every row.
    key: tuple[str, ...]
    # The condition that keeps one item's rows (its one parameter is the item id), if any.
    of_item: str = ""
    # Columns naming a person acting as staff (drafter, moderator, overseer): exported under a
    # staff pseudonym that cannot be linked to their own answers.
    staff: tuple[str, ...] = ()


def _table(
    name: str, columns: tuple[str, ...], key: tuple[str, ...] = ("id",),
    staff: tuple[str, ...] = (),
) -> Dataset:  # fmt: skip
    return Dataset(f"{name}.csv", columns, name, ", ".join(columns), key, staff=staff)


# The CSV export writes these, in this order; a new table (moderation decisions) is one entry.
TABLES: tuple[Dataset, ...] = (
    _table("participants", ("id", "created_at", "completed_at")),
    _table(
        "stances",
        ("participant_id", "item_id", "stance", "priority", "plan_version", "updated_at"),
        key=("participant_id", "item_id"),
    ),
    _table(
        "stance_history",
        ("id", "participant_id", "item_id", "stance", "priority", "plan_version", "recorded_at"),
    ),
    _table(
        "suggestions",
        ("id", "participant_id", "item_id", "text", "status", "created_at", "question_id"),
    ),
    _table(
        "votes",
        ("participant_id", "suggestion_id", "vote", "updated_at"),
        key=("participant_id", "suggestion_id"),
    ),
    _table("vote_history", ("id", "participant_id", "suggestion_id", "vote", "recorded_at")),
    # Reporters are never revealed, not even by pseudonym: a report is exported without one.
    _table("reports", ("id", "suggestion_id", "reason", "created_at")),
    _table(
        "suggestion_responses",
        (
            "id",
            "suggestion_id",
            "responder_id",
            "kind",
            "item_id",
            "text",
            "created_at",
            "notified_at",
        ),
        staff=("responder_id",),
    ),
    _table("author_answers", ("id", "response_id", "suggestion_id", "author_id", "text",
                              "created_at")),
    _table("auto_flags", ("suggestion_id", "reason", "detail", "created_at"),
           key=("suggestion_id", "reason")),
    _table("moderation_queue", ("suggestion_id", "state", "queued_at", "decided_by",
                                "decided_at", "reason", "appealed_at"), key=("suggestion_id",),
           staff=("decided_by",)),
    _table("bans", ("participant_id", "banned_by", "created_at"), key=("participant_id",),
           staff=("banned_by",)),
    _table("moderation_log", ("id", "suggestion_id", "actor_id", "action", "reason",
                              "previous_status", "new_status", "created_at"),
           staff=("actor_id",)),
    _table("tracking", ("item_id", "status", "responsible", "deadline", "updated_at"),
           key=("item_id",)),
    _table("tracking_metrics", ("item_id", "name", "unit", "baseline", "target", "current",
                                "measured_on"), key=("item_id", "name")),
    _table("tracking_history", ("id", "item_id", "field", "old_value", "new_value", "actor",
                                "source", "changed_at"), staff=("actor",)),
    _table("follow_up_questions", ("id", "author_id", "item_id", "segment", "text", "status",
                                   "audience", "created_at", "sent_at"), staff=("author_id",)),
    _table("plan_changes", ("version", "item_id", "kind", "old_text", "new_text", "into_item"),
           key=("version", "item_id")),
)  # fmt: skip

# Suggestions with their current agree and disagree counts (the Pol.is comments file).
SUGGESTION_TALLIES = Dataset(
    "comments.csv",
    ("id", "participant_id", "text", "status", "created_at", "agrees", "disagrees"),
    "suggestions s",
    "s.id, s.participant_id, s.text, s.status, s.created_at,"
    " (SELECT COUNT(*) FROM votes v WHERE v.suggestion_id = s.id AND v.vote = 'agree'),"
    " (SELECT COUNT(*) FROM votes v WHERE v.suggestion_id = s.id AND v.vote = 'disagree')",
    ("s.id",),
    "s.item_id = ?",
)

# Every vote ever cast, oldest first (the Pol.is votes file).
VOTE_HISTORY = replace(
    next(d for d in TABLES if d.table == "vote_history"),
    of_item="suggestion_id IN (SELECT id FROM suggestions WHERE item_id = ?)",
)


class ExportReader(Repository):
    """Read exported tables a page at a time over one connection."""

    def __init__(self, conn: Connection, page_rows: int = PAGE_ROWS) -> None:
        super().__init__(conn)
        self.page_rows = page_rows

    async def count(self, dataset: Dataset) -> int:
        """Count a dataset's rows (for progress; rows may be added while the export runs)."""
        return int(await self.fetch_value(f"SELECT COUNT(*) FROM {dataset.table}", default=0))

    async def pages(
        self, dataset: Dataset, item_id: str | None = None
    ) -> AsyncIterator[list[tuple[object, ...]]]:
        """Yield a dataset's rows in key order, one page of at most `page_rows` at a time.

        With `item_id`, only the rows of that item's suggestions (a dataset with an item
        filter: the Pol.is comments and votes).

        Each page is its own short statement (keyset pagination) rather than one cursor held
        open: the export shares the bot's reader connection, and an open statement would pin
        every other read on it to the snapshot the export started from.
        """
        keys = ", ".join(dataset.key)
        marks = ", ".join("?" * len(dataset.key))
        where, filtered = ("1 = 1", ()) if item_id is None else (dataset.of_item, (item_id,))
        first = (
            f"SELECT {dataset.select} FROM {dataset.table} WHERE {where} ORDER BY {keys} LIMIT ?"
        )
        following = (
            f"SELECT {dataset.select} FROM {dataset.table}"
            f" WHERE {where} AND ({keys}) > ({marks}) ORDER BY {keys} LIMIT ?"
        )
        after: tuple[object, ...] | None = None
        while True:
            sql, args = (first, filtered) if after is None else (following, (*filtered, *after))
            page = [tuple(row) for row in await self.fetch_all(sql, (*args, self.page_rows))]
            if page:
                yield page
            if len(page) < self.page_rows:
                return
            after = page[-1][: len(dataset.key)]

    async def suggestion_items(self) -> list[str]:
        """Return the items that have suggestions (proposals: the pseudo-item), in any order."""
        rows = await self.fetch_all("SELECT DISTINCT item_id FROM suggestions")
        return [str(row[0]) for row in rows]

    async def schema_version(self) -> int:
        """Return the latest migration applied to the database."""
        return int(await self.fetch_value("SELECT MAX(version) FROM schema_migrations", default=0))
