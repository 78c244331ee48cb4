"""The durable inbox of raw Telegram updates: stored before they are confirmed, then handled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from storage.repository import Repository

_COLUMNS = (
    "id, update_id, received_at, chat_key, payload, status, attempts, finished_at, confirmed_at"
)


class InboxStatus(StrEnum):
    """Where an update stands: waiting to be handled, handled, or given up on."""

    PENDING = "pending"
    DONE = "done"
    ABANDONED = "abandoned"


@dataclass(frozen=True)
class InboxEntry:
    """One stored update; payload and chat key are cleared once it is handled."""

    id: int
    update_id: int
    received_at: str
    chat_key: int | None
    payload: str | None
    status: str
    attempts: int
    finished_at: str | None
    confirmed_at: str | None


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

    async def confirm_through(self, update_id: int, at: str) -> None:
        """Record that Telegram has forgotten every update up to this update_id."""
        await self.execute(
            "UPDATE inbox SET confirmed_at = ? WHERE update_id <= ? AND confirmed_at IS NULL",
            (at, update_id),
        )

    async def mark_done(self, entry_ids: Sequence[int], at: str) -> None:
        """Close pending entries as handled, forgetting their payload and chat key."""
        await self.execute_many(
            "UPDATE inbox SET status = ?, finished_at = ?, payload = NULL, chat_key = NULL"
            " WHERE id = ? AND status = ?",
            [(InboxStatus.DONE, at, entry_id, InboxStatus.PENDING) for entry_id in entry_ids],
        )

    async def abandon(self, entry_ids: Sequence[int], at: str) -> None:
        """Give up on pending entries, keeping their payload for whoever investigates."""
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

    async def prune(self, before: str) -> int:
        """Delete finished entries received before `before`; return how many."""
        return await self.execute(
            "DELETE FROM inbox WHERE status <> ? AND received_at < ?",
            (InboxStatus.PENDING, before),
        )
