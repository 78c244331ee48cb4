"""Follow-up questions: `/ask ITEM SEGMENT QUESTION` (drafters); citizens answer with a button."""

from __future__ import annotations

from telegram import CallbackQuery, Update

from bot.hearing.follow_up_questions import Segment
from bot.model.refusals import Refused
from bot.model.values import Awaiting
from bot.views.codec import Action, Button
from bot.views.reports import question_message
from bot.views.ui import Rendered, keyboard, prompt, refusal_text
from handlers.context import HearingContext
from handlers.messaging import edit, remove_keyboard, send, toast
from handlers.roles import drafter_only


async def ask(update: Update, context: HearingContext) -> None:
    """Draft a question to a segment and show its audience before it is sent."""
    message = update.effective_message
    if not await drafter_only(update, context) or message is None or message.text is None:
        return
    s, ui = context.services, context.ui
    parts = message.text.split(maxsplit=3)
    if len(parts) < 4 or parts[2].lower() not in set(Segment):
        await send(context, message.chat_id, Rendered(ui.t("ask.usage")))
        return
    pid = s.participants.identify(message.from_user.id if message.from_user else 0)
    try:
        drafted = await s.follow_ups.draft(pid, parts[1], Segment(parts[2].lower()), parts[3])
    except Refused as refusal:
        await send(context, message.chat_id, Rendered(refusal_text(context.t, refusal)))
        return
    q = drafted.question
    text = ui.t("ask.confirm", audience=q.audience, number=q.item_id,
                segment=ui.t(f"ask.segment_{q.segment}"), text=q.text)  # fmt: skip
    buttons = [ui.button("ask.send", Action.ASK_SEND, q.id),
               ui.button("ask.cancel", Action.ASK_CANCEL, q.id)]  # fmt: skip
    await send(context, message.chat_id, Rendered(text, keyboard(buttons)))


async def confirm(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Send (or cancel) the drafter's own question (the dispatcher checks the drafter role)."""
    s = context.services
    if b.action is Action.ASK_CANCEL:
        await s.follow_ups.cancel(pid, b.number("question"))
        await edit(context, query, Rendered(context.t("ask.cancelled")))
        await toast(query)
        return
    count = await s.follow_ups.send(
        pid,
        b.number("question"),
        lambda q, lang: question_message(s.texts_in(lang), s.plan_for(lang).title, q),
    )
    context.senders.kick_outbox()
    await edit(context, query, Rendered(context.t.plural("ask.sent", count)))
    await toast(query)


async def start_answer(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Make the citizen's next message their answer to a question they received."""
    question = await context.services.follow_ups.await_answer(pid, b.number("question"))
    await remove_keyboard(query)
    await toast(query)
    text = context.ui.t("ask.write_answer", number=question.item_id,
                        limit=context.services.settings.suggestion_max_chars)  # fmt: skip
    await send(context, query.from_user.id, prompt(context.ui, text, Awaiting.FOLLOW_UP_ANSWER))


async def receive_answer(update: Update, context: HearingContext, pid: str) -> bool:
    """Take an awaited answer to a follow-up question; False if none is awaited."""
    s = context.services
    participant = await s.walkthrough.current(pid)
    message = update.effective_message
    if participant.awaiting != Awaiting.FOLLOW_UP_ANSWER or message is None:
        return False
    if message.text is None or participant.awaiting_target is None:
        return True
    try:
        answered = await s.follow_ups.answer(pid, participant.awaiting_target, message.text)
    except Refused as refusal:
        await send(context, message.chat_id, Rendered(refusal_text(context.t, refusal)))
        return True
    key = "ask.answer_held" if answered.held else "ask.answer_saved"
    await send(context, message.chat_id, Rendered(context.t(key, number=answered.item_id)))
    return True
