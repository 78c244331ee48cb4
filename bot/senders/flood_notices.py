"""Tell a person whose updates the flood gate drops, once per flood, to slow down."""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from bot.model.values import Language
from bot.runtime.flood_gate import Sender
from handlers.context import HearingApp

log = logging.getLogger(__name__)


async def ask_to_slow_down(app: HearingApp, sender: Sender) -> None:
    """Send the slow-down notice to the private chat the flood came from, in their language."""
    if not sender.private:
        return  # a group is not written to for one member's flood
    services = app.bot_data.require_services()
    chosen = await services.participants.language_of(services.participants.identify(sender.user))
    language = chosen or Language.from_telegram(sender.language_code) or Language.ENGLISH
    try:
        await app.bot.send_message(sender.chat, services.texts_in(language)("flood.slow_down"))
    except TelegramError as exc:  # the flood goes on being dropped all the same
        log.warning("a slow-down notice was not delivered: %s", type(exc).__name__)
