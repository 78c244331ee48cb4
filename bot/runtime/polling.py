"""Long polling that stores each getUpdates batch in one transaction before confirming it."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import JSONDict
from telegram.ext import ApplicationBuilder, ExtBot

from bot.runtime.flood_gate import FloodGate
from bot.runtime.inbox import Inbox
from bot.runtime.replies import Call, deferred, recording_reply
from storage.unit import irrevocable


class InboxBot(ExtBot[None]):
    """An ExtBot that stores each getUpdates batch (less a flood's excess), and records a
    handler's reply to keep it.

    A handler's chat-changing calls are recorded (bot/runtime/replies.py) while it runs, and
    sent by `post_kept` once the handler's effects and its reply are committed together.

    python-telegram-bot confirms a batch by asking for the next one (its offset), which it
    does only after this returns: so nothing is confirmed before it is stored, and the batch
    costs one transaction instead of one per update. If the batch cannot be stored, the error
    (a TelegramError) makes the updater fetch it again.

    The flood gate, if any, sifts the batch as Telegram sent it (JSON), before any Update is
    built of it: what it drops is neither built, stored nor returned. The updater confirms up
    to the last update it is given, so the next offset is carried past dropped ones here:
    Telegram must not send them again.
    """

    __slots__ = ("_batch_through", "_fetched_through", "_gate", "_inbox")

    def __init__(
        self, *args: Any, inbox: Inbox, gate: FloodGate | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._inbox = inbox
        self._gate = gate
        self._fetched_through: int | None = None  # the last update id stored or dropped
        self._batch_through: int | None = None  # the last update id of the batch in hand

    async def _do_post(self, endpoint: str, data: dict[str, Any], **kwargs: Any) -> Any:
        reply = recording_reply()
        if reply is not None:
            if reply.covers(endpoint, data):
                return reply.record(endpoint, data)
            if deferred(endpoint):
                irrevocable()  # to another chat, at once: a unit that may be undone stops first
        return await super()._do_post(endpoint, data, **kwargs)

    async def post_kept(self, call: Call) -> object:
        """Make a recorded call, through the same defaults, retries and transport as any."""
        return await self._post(call.endpoint, call.data())

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        """Fetch updates, drop a flood's excess, then store the rest as pending at once."""
        self._batch_through = None
        updates = await super().get_updates(*args, **kwargs)
        if updates:
            await self._inbox.record_batch(updates)
        if self._batch_through is not None:
            self._fetched_through = self._batch_through
        return updates

    async def _post(self, endpoint: str, data: JSONDict | None = None, **kwargs: Any) -> Any:
        # python-telegram-bot's get_updates posts getUpdates here and builds an Update of each
        # JSON object returned: the gate reads them first (bot/runtime/flood_gate.py).
        if endpoint != "getUpdates" or self._gate is None:
            return await super()._post(endpoint, data, **kwargs)
        data, through = dict(data or {}), self._fetched_through
        if through is not None and (data.get("offset") or 0) <= through:
            data["offset"] = through + 1
        result = await super()._post(endpoint, data, **kwargs)
        if not isinstance(result, list) or not result:
            return result
        last = result[-1].get("update_id") if isinstance(result[-1], dict) else None
        self._batch_through = last if isinstance(last, int) else None
        return [raw for raw in result if not isinstance(raw, dict) or self._gate.admit(raw)]


class InboxApplicationBuilder(ApplicationBuilder):
    """An ApplicationBuilder whose bot is an InboxBot, with every setting the builder was given."""

    __slots__ = ("_gate", "_inbox")

    def __init__(self, inbox: Inbox, gate: FloodGate | None = None) -> None:
        super().__init__()
        self._inbox = inbox
        self._gate = gate

    def _build_ext_bot(self) -> ExtBot[None]:
        # python-telegram-bot 22's own construction (ApplicationBuilder._build_ext_bot) with our
        # class: it has no hook for the bot's class. tests/test_polling.py checks it is used.
        if isinstance(self._token, DefaultValue):
            raise RuntimeError("No bot token was set.")
        return InboxBot(
            token=self._token,
            base_url=DefaultValue.get_value(self._base_url),
            base_file_url=DefaultValue.get_value(self._base_file_url),
            private_key=DefaultValue.get_value(self._private_key),
            private_key_password=DefaultValue.get_value(self._private_key_password),
            defaults=DefaultValue.get_value(self._defaults),
            arbitrary_callback_data=DefaultValue.get_value(self._arbitrary_callback_data),
            request=self._build_request(get_updates=False),
            get_updates_request=self._build_request(get_updates=True),
            rate_limiter=DefaultValue.get_value(self._rate_limiter),
            local_mode=DefaultValue.get_value(self._local_mode),
            inbox=self._inbox,
            gate=self._gate,
        )
