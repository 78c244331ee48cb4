"""Send broadcasts at a pace Telegram accepts, resuming after a restart where they stopped."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.hearing.broadcasts import Broadcasts
from bot.hearing.participants import Participants
from bot.model.records import BroadcastRecord, Recipient
from bot.model.values import DeliveryStatus
from bot.runtime.background import BackgroundSender, send_paced
from bot.runtime.pacer import Pacer, Pacing
from bot.views.broadcasts import broadcast_report
from bot.views.texts import Texts, as_html

log = logging.getLogger(__name__)

BATCH = 200
# Sends under way at once in a running bot: one at a time, a 50 ms round trip alone would cap
# a broadcast at 20 messages a second (BENCHMARKS.md); the pacer still spaces their starts.
IN_FLIGHT = 8


Send = Callable[[int, str], Awaitable[object]]


class Broadcaster(BackgroundSender):
    """Send every broadcast that is being sent, one at a time, in the background."""

    name = "broadcaster"

    def __init__(
        self, broadcasts: Broadcasts, participants: Participants,
        texts: Callable[[str], Awaitable[Texts]], send: Send,
        pacing: Pacing | None = None, finished: Callable[[], None] = lambda: None,
    ) -> None:  # fmt: skip
        super().__init__(pacing)
        self.broadcasts = broadcasts
        self.participants = participants
        self.texts = texts
        self.send = send
        # Called once a broadcast is closed: its report waits in the outbox.
        self.finished = finished

    async def send_due(self, pacer: Pacer) -> bool | None:
        """Send every broadcast being sent; None if there was none."""
        due = await self.broadcasts.sending()
        if not due:
            return None
        for broadcast in due:
            if not await self._send_all(pacer, broadcast):
                return False
        return True

    async def _send_all(self, pacer: Pacer, broadcast: BroadcastRecord) -> bool:
        """Reach everyone the broadcast is still to reach, then close it; False if stopped."""
        text = broadcast.text  # framed in each recipient's language as it is sent
        while recipients := await self.broadcasts.pending(broadcast.id, BATCH):
            if not await self._deliver_batch(pacer, broadcast.id, recipients, text):
                return False
        counts = await self.broadcasts.counts(broadcast.id)
        t = await self.texts(broadcast.author_id)
        if await self.broadcasts.finish(broadcast.id, broadcast_report(t, broadcast, counts)):
            log.info("broadcast %d finished: %s", broadcast.id, dict(sorted(counts.items())))
            self.finished()
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
        framed = await self._framed(to, text)
        status = await send_paced(pacer, lambda: self.send(to.chat_id, framed), "broadcast")
        if status is None:
            return False
        if status is DeliveryStatus.BLOCKED:
            await self.participants.mark_blocked(to.participant_id)
        await self.broadcasts.record(broadcast_id, to.participant_id, status)
        return True

    async def _framed(self, to: Recipient, text: str) -> str:
        """Frame the drafters' text as a broadcast, in the recipient's language."""
        return (await self.texts(to.participant_id))("broadcast.message", text=as_html(text))
