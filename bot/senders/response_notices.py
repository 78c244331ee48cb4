"""Telling authors what drafters replied or decided; what could not be told is retried."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import Forbidden, TelegramError

from bot.hearing.responses import Notice
from bot.services import Services
from bot.views.texts import Texts
from bot.views.ui import target_name

log = logging.getLogger(__name__)

# A notice quotes the suggestion; long ones are cut so that the notice fits one message.
QUOTE_CHARS = 600


def notice_text(t: Texts, title: str, notice: Notice) -> str:
    """Render what the author reads: the hearing's name, their suggestion, the drafter's words."""
    target = target_name(t, notice.suggestion.item_id)
    merged = notice.merged_into.number if notice.merged_into else ""
    quote = _quote(notice.suggestion.text)
    return t(f"notice.{notice.decision}", title=title, target=target, suggestion=quote,
             text=notice.text or "", item=merged)  # fmt: skip


async def deliver(bot: Bot, services: Services, notice: Notice) -> bool:
    """Send a notice to its author and record it; False if they cannot be reached now."""
    chat = await services.participants.chat_of(notice.author_id)
    if chat is None:
        return False
    try:
        language = await services.participants.language_of(notice.author_id)
        title = services.plan_for(language).title
        await bot.send_message(chat, notice_text(services.texts_in(language), title, notice))
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


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"
