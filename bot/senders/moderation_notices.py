"""Telling authors what moderators decided; what could not be told is retried at start-up."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import Forbidden, TelegramError

from bot.hearing.moderation import AuthorNotice
from bot.services import Services
from bot.views.links import Links
from bot.views.moderation import render_author_notice
from bot.views.ui import Ui

log = logging.getLogger(__name__)


async def tell_author(bot: Bot, services: Services, notice: AuthorNotice) -> bool:
    """Send a decision to the suggestion's author and record it; False if they can't be reached."""
    author = notice.suggestion.participant_id
    chat = await services.participants.chat_of(author)
    if chat is None:
        return False
    language = await services.participants.language_of(author)
    ui = Ui(
        services.texts_in(language),
        Links(bot.username),
        services.plan_for(language),
        services.settings.suggestion_max_chars,
    )
    rendered = render_author_notice(ui, notice)
    try:
        await bot.send_message(chat, rendered.text, reply_markup=rendered.markup)
    except Forbidden:
        await services.participants.mark_blocked(author)
        return False
    except TelegramError as exc:  # told at the next start-up instead
        log.warning("a moderation notice was not delivered: %s", type(exc).__name__)
        return False
    await services.moderation.told(notice.suggestion.id)
    return True


async def tell_pending_authors(bot: Bot, services: Services) -> int:
    """Send the decisions a crash or an outage kept from their authors; return how many."""
    told = 0
    for notice in await services.moderation.untold():
        told += await tell_author(bot, services, notice)
    return told
