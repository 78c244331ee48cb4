"""What every background sender shares: one run at a time, kicked, stoppable; one paced send."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.model.values import DeliveryStatus
from bot.runtime.pacer import Pacer, Pacing
from bot.runtime.retry import maybe_delivered, seconds
from storage.unit import when_committed

log = logging.getLogger(__name__)

# At shutdown the send in flight is allowed to finish (and be recorded) for this long.
STOP_GRACE_SECONDS = 10.0


async def send_paced(
    pacer: Pacer, attempt: Callable[[], Awaitable[object]], what: str
) -> DeliveryStatus | None:
    """Send when the pacer allows, until Telegram settles it; None if asked to stop first."""
    while True:
        if not await pacer.wait():
            return None
        try:
            await attempt()
        except RetryAfter as exc:
            # Over the limit after all: every send waits, then this one is retried.
            if not await pacer.hold(seconds(exc.retry_after)):
                return None
            continue
        except Forbidden:
            status = DeliveryStatus.BLOCKED
        except (BadRequest, ChatMigrated) as exc:
            # This recipient alone cannot be reached (the chat is gone, say).
            log.warning("%s not delivered: %s", what, exc.message)
            status = DeliveryStatus.FAILED
        except TelegramError as exc:
            if maybe_delivered(exc):
                # The answer was lost after Telegram may have delivered it (a timeout):
                # sending it again could show it twice, so it counts as sent.
                log.warning("%s unconfirmed, not resent: %s", what, type(exc).__name__)
                status = DeliveryStatus.SENT
            else:
                # Telegram or the network is down for everyone, not for this recipient:
                # wait it out and retry the same one, so an outage loses no one.
                log.warning("%s paused: %s", what, type(exc).__name__)
                if not await pacer.back_off():
                    return None
                continue
        else:
            status = DeliveryStatus.SENT
        pacer.recovered()
        return status


class BackgroundSender:
    """Run `send_due` in the background until nothing is due, one run at a time.

    A kick during a run makes that run read what is due once more before it ends, so nothing
    queued meanwhile waits for the next kick.
    """

    name = "sender"

    def __init__(self, pacing: Pacing | None = None) -> None:
        self.pacing = pacing or Pacing()
        self._lock = asyncio.Lock()
        self._stopping = asyncio.Event()
        self._kicked = False
        self._task: asyncio.Task[None] | None = None

    async def send_due(self, pacer: Pacer) -> bool | None:
        """Send what is due now: None if nothing was, False if stopped, True to look again."""
        raise NotImplementedError

    def kick(self) -> None:
        """Have everything due sent: start a background run unless one is going.

        Inside an update's unit of work, once what it wrote is committed.
        """
        when_committed(self._kick)

    def _kick(self) -> None:
        self._kicked = True
        if self._stopping.is_set():
            return
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name=self.name)
            self._task.add_done_callback(self._log_crash)

    async def run(self) -> None:
        """Send until nothing is due, including what became due meanwhile."""
        async with self._lock:
            pacer = Pacer(self.pacing, self._stopping)
            while not self._stopping.is_set():
                # A kick while the read is under way may come from work it did not see.
                self._kicked = False
                sent = await self.send_due(pacer)
                if sent is False or (sent is None and not self._kicked):
                    return

    async def wait_idle(self) -> None:
        """Wait until the background run, if one is going, has ended."""
        if self._task is not None:
            await asyncio.wait({self._task})

    async def stop(self) -> None:
        """Stop between two sends (at shutdown); the rest is sent after the next start."""
        self._stopping.set()
        task = self._task
        if task is None or task.done():
            return
        _, late = await asyncio.wait({task}, timeout=STOP_GRACE_SECONDS)
        if late:
            task.cancel()
            await asyncio.wait({task})

    def _log_crash(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("%s stopped on an error; the next start or kick resumes", self.name,
                      exc_info=exc)  # fmt: skip
