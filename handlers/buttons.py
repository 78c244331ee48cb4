"""Button presses: decode the data, check the presser's role, call the declared handler."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from importlib import import_module

from telegram import CallbackQuery, Update
from telegram.constants import ChatType

from bot.model.refusals import Refused
from bot.views.buttons import Action, Role
from bot.views.codec import Button, CodecError, decode
from bot.views.ui import refusal_text
from handlers.context import HearingContext
from handlers.messaging import toast
from handlers.roles import is_drafter, is_moderator, is_tracker

log = logging.getLogger(__name__)

ButtonAction = Callable[[CallbackQuery, HearingContext, str, Button], Awaitable[None]]
RoleCheck = Callable[[HearingContext, int], bool]

# The refusal a presser without the button's role gets.
_ROLES: dict[Role, tuple[RoleCheck, str]] = {
    Role.DRAFTER: (is_drafter, "roles.drafters_only"),
    Role.TRACKER: (is_tracker, "roles.trackers_only"),
    Role.MODERATOR: (is_moderator, "roles.moderators_only"),
}


def resolve(action: Action) -> ButtonAction:
    """Return the handler a button declares ("module:function" under handlers/)."""
    module, _, name = action.spec.handler.partition(":")
    handler: ButtonAction = getattr(import_module(".".join(("handlers", module))), name)
    return handler


# Resolved once, when the handler list is imported: a misspelt handler fails at start-up.
HANDLERS: dict[Action, ButtonAction] = {action: resolve(action) for action in Action}


async def press_button(update: Update, context: HearingContext) -> None:
    """Handle any inline button: forged or stale data gets a polite notice and changes nothing."""
    query = update.callback_query
    if query is None:
        return
    t = context.t
    pid = context.services.participants.identify(query.from_user.id)
    try:
        pressed = decode(query.data)
        role = pressed.action.role
        if not _in_private(query) and role is not Role.MODERATOR:
            raise CodecError("only moderators' buttons work outside a private chat")
        # Checked at every press, from the settings: a button in an old message grants nothing.
        if role in _ROLES:
            allowed, refusal = _ROLES[role]
            if not allowed(context, query.from_user.id):
                await toast(query, t(refusal), alert=True)
                return
        await HANDLERS[pressed.action](query, context, pid, pressed)
    except CodecError:
        log.info("refused a button with invalid data")
        await toast(query, t("toast.invalid"), alert=True)
    except Refused as refusal:
        await toast(query, refusal_text(t, refusal), alert=True)


def _in_private(query: CallbackQuery) -> bool:
    return query.message is None or query.message.chat.type == ChatType.PRIVATE
