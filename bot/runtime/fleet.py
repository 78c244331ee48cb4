"""One worker's place in a fleet on one PostgreSQL: its connection, its roles, its claims.

PostgreSQL coordinates, with no process of our own in between (docs/postgres.md, Several
workers): the settings every worker must share are compared at start (fleet_settings), one
worker polls Telegram and one runs the scheduled work (leadership), and every worker handles
the pending updates of the chats it claims (claims).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Mapping

from telegram import Bot

from bot.runtime.background import BackgroundSender
from bot.runtime.claims import ChatClaims, FleetQueue
from bot.runtime.fleet_settings import join_fleet
from bot.runtime.inbox import Inbox
from bot.runtime.leadership import Leadership, Role
from storage.backend import Store
from storage.pg_fleet import POLL_LOCK, SCHEDULER_LOCK, FleetLink

log = logging.getLogger(__name__)

# Notices on the fleet's channel: chats are waiting to be claimed; bulk work waits to be sent.
WORK = "work"
KICK = "kick"
SCHEDULING = "runs the scheduled work"
POLLING = "polls Telegram"
# The scheduler's worker looks for bulk work this often even when no notice reached it.
SWEEP_SECONDS = 10.0
Switch = tuple[Callable[[], Awaitable[None]], Callable[[], Awaitable[None]]]


def worker_name() -> str:
    """Name this worker for the claims table and the logs: host, process, and a random tag."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Fleet:
    """Join the fleet, then claim chats, take the free roles, and pass bulk work on."""

    def __init__(
        self, db: Store, link: FleetLink, inbox: Inbox, capacity: int, *, alone: bool = False
    ) -> None:
        self.link = link
        self.worker = worker_name()
        self.claims = ChatClaims(db, inbox, self.worker, capacity, self._tell_work, alone=alone)
        self.leadership: Leadership | None = None
        self._senders: list[BackgroundSender] = []
        self._notices: set[asyncio.Task[bool]] = set()
        self._left = False
        self._sweeper: asyncio.Task[None] | None = None
        link.on_notice(self._heard)

    @classmethod
    async def join(
        cls, db: Store, url: str, where: str, settings: Mapping[str, str], inbox: Inbox,
        capacity: int,
    ) -> Fleet:  # fmt: skip
        """Connect this worker and compare its settings (SettingsMismatch if they differ)."""
        link = FleetLink(url, where)
        await link.connect()
        try:
            alone = await join_fleet(db, link, settings)
        except BaseException:
            await link.close()
            raise
        return cls(db, link, inbox, capacity, alone=alone)

    async def start(
        self, bot: Bot, queue: FleetQueue, senders: list[BackgroundSender],
        scheduled: Callable[[], Awaitable[None]], polling: Switch | None,
    ) -> None:  # fmt: skip
        """Claim chats, and take the roles that are free (playing them before this returns)."""
        self._senders = senders
        for sender in senders:
            sender.here = self.schedules
            sender.elsewhere = self._tell_kick
        queue.claims = self.claims
        roles = [Role(SCHEDULING, SCHEDULER_LOCK, scheduled, self._pause_senders)]
        if polling is not None:
            roles.append(Role(POLLING, POLL_LOCK, *polling))
        self.claims.start(bot, queue.hand_on)
        self.leadership = Leadership(self.link, roles)
        await self.leadership.start()
        self._sweeper = asyncio.create_task(self._sweep(), name="fleet-sweep")

    def schedules(self) -> bool:
        """Tell whether this worker runs the fleet's scheduled and bulk work now."""
        return self.leadership is not None and self.leadership.holds(SCHEDULING)

    async def stop(self) -> None:
        """Give up the roles (polling stops, bulk sending pauses); the claims stop later."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        if self.leadership is not None:
            await self.leadership.stop()
        await self.claims.halt()

    async def leave(self) -> None:
        """Give back the chats (once every update is done with) and close the connection."""
        if self._left:
            return
        self._left = True
        await self.claims.stop()
        for task in list(self._notices):
            await asyncio.wait({task})
        await self.link.close()

    async def _sweep(self) -> None:
        while True:  # a notice lost while the connection was down must not leave work waiting
            await asyncio.sleep(SWEEP_SECONDS)
            if self.schedules():
                for sender in self._senders:
                    sender.kick()

    async def _pause_senders(self) -> None:
        for sender in self._senders:
            await sender.pause()

    def _heard(self, payload: str) -> None:
        if payload == WORK:
            self.claims.kick()
        elif payload == KICK and self.schedules():
            for sender in self._senders:
                sender.kick()

    def _tell_kick(self) -> None:
        task = asyncio.create_task(self.link.notify(KICK))
        self._notices.add(task)
        task.add_done_callback(self._notices.discard)

    async def _tell_work(self) -> None:
        with contextlib.suppress(Exception):
            await self.link.notify(WORK)
