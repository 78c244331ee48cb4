"""Claims of chats by the workers of a fleet (PostgreSQL only): who handles a chat, until when.

Every statement runs in a write transaction, alone or SERIALIZABLE beside others
(storage/postgres.py): either way, reading who holds a chat and taking it are one step across
the whole fleet. Leases are in the
server's time (`now()`), the one clock every worker shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage.inbox import InboxEntry, InboxStatus
from storage.repository import Repository

# A pending update with neither chat nor user (none the bot asks for) is claimed under this key:
# Telegram's chat and user ids are never 0.
NO_CHAT = 0
_PENDING_COLUMNS = (
    "i.id, i.update_id, i.received_at, i.chat_key, i.payload, i.status, i.attempts,"
    " i.finished_at, i.confirmed_at, i.reply, i.reply_begun"
)


@dataclass(frozen=True)
class Claimed:
    """A chat just claimed, and whether a worker that held it before let its lease run out."""

    chat: int
    taken_over: bool


class ClaimsRepository(Repository):
    """Claim chats with pending updates, renew and release the claims, read what they cover."""

    async def claim_free(self, worker: str, lease_seconds: float, limit: int) -> list[Claimed]:
        """Claim up to `limit` chats with pending updates that no live lease holds."""
        rows = await self.fetch_all(
            "SELECT p.chat, c.worker IS NOT NULL FROM ("
            f" SELECT DISTINCT COALESCE(chat_key, {NO_CHAT}) AS chat FROM inbox WHERE status = ?"
            ") p LEFT JOIN chat_claims c ON c.chat_key = p.chat"
            " WHERE c.chat_key IS NULL OR c.lease_until < now() ORDER BY p.chat LIMIT ?",
            (InboxStatus.PENDING, limit),
        )
        claimed = [Claimed(int(row[0]), bool(row[1])) for row in rows]
        if claimed:
            await self.execute_many(
                "INSERT INTO chat_claims (chat_key, worker, lease_until)"
                " VALUES (?, ?, now() + make_interval(secs => ?))"
                " ON CONFLICT (chat_key) DO UPDATE"
                " SET worker = excluded.worker, lease_until = excluded.lease_until",
                [(c.chat, worker, float(lease_seconds)) for c in claimed],
            )
        return claimed

    async def renew(self, worker: str, lease_seconds: float) -> set[int]:
        """Extend every lease the worker holds; return the chats it still holds."""
        rows = await self.fetch_all(
            "UPDATE chat_claims SET lease_until = now() + make_interval(secs => ?)"
            " WHERE worker = ? RETURNING chat_key",
            (float(lease_seconds), worker),
        )
        return {int(row[0]) for row in rows}

    async def holds(self, worker: str, chat: int) -> bool:
        """Tell whether the worker still holds the chat (no one took it over)."""
        return await self.exists(
            "SELECT 1 FROM chat_claims WHERE chat_key = ? AND worker = ?", (chat, worker)
        )

    async def pending_of(self, worker: str) -> list[InboxEntry]:
        """Return the pending updates of every chat the worker holds, in the order they came."""
        rows = await self.fetch_all(
            f"SELECT {_PENDING_COLUMNS} FROM inbox i JOIN chat_claims c"
            f" ON c.chat_key = COALESCE(i.chat_key, {NO_CHAT})"
            " WHERE i.status = ? AND c.worker = ? ORDER BY i.id",
            (InboxStatus.PENDING, worker),
        )
        return [InboxEntry(*row) for row in rows]

    async def last_entry(self) -> int:
        """Return the id of the latest update stored (0 if none)."""
        return int(await self.fetch_value("SELECT MAX(id) FROM inbox", (), 0))

    async def abandon_exhausted(self, chats: Sequence[int], max_attempts: int, at: str) -> int:
        """Give up on the chats' pending updates already replayed `max_attempts` times."""
        if not chats:
            return 0
        marks = ", ".join("?" * len(chats))
        return await self.execute(
            "UPDATE inbox SET status = ?, finished_at = ? WHERE status = ? AND attempts >= ?"
            f" AND COALESCE(chat_key, {NO_CHAT}) IN ({marks})",
            (InboxStatus.ABANDONED, at, InboxStatus.PENDING, max_attempts, *chats),
        )

    async def release(self, worker: str, chats: Sequence[int]) -> None:
        """Give up the worker's claims on chats it has finished."""
        await self.execute_many(
            "DELETE FROM chat_claims WHERE chat_key = ? AND worker = ?",
            [(chat, worker) for chat in chats],
        )

    async def forget_all(self) -> None:
        """Drop every claim: no worker runs that could hold one (the fleet's first worker)."""
        await self.execute("DELETE FROM chat_claims")

    async def expire(self, worker: str) -> None:
        """End the worker's leases now (it stops): others take its chats over at once."""
        await self.execute(
            "UPDATE chat_claims SET lease_until = now() - interval '1 second' WHERE worker = ?",
            (worker,),
        )
