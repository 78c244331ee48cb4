"""Replies shared by several handlers: what follows a submitted suggestion or proposal."""

from __future__ import annotations

from bot.hearing.submissions import AgreedInstead, Posted, Similar, Submitted
from bot.hearing.walkthrough import Finished
from bot.views.cards import render_posted, render_similar
from bot.views.moderation import render_held
from bot.views.ui import Rendered
from bot.views.walkthrough import render_view
from handlers.context import HearingContext
from handlers.groups import show_at_end
from handlers.messaging import send
from handlers.moderation import alert_moderators


async def send_submitted(
    context: HearingContext, chat_id: int, result: Submitted | AgreedInstead
) -> None:
    """Confirm a submission (or show its near-duplicates), then what comes next."""
    ui = context.ui
    if isinstance(result, Similar):
        await send(context, chat_id, render_similar(ui, result))
        return
    if isinstance(result, Posted):
        number = result.item.number if result.item is not None else None
        await send(context, chat_id, render_posted(ui, number, result.text))
        if result.replaced is not None:
            await send(context, chat_id, Rendered(ui.t("moderation.replaced", id=result.replaced)))
        if result.held:
            await send(context, chat_id, render_held(ui, result))
            await alert_moderators(context, result.suggestion_id)
    else:
        key = "suggestion.agreed_already" if result.already else "suggestion.agreed_instead"
        await send(context, chat_id, Rendered(ui.t(key)))
    if result.next is not None:
        await send(context, chat_id, render_view(ui, result.next))
    if isinstance(result.next, Finished):
        # A private chat's id is its citizen's Telegram id (the guard admits no other chats).
        await show_at_end(context, chat_id, context.services.participants.identify(chat_id))
