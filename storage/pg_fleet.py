"""A worker's own connection to the fleet's PostgreSQL: its session locks and its notices.

Session advisory locks say which worker polls Telegram and which runs the scheduled work; they
belong to this connection, so a worker that dies (its connection ends) frees them. The server
is asked to probe an idle connection often (TCP keepalives), so that a worker whose machine
vanished without closing anything is noticed within about KEEPALIVE_SECONDS as well.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

from storage.db import DatabaseError
from storage.pg_url import scrub
from storage.postgres import CONNECT_TIMEOUT_SECONDS, CONNECTION_ERRORS

log = logging.getLogger(__name__)

# Advisory lock keys beside storage/postgres.py's (migrations 1, the writer 2).
FLEET_LOCK = 0x6865_6172_0003  # shared by every running worker; exclusive while one records
POLL_LOCK = 0x6865_6172_0004  # the worker that polls getUpdates
SCHEDULER_LOCK = 0x6865_6172_0005  # the worker that runs digests, broadcasts, the outbox...
CHANNEL = "hearing_fleet"
# The server probes an idle connection after 5 s, then every 2 s, and gives up after 3 probes:
# a vanished worker's locks are free about 11 s after its last word.
KEEPALIVES = {"tcp_keepalives_idle": "5", "tcp_keepalives_interval": "2",
              "tcp_keepalives_count": "3"}  # fmt: skip
KEEPALIVE_SECONDS = 11
PING_TIMEOUT_SECONDS = 3.0
# What a statement on the worker's connection raises when the connection or server fails.
LINK_ERRORS: tuple[type[BaseException], ...] = (
    *CONNECTION_ERRORS,
    asyncpg.PostgresError,
    DatabaseError,
    TimeoutError,
)


class FleetLink:
    """One connection of the worker's own: session locks, a ping, notices to the fleet."""

    def __init__(self, url: str, where: str) -> None:
        self._url = url
        self._where = where
        self._conn: asyncpg.Connection | None = None
        # asyncpg runs one statement at a time per connection.
        self._busy = asyncio.Lock()
        self._listeners: list[Callable[[str], None]] = []

    @property
    def connected(self) -> bool:
        """Tell whether the connection (and so every session lock on it) is still there."""
        return self._conn is not None and not self._conn.is_closed()

    async def connect(self) -> None:
        """Open the connection (again), listening to the fleet's channel; DatabaseError if not."""
        await self.close()
        try:
            conn = await asyncpg.connect(
                self._url, timeout=CONNECT_TIMEOUT_SECONDS, server_settings=KEEPALIVES
            )
        except CONNECTION_ERRORS as exc:
            raise DatabaseError(f"cannot reach {self._where}: {scrub(exc, self._url)}") from None
        try:
            await conn.add_listener(CHANNEL, self._heard)
        except BaseException:
            conn.terminate()
            raise
        self._conn = conn

    async def close(self) -> None:
        """Close the connection, freeing its locks; safe to call twice."""
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            try:
                async with asyncio.timeout(PING_TIMEOUT_SECONDS):
                    await conn.close()
            except LINK_ERRORS:
                conn.terminate()

    def on_notice(self, listener: Callable[[str], None]) -> None:
        """Call `listener` with the payload of every notice sent to the fleet."""
        self._listeners.append(listener)

    async def ping(self) -> bool:
        """Tell whether the server still answers on this connection (else drop it)."""
        try:
            async with asyncio.timeout(PING_TIMEOUT_SECONDS):
                await self._fetchval("SELECT 1")
        except LINK_ERRORS:
            await self.close()
            return False
        return True

    async def try_lock(self, key: int) -> bool:
        """Take a session lock if it is free; False if another worker holds it."""
        return bool(await self._fetchval("SELECT pg_try_advisory_lock($1)", key))

    async def lock_shared(self, key: int) -> None:
        """Take a session lock in shared mode, waiting while a worker holds it exclusively."""
        await self._fetchval("SELECT pg_advisory_lock_shared($1)", key)

    async def unlock(self, key: int, *, shared: bool = False) -> None:
        """Release a session lock (shared or exclusive)."""
        which = "pg_advisory_unlock_shared" if shared else "pg_advisory_unlock"
        await self._fetchval(f"SELECT {which}($1)", key)

    async def notify(self, payload: str) -> bool:
        """Send a notice to every worker (this one too); False if the server did not take it."""
        try:
            await self._fetchval("SELECT pg_notify($1, $2)", CHANNEL, payload)
        except LINK_ERRORS:
            return False
        return True

    async def _fetchval(self, sql: str, *args: Any) -> Any:
        conn = self._conn
        if conn is None or conn.is_closed():
            raise DatabaseError(f"lost the connection to {self._where}")
        async with self._busy:
            return await conn.fetchval(sql, *args)

    def _heard(self, conn: object, pid: int, channel: str, payload: object) -> None:
        for listener in self._listeners:
            listener(str(payload))
