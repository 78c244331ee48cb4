"""Send broadcasts at a pace Telegram accepts, resuming after a restart where they stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.hearing.broadcasts import Broadcasts
from bot.hearing.participants import Participants
from bot.texts import Texts
from storage.broadcasts import Recipient

log = logging.getLogger(__name__)

BATCH = 200
MAX_ATTEMPTS = 3
# At shutdown the send in flight is allowed to finish (and be recorded) for this long.
STOP_GRACE_SECONDS = 10.0


@dataclass
class Pacing:
    """How fast to send, and the clock to pace by (injectable for tests)."""

    # Telegram allows about 30 messages a second in all; 25 leaves room for replies to citizens.
    per_second: float = 25.0
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep)


class Pacer:
    """Space sends evenly at `per_second`, never in bursts; any wait ends early on stop."""

    def __init__(self, pacing: Pacing, stopping: asyncio.Event) -> None:
        self.pacing = pacing
        self.stopping = stopping
        self._next_at = 0.0

    async def wait(self) -> bool:
        """Wait for the next free slot; False if asked to stop meanwhile."""
        now = self.pacing.monotonic()
        if now < self._next_at:
            if not await self._sleep(self._next_at - now):
                return False
            now = self._next_at
        self._next_at = now + 1.0 / self.pacing.per_second
        return not self.stopping.is_set()

    async def hold(self, seconds: float) -> bool:
        """Pause every send for `seconds` (Telegram asked to retry after them)."""
        if not await self._sleep(seconds):
            return False
        self._next_at = self.pacing.monotonic()
        return True

    async def _sleep(self, seconds: float) -> bool:
        sleeping = asyncio.ensure_future(self.pacing.sleep(seconds))
        stopped = asyncio.ensure_future(self.stopping.wait())
        await asyncio.wait({sleeping, stopped}, return_when=asyncio.FIRST_COMPLETED)
        for task in (sleeping, stopped):
            task.cancel()
        return not self.stopping.is_set()


Send = Callable[[int, str], Awaitable[object]]


class Broadcaster:
    """Send every broadcast that is being sent, one at a time, in the background."""

    def __init__(
        self, broadcasts: Broadcasts, participants: Participants, texts: Texts, send: Send,
        pacing: Pacing | None = None,
    ) -> None:  # fmt: skip
        self.broadcasts = broadcasts
        self.participants = participants
        self.texts = texts
        self.send = send
        self.pacing = pacing or Pacing()
        self._lock = asyncio.Lock()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def kick(self) -> None:
        """Start sending in the background unless a run is already going."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name="broadcaster")

    async def run(self) -> None:
        """Send every broadcast being sent until no one is left to reach, or until stopped."""
        async with self._lock:
            pacer = Pacer(self.pacing, self._stopping)
            for broadcast in await self.broadcasts.sending():
                text = self.texts("broadcast.message", text=broadcast.text)
                while recipients := await self.broadcasts.pending(broadcast.id, BATCH):
                    for recipient in recipients:
                        if not await self._deliver(pacer, broadcast.id, recipient, text):
                            return
                counts = await self.broadcasts.finish(broadcast.id)
                log.info("broadcast %d finished: %s", broadcast.id, counts)

    async def stop(self) -> None:
        """Stop between two sends (at shutdown); the rest is sent after the next start."""
        self._stopping.set()
        if self._task is not None and not self._task.done():
            try:
                await asyncio.wait_for(asyncio.shield(self._task), STOP_GRACE_SECONDS)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task

    async def _deliver(self, pacer: Pacer, broadcast_id: int, to: Recipient, text: str) -> bool:
        """Send to one recipient and record the outcome; False if asked to stop first."""
        while True:
            if not await pacer.wait():
                return False
            try:
                await self.send(to.chat_id, text)
            except RetryAfter as exc:
                # Over the limit after all: everyone waits, then this recipient is retried.
                if not await pacer.hold(_seconds(exc.retry_after)):
                    return False
                continue
            except Forbidden:
                await self.participants.mark_blocked(to.participant_id)
                await self.broadcasts.record(broadcast_id, to.participant_id, "blocked")
            except BadRequest as exc:
                log.warning("broadcast not delivered: %s", exc.message)
                await self.broadcasts.record(broadcast_id, to.participant_id, "failed")
            except TelegramError as exc:
                status = "failed" if to.attempts + 1 >= MAX_ATTEMPTS else "pending"
                log.warning("broadcast send failed (%s), %s", type(exc).__name__, status)
                await self.broadcasts.record(broadcast_id, to.participant_id, status)
            else:
                await self.broadcasts.record(broadcast_id, to.participant_id, "sent")
            return True


def _seconds(value: object) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]
