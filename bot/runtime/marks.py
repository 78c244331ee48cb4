"""The inbox's "handled" marks: written with the next write that takes them, or on their own
shortly after; one transaction at a time, in order; and the inbox pruned on the way."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from storage.backend import Store
from storage.clock import iso
from storage.inbox import InboxRepository
from storage.repositories import Repositories
from storage.unit import retried

log = logging.getLogger(__name__)

# A copy of an update stored within this window is a duplicate, unless Telegram has since
# confirmed (a getUpdates offset past it succeeded) that it will never send it again. Telegram
# keeps an undelivered update for at most 24 hours, so a retried webhook or a batch fetched
# again after a crash arrives within a day of the first copy; it starts a new (random) run of
# update ids only after a week without any update, so a reused id comes at least 7 days after
# the last stored row. Three days sits between the two with margin on both sides (a slow
# restart, a clock step). Confirmation covers sources that restart ids sooner: the console's
# emulator counts from 1 on every run over the same database.
DUPLICATE_WINDOW = timedelta(days=3)
# Handled entries between two prunings while running (start-up always prunes), and the
# longest time between two while updates arrive.
PRUNE_EVERY = 1000
PRUNE_INTERVAL = timedelta(hours=1)
# An update given up on keeps its payload (no names: bot/runtime/redact.py) this long for
# whoever investigates the crash it caused, then only its id and times are kept.
ABANDONED_KEPT = timedelta(days=1)
# "Handled" marks ride along with the next write (a handler's commit, a stored batch); when
# none comes within this many seconds, they are written on their own.
MARK_DELAY = 0.05


class Marks:
    """The entries handled whose "handled" mark is not written yet, and their writing."""

    def __init__(self, db: Store, clock: Callable[[], datetime], prune_every: int) -> None:
        self._db = db
        self._clock = clock
        self._prune_every = prune_every
        self._handled_since_prune = 0
        self._pruned_at = self._clock()
        # Entries handled, whose mark is not written yet (oldest first).
        self._done: list[int] = []
        # Held by the one transaction writing marks now: they are written one batch at a
        # time, in order, so that a chat's later update is never marked before an earlier one.
        self._lock = asyncio.Lock()
        self._later: asyncio.TimerHandle | None = None
        self._flusher: asyncio.Task[None] | None = None

    def add(self, entry_id: int) -> None:
        """Mark an entry handled, with the next write (or shortly, on its own)."""
        self._done.append(entry_id)
        self._handled_since_prune += 1
        if self._due_to_prune(self._clock()):
            self._write_soon(0.0)
        elif self._later is None:
            self._write_soon(MARK_DELAY)

    async def flush(self) -> None:
        """Write every mark still waiting (before stopping, or before counting)."""
        if self._later is not None:
            self._later.cancel()
            self._later = None
        while self._done or (self._flusher and not self._flusher.done()):
            if self._flusher is None or self._flusher.done():
                self._flusher = asyncio.create_task(self._flush())
            await asyncio.wait({self._flusher})

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[Callable[[Repositories], Awaitable[None]]]:
        """Give what writes the waiting "handled" marks in a transaction begun inside this
        block; if that transaction fails, its commit too, they wait again, first in line.

        Written last in it: a chat given back in the same transaction (bot/runtime/claims.py)
        has every update done by then, and each one's mark among these. While another
        transaction writes marks, nothing is written (never waited for: this one holds the
        writer lock already); the marks wait for the next.
        """
        taken: list[int] = []
        holding = False

        async def write(repos: Repositories) -> None:
            nonlocal taken, holding
            if self._lock.locked():
                return
            await self._lock.acquire()  # free: taken at once
            holding = True
            taken, self._done = self._done, []
            if taken:
                await InboxRepository(repos.conn).mark_done(taken, iso(self._clock()))

        try:
            yield write
        except BaseException:
            self._done[:0] = taken
            raise
        finally:
            if holding:
                self._lock.release()

    def _write_soon(self, delay: float) -> None:
        if self._later is not None:
            self._later.cancel()
        self._later = asyncio.get_running_loop().call_later(delay, self._write_now)

    def _write_now(self) -> None:
        self._later = None
        if self._done and (self._flusher is None or self._flusher.done()):
            self._flusher = asyncio.create_task(self._flush())

    async def _flush(self) -> None:
        while self._done:
            try:
                await self._write_marks()
            except Exception as exc:  # they wait for the next write
                log.error("cannot record inbox marks: %s", type(exc).__name__)
                return

    async def _write_marks(self) -> None:
        async with self._lock:  # waited for with no transaction open
            done, self._done = self._done, []
            try:
                await retried(lambda alone: self._write_done(done, alone))
            except BaseException:
                self._done[:0] = done  # still first in line, whatever failed (the commit too)
                raise

    async def _write_done(self, done: list[int], alone: bool) -> None:
        now = self._clock()
        async with self._db.transaction(concurrent=not alone) as repos:
            inbox = InboxRepository(repos.conn)
            if done:
                await inbox.mark_done(done, iso(now))
            if self._due_to_prune(now):
                await self.prune(inbox, now)

    def _due_to_prune(self, now: datetime) -> bool:
        return (
            self._handled_since_prune >= self._prune_every
            or now - self._pruned_at >= PRUNE_INTERVAL
        )

    async def prune(self, inbox: InboxRepository, now: datetime) -> None:
        """Drop old entries (handled ones past the duplicate window, given-up ones past theirs)."""
        await inbox.prune(before=iso(now - DUPLICATE_WINDOW))
        await inbox.forget_abandoned(before=iso(now - ABANDONED_KEPT))
        self._handled_since_prune = 0
        self._pruned_at = now
