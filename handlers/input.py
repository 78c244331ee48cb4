"""Messages that are not commands: suggestion text, and everything a citizen might send."""

from __future__ import annotations

from telegram import Update

from bot.model.refusals import Refused
from bot.model.values import Awaiting, Step
from bot.views.ui import Rendered, refusal_text
from bot.views.walkthrough import render_view
from handlers import ask, responses, tracking
from handlers.commands import start
from handlers.context import HearingContext
from handlers.messaging import send
from handlers.replies import send_submitted


async def receive_text(update: Update, context: HearingContext) -> None:
    """Take text as a suggestion or proposal when one is awaited; else point to the buttons."""
    message = update.effective_message
    if message is None or message.text is None or update.effective_user is None:
        return
    s, t = context.services, context.t
    pid = s.participants.identify(update.effective_user.id)
    try:
        if await responses.receive_drafter_text(update, context, pid):
            return
        if await tracking.receive_text(update, context, pid):
            return
        if await ask.receive_answer(update, context, pid):
            return
        if await responses.receive_author_answer(update, context, pid):
            return
    except Refused as refusal:
        await send(context, message.chat_id, Rendered(refusal_text(t, refusal)))
        return
    if await s.submissions.expects_text(pid):
        try:
            result = await s.submissions.submit(pid, message.text)
        except Refused as refusal:
            text = refusal_text(t, refusal)
            await send(context, message.chat_id, Rendered(text))
            return
        await send_submitted(context, message.chat_id, result)
        return
    participant = await s.walkthrough.current(pid)
    if participant.step in (Step.WELCOME, Step.FINISHED):
        await start(update, context)
        return
    await send(context, message.chat_id, Rendered(t("input.use_buttons")))
    await send(context, message.chat_id, render_view(context.ui, await s.walkthrough.resume(pid)))


async def receive_other(update: Update, context: HearingContext) -> None:
    """Answer stickers, photos, voice notes and the like: only text can be read."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    s = context.services
    participant = await s.walkthrough.current(s.participants.identify(update.effective_user.id))
    if participant.awaiting == Awaiting.PROPOSAL:
        text = context.t("input.text_only_proposal")
    elif participant.step == Step.SUGGESTION_TEXT and participant.current_item:
        text = context.t("input.text_only_suggestion", number=participant.current_item)
    else:
        text = context.t("input.text_only")
    await send(context, message.chat_id, Rendered(text))


async def receive_edit(update: Update, context: HearingContext) -> None:
    """Explain that edits are not picked up; nothing changes."""
    message = update.effective_message
    if message is not None:
        await send(context, message.chat_id, Rendered(context.t("input.edited")))
