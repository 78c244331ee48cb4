"""Messages that are not commands: suggestion text, and everything a citizen might send."""

from __future__ import annotations

from telegram import Update

from bot.hearing.refusals import Refused
from bot.hearing.values import Step
from handlers.commands import start
from handlers.context import HearingContext
from handlers.messaging import send
from handlers.views import Rendered, render_view


async def receive_text(update: Update, context: HearingContext) -> None:
    """Take text as a suggestion when one is awaited; otherwise point back to the buttons."""
    message = update.effective_message
    if message is None or message.text is None or update.effective_user is None:
        return
    s = context.services
    t = s.texts
    pid = s.participants.identify(update.effective_user.id)
    participant = await s.walkthrough.current(pid)
    limit = s.settings.suggestion_max_chars
    if participant.step == Step.SUGGESTION_TEXT:
        try:
            saved = await s.walkthrough.submit_suggestion(pid, message.text)
        except Refused as refusal:
            await send(
                context, message.chat_id, Rendered(t(f"refused.{refusal.code}", **refusal.values))
            )
            return
        text = t("suggestion.saved", number=saved.item.number, text=message.text.strip())
        await send(context, message.chat_id, Rendered(text))
        await send(context, message.chat_id, render_view(t, saved.next, limit))
    elif participant.step in (Step.WELCOME, Step.FINISHED):
        await start(update, context)
    else:
        await send(context, message.chat_id, Rendered(t("input.use_buttons")))
        await send(
            context, message.chat_id, render_view(t, await s.walkthrough.resume(pid), limit)
        )


async def receive_other(update: Update, context: HearingContext) -> None:
    """Answer stickers, photos, voice notes and the like: only text can be read."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    s = context.services
    pid = s.participants.identify(update.effective_user.id)
    participant = await s.walkthrough.current(pid)
    if participant.step == Step.SUGGESTION_TEXT and participant.current_item:
        text = s.texts("input.text_only_suggestion", number=participant.current_item)
    else:
        text = s.texts("input.text_only")
    await send(context, message.chat_id, Rendered(text))


async def receive_edit(update: Update, context: HearingContext) -> None:
    """Explain that edits are not picked up; nothing changes."""
    message = update.effective_message
    if message is not None:
        await send(context, message.chat_id, Rendered(context.services.texts("input.edited")))
