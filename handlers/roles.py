"""Roles, checked at every use from the settings: an unknown user is a citizen, nothing more."""

from __future__ import annotations

from telegram import Update

from handlers.context import HearingContext
from handlers.messaging import send, toast
from handlers.ui import Rendered


def is_drafter(context: HearingContext, user_id: int | None) -> bool:
    """Tell whether a Telegram user is one of the hearing's drafters."""
    return user_id is not None and user_id in context.services.settings.drafter_ids


async def drafter_only(update: Update, context: HearingContext) -> bool:
    """Return True for a drafter; otherwise answer politely and return False (fail closed)."""
    user = update.effective_user
    if is_drafter(context, user.id if user else None):
        return True
    notice = context.services.texts("roles.drafters_only")
    if update.callback_query is not None:
        await toast(update.callback_query, notice, alert=True)
    elif update.effective_chat is not None:
        await send(context, update.effective_chat.id, Rendered(notice))
    return False
