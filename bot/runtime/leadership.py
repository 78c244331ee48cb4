"""Roles that one worker of a fleet plays at a time: polling Telegram, the scheduled work.

Each role is a session advisory lock on the worker's own connection (storage/pg_fleet.py).
Every TRY_EVERY_SECONDS a worker checks that its connection still answers and tries the roles
it lacks. A worker that dies frees its roles with its connection, and another takes them
within a few seconds; a worker that loses its connection (the server restarted, a network
cut) gives its roles up at once, since another may already have them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from storage.pg_fleet import FLEET_LOCK, LINK_ERRORS, FleetLink

log = logging.getLogger(__name__)

TRY_EVERY_SECONDS = 2.0


@dataclass
class Role:
    """A role: its lock, and what the worker does when it takes the role and when it loses it."""

    name: str
    lock: int
    taken: Callable[[], Awaitable[None]]
    lost: Callable[[], Awaitable[None]]
    held: bool = False
    _start: asyncio.Task[None] | None = field(default=None, repr=False)


class Leadership:
    """Keep the worker's connection alive and take the fleet's roles when they are free."""

    def __init__(self, link: FleetLink, roles: list[Role]) -> None:
        self._link = link
        self.roles = roles
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Take the free roles (and start playing them) now, then go on in the background."""
        try:
            await self._try_roles()
        except LINK_ERRORS as exc:
            log.warning("the fleet's connection failed: %s", type(exc).__name__)
        for role in self.roles:
            if role._start is not None:
                await asyncio.wait({role._start})
        self._task = asyncio.create_task(self._run(), name="fleet-roles")

    def holds(self, name: str) -> bool:
        """Tell whether this worker plays the named role now."""
        return any(role.held for role in self.roles if role.name == name)

    async def stop(self) -> None:
        """Give up every role (the connection's close frees the locks)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._give_up()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(TRY_EVERY_SECONDS)
            try:
                await self._keep_connected()
                await self._try_roles()
            except LINK_ERRORS as exc:
                log.warning("the fleet's connection failed: %s", type(exc).__name__)
                await self._give_up()

    async def _try_roles(self) -> None:
        for role in self.roles:
            if not role.held and await self._link.try_lock(role.lock):
                log.info("this worker now %s", role.name)
                role.held = True
                role._start = asyncio.create_task(self._play(role))

    async def _keep_connected(self) -> None:
        if self._link.connected and await self._link.ping():
            return
        await self._give_up()
        await self._link.connect()
        await self._link.lock_shared(FLEET_LOCK)  # this worker runs again, as one of the fleet
        log.info("reconnected to the fleet's database")

    async def _give_up(self) -> None:
        held = [role for role in self.roles if role.held]
        for role in held:
            role.held = False
            if role._start is not None and not role._start.done():
                role._start.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await role._start
            log.info("this worker no longer %s", role.name)
            try:
                await role.lost()
            except Exception:
                log.exception("could not stop %s", role.name)
        if self._link.connected:
            # Locks are per connection: a worker that keeps its connection frees them itself.
            for role in held:
                with contextlib.suppress(*LINK_ERRORS):
                    await self._link.unlock(role.lock)

    async def _play(self, role: Role) -> None:
        try:
            await role.taken()
        except Exception:
            # Held and not played, the role would be lost to the whole fleet: let it go, so
            # that this worker or another takes it again at the next try.
            log.exception("could not start to play a role (this worker %s)", role.name)
            role.held = False
            with contextlib.suppress(Exception):
                await role.lost()
            with contextlib.suppress(*LINK_ERRORS):
                await self._link.unlock(role.lock)
