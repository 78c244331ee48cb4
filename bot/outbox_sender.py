"""Send the outbox (follower batches, "you said, we did", follow-up questions), paced."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.broadcaster import STOP_GRACE_SECONDS, Pacer, Pacing, _log_crash, _seconds
from bot.hearing.outbox import Outbox
from bot.hearing.participants import Participants
from bot.hearing.values import DeliveryStatus, Language
from bot.texts import Texts
from handlers.codec import Action, encode
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)

BATCH = 200
SendWithMarkup = Callable[[int, str, InlineKeyboardMarkup | None], Awaitable[object]]


class OutboxSender:
    """Send every pending outbox message in the background, within Telegram's limits."""

    def __init__(
        self, outbox: Outbox, participants: Participants,
        texts: Callable[[Language | None], Texts], send: SendWithMarkup,
        pacing: Pacing | None = None,
    ) -> None:  # fmt: skip
        self.outbox = outbox
        self.participants = participants
        self.texts = texts
        self.send = send
        self.pacing = pacing or Pacing()
        self._lock = asyncio.Lock()
        self._stopping = asyncio.Event()
        self._kicked = False
        self._task: asyncio.Task[None] | None = None

    def kick(self) -> None:
        """Have the outbox emptied: start a background run unless one is going."""
        self._kicked = True
        if self._stopping.is_set():
            return
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name="outbox")
            self._task.add_done_callback(_log_crash)

    async def run(self) -> None:
        """Send until nothing is pending (messages queued meanwhile included)."""
        async with self._lock:
            pacer = Pacer(self.pacing, self._stopping)
            while not self._stopping.is_set():
                self._kicked = False
                rows = await self.outbox.pending(BATCH)
                if not rows and not self._kicked:
                    return
                for row in rows:
                    if not await self._deliver(pacer, row):
                        return

    async def wait_idle(self) -> None:
        """Wait until the background run, if one is going, has ended."""
        if self._task is not None:
            await asyncio.wait({self._task})

    async def stop(self) -> None:
        """Stop between two sends; the rest is sent after the next start."""
        self._stopping.set()
        task = self._task
        if task is None or task.done():
            return
        _, late = await asyncio.wait({task}, timeout=STOP_GRACE_SECONDS)
        if late:
            task.cancel()
            await asyncio.wait({task})

    async def _markup(self, row: OutboxRow) -> InlineKeyboardMarkup | None:
        if row.question_id is None:
            return None
        language = await self.participants.language_of(row.participant_id)
        label = self.texts(language).plain("ask.answer_button")
        button = InlineKeyboardButton(label, callback_data=encode(Action.ANSWER, row.question_id))
        return InlineKeyboardMarkup([[button]])

    async def _deliver(self, pacer: Pacer, row: OutboxRow) -> bool:
        """Send one message and record the outcome; False if asked to stop first."""
        if row.chat_id is None:
            await self.outbox.record(row.id, DeliveryStatus.BLOCKED)
            return True
        while True:
            if not await pacer.wait():
                return False
            try:
                await self.send(row.chat_id, row.body, await self._markup(row))
            except RetryAfter as exc:
                if not await pacer.hold(_seconds(exc.retry_after)):
                    return False
                continue
            except Forbidden:
                await self.participants.mark_blocked(row.participant_id)
                status = DeliveryStatus.BLOCKED
            except (BadRequest, ChatMigrated) as exc:
                log.warning("an outbox message was not delivered: %s", exc.message)
                status = DeliveryStatus.FAILED
            except TelegramError as exc:
                log.warning("outbox paused: %s", type(exc).__name__)
                if not await pacer.back_off():
                    return False
                continue
            else:
                status = DeliveryStatus.SENT
            pacer.recovered()
            await self.outbox.record(row.id, status)
            return True
