"""The durable inbox of raw Telegram updates: stored before they are confirmed, then handled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from storage.repository import Repository

_COLUMNS = (
    "id, update_id, received_at, chat_key, payload, status, attempts, finished_at, confirmed_at,"
    " reply, reply_begun"
)


class InboxStatus(StrEnum):
    """Where an update stands: waiting to be handled, handled, or given up on."""

    PENDING = "pending"
    DONE = "done"
    ABANDONED = "abandoned"


@dataclass(frozen=True)
class InboxEntry:
    """One stored update; payload, chat key and reply are cleared once it is handled."""

    id: int
    update_id: int
    received_at: str
    chat_key: int | None
    payload: str | None
    status: str
    attempts: int
    finished_at: str | None
    confirmed_at: str | None
    reply: str | None = None
    reply_begun: int = 0


# Rows per statement: well under SQLite's limit of host parameters.
BATCH_ROWS = 200


def _marks(count: int) -> str:
    return ", ".join("?" * count)


class InboxRepository(Repository):
    """Add, complete, replay and prune inbox entries (their times are given by the caller)."""

    async def add(
        self, update_id: int, chat_key: int | None, payload: str, received_at: str, since: str
    ) -> int | None:
        """Store a pending update and return its entry id; None if it is a duplicate.

        A duplicate is an unconfirmed entry with the same update_id received since `since`.
        """
        return await self.insert_id_or_none(
            "INSERT INTO inbox (update_id, received_at, chat_key, payload, status)"
            " SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM inbox"
            " WHERE update_id = ? AND received_at >= ? AND confirmed_at IS NULL)",
            (update_id, received_at, chat_key, payload, InboxStatus.PENDING, update_id, since),
        )

    async def add_batch(
        self, updates: Sequence[tuple[int, int | None, str]], received_at: str, since: str
    ) -> list[int | None]:
        """Store (update_id, chat_key, payload) rows as pending in two statements.

        Return each row's entry id, or None for a duplicate: an unconfirmed entry with the same
        update_id received since `since`, or an earlier row of the same batch.
        """
        ids = sorted({update_id for update_id, _, _ in updates})
        stored: set[int] = set()
        for start in range(0, len(ids), BATCH_ROWS):
            chunk = ids[start : start + BATCH_ROWS]
            rows = await self.fetch_all(
                f"SELECT update_id FROM inbox WHERE update_id IN ({_marks(len(chunk))})"
                " AND received_at >= ? AND confirmed_at IS NULL",
                (*chunk, since),
            )
            stored.update(int(row[0]) for row in rows)
        fresh: dict[int, tuple[int | None, str]] = {}
        for update_id, chat_key, payload in updates:
            if update_id not in stored and update_id not in fresh:
                fresh[update_id] = (chat_key, payload)
        entries: dict[int, int] = {}
        items = list(fresh.items())
        for start in range(0, len(items), BATCH_ROWS):
            batch = items[start : start + BATCH_ROWS]
            values = ", ".join("(?, ?, ?, ?, ?)" for _ in batch)
            params: list[object] = []
            for update_id, (chat_key, payload) in batch:
                params += (update_id, received_at, chat_key, payload, InboxStatus.PENDING)
            # RETURNING gives rows in no promised order: they are matched by update_id.
            rows = await self.fetch_all(
                "INSERT INTO inbox (update_id, received_at, chat_key, payload, status)"
                f" VALUES {values} RETURNING id, update_id",
                params,
            )
            entries.update((int(row[1]), int(row[0])) for row in rows)
        taken: set[int] = set()
        result: list[int | None] = []
        for update_id, _, _ in updates:
            first = update_id in entries and update_id not in taken
            taken.add(update_id)
            result.append(entries[update_id] if first else None)
        return result

    async def confirm_through(self, update_id: int, at: str) -> None:
        """Record that Telegram has forgotten every update up to this update_id."""
        await self.execute(
            "UPDATE inbox SET confirmed_at = ? WHERE update_id <= ? AND confirmed_at IS NULL",
            (at, update_id),
        )

    async def keep_reply(self, entry_id: int, reply: str) -> None:
        """Keep the reply computed for a pending entry, with the effects of handling it."""
        await self.execute("UPDATE inbox SET reply = ? WHERE id = ?", (reply, entry_id))

    async def mark_begun(self, entry_id: int, bit: int, begun: bool) -> None:
        """Set (or clear) the bit of a call of an entry's reply: begun (or known not sent)."""
        sql = (
            "UPDATE inbox SET reply_begun = reply_begun | CAST(? AS BIGINT) WHERE id = ?"
            if begun
            else "UPDATE inbox SET reply_begun = reply_begun & ~CAST(? AS BIGINT) WHERE id = ?"
        )
        await self.execute(sql, (bit, entry_id))

    async def mark_done(self, entry_ids: Sequence[int], at: str) -> None:
        """Close pending entries as handled, forgetting their payload, chat key and reply."""
        await self.execute_many(
            "UPDATE inbox SET status = ?, finished_at = ?, payload = NULL, chat_key = NULL,"
            " reply = NULL WHERE id = ? AND status = ?",
            [(InboxStatus.DONE, at, entry_id, InboxStatus.PENDING) for entry_id in entry_ids],
        )

    async def abandon(self, entry_ids: Sequence[int], at: str) -> None:
        """Give up on pending entries, keeping their payload a while for whoever investigates."""
        await self.execute_many(
            "UPDATE inbox SET status = ?, finished_at = ? WHERE id = ? AND status = ?",
            [(InboxStatus.ABANDONED, at, entry_id, InboxStatus.PENDING) for entry_id in entry_ids],
        )

    async def abandon_exhausted(self, max_attempts: int, at: str) -> int:
        """Abandon pending entries already replayed `max_attempts` times; return how many."""
        return await self.execute(
            "UPDATE inbox SET status = ?, finished_at = ? WHERE status = ? AND attempts >= ?",
            (InboxStatus.ABANDONED, at, InboxStatus.PENDING, max_attempts),
        )

    async def count_attempt(self, entry_id: int) -> None:
        """Count one more replay of a pending entry, begun by the bot."""
        await self.execute(
            "UPDATE inbox SET attempts = attempts + 1 WHERE id = ? AND status = ?",
            (entry_id, InboxStatus.PENDING),
        )

    async def pending(self) -> list[InboxEntry]:
        """Return the pending entries in update_id order (Telegram's order)."""
        rows = await self.fetch_all(
            f"SELECT {_COLUMNS} FROM inbox WHERE status = ? ORDER BY update_id, id",
            (InboxStatus.PENDING,),
        )
        return [InboxEntry(*row) for row in rows]

    async def find(self, update_id: int) -> list[InboxEntry]:
        """Return every entry stored under an update_id, oldest first."""
        rows = await self.fetch_all(
            f"SELECT {_COLUMNS} FROM inbox WHERE update_id = ? ORDER BY id", (update_id,)
        )
        return [InboxEntry(*row) for row in rows]

    async def forget_abandoned(self, before: str) -> int:
        """Forget the payload and chat of entries given up on before `before`; return how many."""
        return await self.execute(
            "UPDATE inbox SET payload = NULL, chat_key = NULL, reply = NULL"
            " WHERE status = ? AND finished_at < ? AND payload IS NOT NULL",
            (InboxStatus.ABANDONED, before),
        )

    async def prune(self, before: str) -> int:
        """Delete finished entries received before `before`; return how many."""
        return await self.execute(
            "DELETE FROM inbox WHERE status <> ? AND received_at < ?",
            (InboxStatus.PENDING, before),
        )
