"""Telling authors what drafters replied or decided; what could not be told is retried."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import Forbidden, TelegramError

from bot.hearing.responses import Notice
from bot.services import Services
from bot.views.links import Links
from bot.views.responses import notice_markup, notice_text
from bot.views.ui import Ui

log = logging.getLogger(__name__)


async def deliver(bot: Bot, services: Services, notice: Notice) -> bool:
    """Send a notice to its author and record it; False if they cannot be reached now."""
    chat = await services.participants.chat_of(notice.author_id)
    if chat is None:
        return False
    try:
        language = await services.participants.language_of(notice.author_id)
        plan, t = services.plan_for(language), services.texts_in(language)
        ui = Ui(t, Links(bot.username), plan, services.settings.suggestion_max_chars)
        await bot.send_message(
            chat, notice_text(t, plan.title, notice), reply_markup=notice_markup(ui, notice)
        )
    except Forbidden:
        await services.participants.mark_blocked(notice.author_id)
        return False
    except TelegramError as exc:  # told at the next start-up instead
        log.warning("a notice to an author was not delivered: %s", type(exc).__name__)
        return False
    await services.follow.notified(notice.response_id)
    return True


async def deliver_pending(bot: Bot, services: Services) -> int:
    """Send the notices a crash or an outage kept from their authors; return how many."""
    delivered = 0
    for notice in await services.follow.unnotified():
        delivered += await deliver(bot, services, notice)
    return delivered
