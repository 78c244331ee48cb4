"""Send broadcasts at a pace Telegram accepts, resuming after a restart where they stopped."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.hearing.broadcasts import Broadcasts
from bot.hearing.participants import Participants
from bot.hearing.values import DeliveryStatus
from bot.retry import maybe_delivered
from bot.texts import Texts
from storage.broadcasts import BroadcastRecord, Recipient

log = logging.getLogger(__name__)

BATCH = 200
# Sends under way at once in a running bot: one at a time, a 50 ms round trip alone would cap
# a broadcast at 20 messages a second (BENCHMARKS.md); the pacer still spaces their starts.
IN_FLIGHT = 8
# At shutdown the send in flight is allowed to finish (and be recorded) for this long.
STOP_GRACE_SECONDS = 10.0


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


Send = Callable[[int, str], Awaitable[object]]


class Broadcaster:
    """Send every broadcast that is being sent, one at a time, in the background."""

    def __init__(
        self, broadcasts: Broadcasts, participants: Participants,
        texts: Callable[[str], Awaitable[Texts]], send: Send,
        pacing: Pacing | None = None,
    ) -> None:  # fmt: skip
        self.broadcasts = broadcasts
        self.participants = participants
        self.texts = texts
        self.send = send
        self.pacing = pacing or Pacing()
        self._lock = asyncio.Lock()
        self._stopping = asyncio.Event()
        self._kicked = False
        self._task: asyncio.Task[None] | None = None

    def kick(self) -> None:
        """Have every broadcast being sent delivered: start a background run unless one is on."""
        # A run that is going reads the broadcasts again before it ends: see run().
        self._kicked = True
        if self._stopping.is_set():
            return
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name="broadcaster")
            self._task.add_done_callback(_log_crash)

    async def run(self) -> None:
        """Send every broadcast being sent, and any started meanwhile, until none is left."""
        async with self._lock:
            pacer = Pacer(self.pacing, self._stopping)
            while not self._stopping.is_set():
                # A kick while this read is under way may come from a start it did not see.
                self._kicked = False
                due = await self.broadcasts.sending()
                if not due and not self._kicked:
                    return
                for broadcast in due:
                    if not await self._send_all(pacer, broadcast):
                        return

    async def wait_idle(self) -> None:
        """Wait until the background run, if one is going, has ended."""
        if self._task is not None:
            await asyncio.wait({self._task})

    async def _framed(self, to: Recipient, text: str) -> str:
        """Frame the drafters' text as a broadcast, in the recipient's language."""
        return (await self.texts(to.participant_id))("broadcast.message", text=text)

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

    async def _send_all(self, pacer: Pacer, broadcast: BroadcastRecord) -> bool:
        """Reach everyone the broadcast is still to reach, then close it; False if stopped."""
        text = broadcast.text  # framed in each recipient's language as it is sent
        while recipients := await self.broadcasts.pending(broadcast.id, BATCH):
            if not await self._deliver_batch(pacer, broadcast.id, recipients, text):
                return False
        counts = await self.broadcasts.finish(broadcast.id)
        log.info("broadcast %d finished: %s", broadcast.id, dict(sorted(counts.items())))
        return True

    async def _deliver_batch(
        self, pacer: Pacer, broadcast_id: int, recipients: list[Recipient], text: str
    ) -> bool:
        """Reach a batch, `in_flight` sends at once, all done before the next batch is read."""
        slots = asyncio.Semaphore(max(1, self.pacing.in_flight))

        async def one(recipient: Recipient) -> bool:
            async with slots:
                return await self._deliver(pacer, broadcast_id, recipient, text)

        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(recipient)) for recipient in recipients]
        return all(task.result() for task in tasks)

    async def _deliver(self, pacer: Pacer, broadcast_id: int, to: Recipient, text: str) -> bool:
        """Send to one recipient and record the outcome; False if asked to stop first."""
        while True:
            if not await pacer.wait():
                return False
            try:
                await self.send(to.chat_id, await self._framed(to, text))
            except RetryAfter as exc:
                # Over the limit after all: everyone waits, then this recipient is retried.
                if not await pacer.hold(_seconds(exc.retry_after)):
                    return False
                continue
            except Forbidden:
                await self.participants.mark_blocked(to.participant_id)
                status = DeliveryStatus.BLOCKED
            except (BadRequest, ChatMigrated) as exc:
                # This recipient alone cannot be reached (the chat is gone, say).
                log.warning("broadcast not delivered: %s", exc.message)
                status = DeliveryStatus.FAILED
            except TelegramError as exc:
                if maybe_delivered(exc):
                    # The answer was lost after Telegram may have delivered it (a timeout):
                    # sending it again could show it twice, so it counts as sent.
                    log.warning("broadcast unconfirmed, not resent: %s", type(exc).__name__)
                    status = DeliveryStatus.SENT
                else:
                    # Telegram or the network is down for everyone, not for this recipient:
                    # wait it out and retry the same one, so an outage loses no one.
                    log.warning("broadcast paused: %s", type(exc).__name__)
                    if not await pacer.back_off():
                        return False
                    continue
            else:
                status = DeliveryStatus.SENT
            pacer.recovered()
            await self.broadcasts.record(broadcast_id, to.participant_id, status)
            return True


def _seconds(value: object) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]


def _log_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.error("broadcaster stopped on an error; the next start or kick resumes", exc_info=exc)
