"""The one error handler: log without private data, tell the citizen in plain words."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden

from handlers.context import HearingContext
from handlers.guard import resolve_language
from storage.unit import WriteConflict

log = logging.getLogger(__name__)

_HARMLESS = ("message is not modified", "query is too old", "message to edit not found")


async def report_error(update: object, context: HearingContext) -> None:
    """Log an error by its type only and apologise to the citizen, without a traceback."""
    error = context.error
    if isinstance(error, BadRequest) and any(h in error.message.lower() for h in _HARMLESS):
        return
    if isinstance(error, Forbidden):
        log.info("a participant has blocked the bot")
        return
    if isinstance(error, WriteConflict):
        return  # the update is undone and handled again, alone (bot/runtime/inbox.py)
    # Exception type and location only: message texts and ids must not reach the logs.
    log.error(
        "error while handling an update: %s",
        type(error).__name__,
        exc_info=(type(error), error, error.__traceback__) if error else None,
    )
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            # An error handler gets a context of its own: the language is looked up again.
            if (user := update.effective_user) is not None:
                pid = context.services.participants.identify(user.id)
                await resolve_language(context, pid, user.language_code)
            await context.bot.send_message(update.effective_chat.id, context.t("error.generic"))
        except Exception:  # the apology is best effort; the error itself is logged above
            log.warning("could not send the error notice")
