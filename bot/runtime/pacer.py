"""Pace sends to Telegram: evenly spaced, flood control and outages waited out, stoppable."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass
class Pacing:
    """How fast to send, how long to wait out an outage, and the clock (injectable for tests)."""

    # Telegram allows about 30 messages a second in all; 25 leaves room for replies to citizens.
    per_second: float = 25.0
    # An outage is waited out with doubling pauses, so a server that is down is not hammered.
    backoff_first: float = 1.0
    backoff_max: float = 60.0
    # Sends under way at once; 1 sends strictly one after the other (see IN_FLIGHT).
    in_flight: int = 1
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep)


class Pacer:
    """Space sends evenly at `per_second`, never in bursts; any wait ends early on stop."""

    def __init__(self, pacing: Pacing, stopping: asyncio.Event) -> None:
        self.pacing = pacing
        self.stopping = stopping
        self._next_at = 0.0
        self._backoff = 0.0
        self._turn = asyncio.Lock()

    async def wait(self) -> bool:
        """Wait for the next free slot; False if asked to stop meanwhile."""
        # Concurrent senders take slots one at a time. A wake-up later than planned by less than
        # one interval keeps the schedule (else a busy loop's small delays would add up and
        # lower the rate); a longer stall restarts it, so that slots missed are not sent in a
        # burst. Either way no second holds more than per_second + 1 sends.
        interval = 1.0 / self.pacing.per_second
        async with self._turn:
            now = self.pacing.monotonic()
            if now < self._next_at:
                if not await self._sleep(self._next_at - now):
                    return False
                now = self.pacing.monotonic()
            slot = self._next_at if now - self._next_at < interval else now
            self._next_at = slot + interval
            return not self.stopping.is_set()

    async def hold(self, seconds: float) -> bool:
        """Pause every send for `seconds` (Telegram asked to retry after them)."""
        self._next_at = max(self._next_at, self.pacing.monotonic() + seconds)
        if not await self._sleep(seconds):
            return False
        self._next_at = max(self._next_at, self.pacing.monotonic())
        return True

    async def back_off(self) -> bool:
        """Pause every send for twice as long as the last time, up to the cap; False on stop."""
        delay = self._backoff or self.pacing.backoff_first
        self._backoff = min(delay * 2, self.pacing.backoff_max)
        return await self.hold(delay)

    def recovered(self) -> None:
        """Telegram answered: the next outage starts from the shortest pause again."""
        self._backoff = 0.0

    async def _sleep(self, seconds: float) -> bool:
        sleeping = asyncio.ensure_future(self.pacing.sleep(seconds))
        stopped = asyncio.ensure_future(self.stopping.wait())
        await asyncio.wait({sleeping, stopped}, return_when=asyncio.FIRST_COMPLETED)
        for task in (sleeping, stopped):
            task.cancel()
        return not self.stopping.is_set()
