"""Send the outbox (follower batches, "you said, we did", follow-up questions), paced."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.hearing.outbox import Outbox
from bot.hearing.participants import Participants
from bot.model.records import OutboxRow
from bot.model.values import DeliveryStatus, Language
from bot.runtime.background import BackgroundSender, send_paced
from bot.runtime.pacer import Pacer, Pacing
from bot.views.codec import Action, encode
from bot.views.texts import Texts

BATCH = 200
SendWithMarkup = Callable[[int, str, InlineKeyboardMarkup | None], Awaitable[object]]


class OutboxSender(BackgroundSender):
    """Send every pending outbox message in the background, within Telegram's limits."""

    name = "outbox"

    def __init__(
        self, outbox: Outbox, participants: Participants,
        texts: Callable[[Language | None], Texts], send: SendWithMarkup,
        pacing: Pacing | None = None,
    ) -> None:  # fmt: skip
        super().__init__(pacing)
        self.outbox = outbox
        self.participants = participants
        self.texts = texts
        self.send = send

    async def send_due(self, pacer: Pacer) -> bool | None:
        """Send a batch of pending messages; None if there was none."""
        rows = await self.outbox.pending(BATCH)
        if not rows:
            return None
        for row in rows:
            if not await self._deliver(pacer, row):
                return False
        return True

    async def _markup(self, row: OutboxRow) -> InlineKeyboardMarkup | None:
        if row.question_id is None:
            return None
        language = await self.participants.language_of(row.participant_id)
        label = self.texts(language).plain("ask.answer_button")
        button = InlineKeyboardButton(label, callback_data=encode(Action.ANSWER, row.question_id))
        return InlineKeyboardMarkup([[button]])

    async def _deliver(self, pacer: Pacer, row: OutboxRow) -> bool:
        """Send one message and record the outcome; False if asked to stop first."""
        chat = row.chat_id
        if chat is None:
            await self.outbox.record(row.id, DeliveryStatus.BLOCKED)
            return True
        markup = await self._markup(row)
        status = await send_paced(
            pacer, lambda: self.send(chat, row.body, markup), "outbox message"
        )
        if status is None:
            return False
        if status is DeliveryStatus.BLOCKED:
            await self.participants.mark_blocked(row.participant_id)
        await self.outbox.record(row.id, status)
        return True
