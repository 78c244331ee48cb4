"""Closing the loop: drafters reply to and decide on suggestions, and broadcast updates."""

from __future__ import annotations

from telegram import CallbackQuery, Update

from bot.hearing.broadcasts import MAX_BROADCAST_CHARS
from bot.hearing.responses import Decision, Notice
from bot.model.records import ResponseRecord, SuggestionRecord
from bot.model.values import Awaiting, Language
from bot.views.broadcasts import render_broadcast_confirm
from bot.views.codec import Action, Button
from bot.views.links import Links
from bot.views.responses import drafters_answer_notice, render_answer_prompt, render_review
from bot.views.texts import staff_html
from bot.views.ui import Rendered, Switch, Ui, keyboard, prompt
from handlers.context import HearingContext
from handlers.messaging import edit, remove_keyboard, send, toast
from handlers.roles import drafter_only, is_drafter

MERGE_ROW = 5


async def open_review(update: Update, context: HearingContext, suggestion_id: int) -> bool:
    """Answer a drafter's deep link from the digest; False (say nothing) for anyone else."""
    if update.effective_chat is None or update.effective_user is None:
        return False
    if update.effective_user.id not in context.services.settings.drafter_ids:
        return False
    s = context.services
    review = await s.follow.review(suggestion_id)
    await send(context, update.effective_chat.id,
               render_review(context.ui, review, s.settings.timezone))  # fmt: skip
    return True


# Every button below is for drafters only: the dispatcher checks the role before calling them.


async def ask_text(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Ask the drafter for a reply, or for the reason of a decline."""
    kind = Awaiting.REPLY if b.action is Action.REVIEW_REPLY else Awaiting.DECLINE_REASON
    await context.services.follow.await_text(pid, b.number("suggestion"), kind)
    key = "review.ask_reply" if kind is Awaiting.REPLY else "review.ask_reason"
    await toast(query)
    text = context.ui.t(key, id=b.number("suggestion"), title=context.ui.plan.title)
    await send(context, query.from_user.id, prompt(context.ui, text, kind))


async def adopt(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Mark a suggestion adopted and tell its author."""
    notice = await context.services.follow.respond(pid, b.number("suggestion"), Decision.ADOPTED)
    await remove_keyboard(query)
    await toast(query)
    await _tell(context, query.from_user.id, notice)


async def ask_merge(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Offer the items a suggestion can be merged into."""
    ui, sid = context.ui, b.number("suggestion")
    await context.services.follow.review(sid)
    buttons = [
        ui.button("button.item", Action.MERGE, sid, item.id, number=item.number)
        for item in ui.plan.items
    ]
    rows = [buttons[i : i + MERGE_ROW] for i in range(0, len(buttons), MERGE_ROW)]
    await toast(query)
    await send(
        context, query.from_user.id, Rendered(ui.t("review.ask_merge", id=sid), keyboard(*rows))
    )


async def merge(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Mark a suggestion merged into an item and tell its author."""
    notice = await context.services.follow.respond(
        pid, b.number("suggestion"), Decision.MERGED, b.text("item")
    )
    await remove_keyboard(query)
    await toast(query)
    await _tell(context, query.from_user.id, notice)


async def receive_drafter_text(update: Update, context: HearingContext, pid: str) -> bool:
    """Take a drafter's awaited reply, reason or broadcast text; False if none is awaited."""
    participant = await context.services.walkthrough.current(pid)
    kind, target = participant.awaiting, participant.awaiting_target
    if kind not in (Awaiting.REPLY, Awaiting.DECLINE_REASON, Awaiting.BROADCAST):
        return False
    message = update.effective_message
    if message is None or message.text is None:
        return True
    if not is_drafter(context, update.effective_user.id if update.effective_user else None):
        # No longer a drafter: the wait ends, and the text is handled as a citizen's.
        await context.services.walkthrough.leave_input(pid)
        return False
    s = context.services
    if kind == Awaiting.BROADCAST:
        # As the drafter formatted it in Telegram, and tags typed in it if they are valid.
        drafted = await s.broadcasts.draft(pid, staff_html(message.text_html))
        await send(context, message.chat_id, render_broadcast_confirm(context.ui, drafted))
        return True
    decision = Decision.REPLY if kind == Awaiting.REPLY else Decision.DECLINED
    notice = await s.follow.respond(pid, target or 0, decision, text=message.text)
    await _tell(context, message.chat_id, notice)
    return True


async def broadcast(update: Update, context: HearingContext) -> None:
    """Start writing an update to every participant."""
    if not await drafter_only(update, context) or update.effective_user is None:
        return
    s = context.services
    await s.broadcasts.request(s.participants.identify(update.effective_user.id))
    text = context.t("broadcast.ask", limit=MAX_BROADCAST_CHARS)
    await send(context, update.effective_user.id, prompt(context.ui, text, Awaiting.BROADCAST))


async def confirm_broadcast(
    query: CallbackQuery, context: HearingContext, pid: str, b: Button
) -> None:
    """Send (or cancel) the drafter's own drafted broadcast."""
    s = context.services
    if b.action is Action.BROADCAST_CANCEL:
        await s.broadcasts.cancel(pid, b.number("broadcast"))
        await edit(context, query, Rendered(context.t("broadcast.cancelled")))
        await toast(query)
        return
    count = await s.broadcasts.start(pid, b.number("broadcast"))
    # Before answering: the broadcast is committed whatever happens.
    context.senders.kick_broadcasts()
    await edit(context, query, Rendered(context.t.plural("broadcast.started", count)))
    await toast(query)


async def updates(update: Update, context: HearingContext) -> None:
    """Show whether the citizen receives the drafters' updates, with a button to change it."""
    if update.effective_user is None:
        return
    s = context.services
    wanted = await s.participants.wants_updates(s.participants.identify(update.effective_user.id))
    await send(context, update.effective_user.id, _updates_view(context.ui, wanted))


async def set_updates(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Turn the drafters' updates on or off."""
    wanted = b.action is Action.UPDATES_ON
    await context.services.participants.set_updates(pid, wanted)
    await edit(context, query, _updates_view(context.ui, wanted))
    await toast(query)


def _updates_view(ui: Ui, wanted: bool) -> Rendered:
    return UPDATES.view(ui, wanted)


UPDATES = Switch(
    "updates.on", "updates.off",
    ("updates.turn_on", Action.UPDATES_ON), ("updates.turn_off", Action.UPDATES_OFF),
)  # fmt: skip


async def _tell(context: HearingContext, drafter_chat: int, notice: Notice) -> None:
    """Tell the author what the drafter said or decided, then confirm to the drafter."""
    told = await context.senders.deliver_response(notice)
    key = "review.done" if told else "review.not_told"
    await send(context, drafter_chat, Rendered(context.ui.t(key, id=notice.suggestion.id)))


# The author's side: answering what a drafter said to them.


async def ask_author_answer(
    query: CallbackQuery, context: HearingContext, pid: str, b: Button
) -> None:
    """Make the author's next message their answer to a drafter's reply."""
    suggestion = await context.services.answers.ask(pid, b.number("response"))
    await toast(query, context.t("toast.write_now"))
    await send(context, query.from_user.id, render_answer_prompt(context.ui, suggestion))


async def receive_author_answer(update: Update, context: HearingContext, pid: str) -> bool:
    """Take an author's awaited answer and queue it for the drafters; False if none awaited."""
    s = context.services
    participant = await s.walkthrough.current(pid)
    message = update.effective_message
    if participant.awaiting != Awaiting.AUTHOR_ANSWER or message is None or message.text is None:
        return False
    links = Links(context.bot.username)

    def notice(
        suggestion: SuggestionRecord, reply: ResponseRecord, text: str, language: Language | None
    ) -> str:
        return drafters_answer_notice(s.texts_in(language), links, suggestion, reply, text)

    answered = await s.answers.answer(pid, message.text, notice)
    context.senders.kick_outbox()
    await send(
        context, message.chat_id, Rendered(context.t("answer.sent", id=answered.suggestion_id))
    )
    return True
