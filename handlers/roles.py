"""Roles, checked at every use from the settings: an unknown user is a citizen, nothing more."""

from __future__ import annotations

from telegram import Update

from bot.views.ui import Rendered
from handlers.context import HearingContext
from handlers.messaging import send, toast

# Telegram's stand-in sender for anonymous group admins: it could be anyone, so never trusted.
ANONYMOUS_ADMIN_ID = 1087968824


def is_drafter(context: HearingContext, user_id: int | None) -> bool:
    """Tell whether a Telegram user is one of the hearing's drafters."""
    return user_id is not None and user_id in context.services.settings.drafter_ids


def is_moderator(context: HearingContext, user_id: int | None) -> bool:
    """Tell whether a Telegram user is one of the hearing's moderators."""
    if user_id is None or user_id == ANONYMOUS_ADMIN_ID:
        return False
    return user_id in context.services.settings.moderator_ids


def is_oversight(context: HearingContext, user_id: int | None) -> bool:
    """Tell whether a Telegram user is on the hearing's oversight committee."""
    return user_id is not None and user_id in context.services.settings.oversight_ids


def is_tracker(context: HearingContext, user_id: int | None) -> bool:
    """Tell whether a user may set items' tracking: a drafter or an oversight member."""
    return is_drafter(context, user_id) or is_oversight(context, user_id)


async def tracker_only(update: Update, context: HearingContext) -> bool:
    """Return True for a drafter or overseer; otherwise answer politely and return False."""
    user = update.effective_user
    return is_tracker(context, user.id if user else None) or await _refuse(
        update, context, "roles.trackers_only"
    )


async def drafter_only(update: Update, context: HearingContext) -> bool:
    """Return True for a drafter; otherwise answer politely and return False (fail closed)."""
    user = update.effective_user
    return is_drafter(context, user.id if user else None) or await _refuse(
        update, context, "roles.drafters_only"
    )


async def moderator_only(update: Update, context: HearingContext) -> bool:
    """Return True for a moderator; otherwise answer politely and return False (fail closed)."""
    user = update.effective_user
    return is_moderator(context, user.id if user else None) or await _refuse(
        update, context, "roles.moderators_only"
    )


async def _refuse(update: Update, context: HearingContext, key: str) -> bool:
    notice = context.t(key)
    if update.callback_query is not None:
        await toast(update.callback_query, notice, alert=True)
    elif update.effective_chat is not None:
        await send(context, update.effective_chat.id, Rendered(notice))
    return False
