"""Moderators' queue and log, citizens' reports with a reason, and authors' second reviews."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Update
from telegram.error import TelegramError

from bot.hearing.moderation import Decided
from bot.model.records import SuggestionRecord
from bot.model.refusals import Refused
from bot.model.values import Language, ReportReason
from bot.views.cards import render_card
from bot.views.codec import Action, Button
from bot.views.moderation import (
    reason_keyboard,
    render_decided,
    render_queue_card,
    render_reason_choice,
    report_hidden_notice,
    unbanned_notice,
)
from bot.views.modlog import render_bans, render_log
from bot.views.ui import Rendered, Ui, refusal_text
from handlers.context import HearingContext
from handlers.messaging import edit, remove_keyboard, send, send_all, set_keyboard, toast
from handlers.roles import moderator_only

LOG_ENTRIES = 30

log = logging.getLogger(__name__)


async def queue(update: Update, context: HearingContext) -> None:
    """Give a moderator the next suggestion to decide on."""
    if not await moderator_only(update, context) or update.effective_user is None:
        return
    await _send_next(context, update.effective_user.id)


async def modlog(update: Update, context: HearingContext) -> None:
    """Show a moderator the latest decisions."""
    if not await moderator_only(update, context) or update.effective_user is None:
        return
    s = context.services
    entries = await s.moderation.log(LOG_ENTRIES)
    await send_all(context, update.effective_user.id,
                   render_log(context.t, entries, s.settings.timezone))  # fmt: skip


async def unban(update: Update, context: HearingContext) -> None:
    """Lift a ban (/unban TAG, the tag on the author's queue cards), or list the bans."""
    if not await moderator_only(update, context) or update.effective_user is None:
        return
    s, chat = context.services, update.effective_user.id
    if not context.args:
        await send(context, chat, render_bans(context.t, await s.bans.all(), s.settings.timezone))
        return
    moderator = s.participants.identify(chat)

    def notice(language: Language | None) -> str:
        return unbanned_notice(s.texts_in(language), s.plan_for(language).title)

    try:
        tag = await s.bans.unban(moderator, context.args[0], notice)
    except Refused as refusal:
        await send(context, chat, Rendered(refusal_text(context.t, refusal)))
        return
    context.senders.kick_outbox()
    await send(context, chat, Rendered(context.t("moderation.unbanned", tag=tag)))


async def alert_moderators(context: HearingContext, suggestion_id: int) -> None:
    """Post a newly flagged suggestion to the moderators' group chat, if there is one."""
    chat = context.services.settings.moderator_chat_id
    if chat is None:
        return
    card = await context.services.moderation.card(suggestion_id)
    try:
        # The group is shared: written in English whoever wrote the suggestion.
        await send(context, chat, render_queue_card(context.shared_ui, card))
    except TelegramError as exc:  # it waits in /queue all the same
        log.warning("the moderators' chat was not alerted: %s", type(exc).__name__)


# Every button below is for moderators only: the dispatcher checks the role before calling them.


async def approve(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Approve a suggestion: it is shown (again)."""
    decided = await context.services.moderation.approve(pid, b.number("suggestion"))
    await _after_decision(query, context, decided)


async def ask_reason(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Ask why the suggestion is hidden (or its author banned), in place of the card's buttons."""
    action = Action.MOD_HIDE if b.action is Action.MOD_HIDE_ASK else Action.MOD_BAN
    await context.services.moderation.card(b.number("suggestion"))
    key = "moderation.ask_hide" if action is Action.MOD_HIDE else "moderation.ask_ban"
    await toast(query, context.t(key))
    ui = _ui(context, query)
    await set_keyboard(query, render_reason_choice(ui, b.number("suggestion"), action))


async def back_to_card(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Show the card's own buttons again."""
    card = await context.services.moderation.card(b.number("suggestion"))
    await edit(context, query, render_queue_card(_ui(context, query), card))
    await toast(query)


async def hide(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Hide a suggestion for the chosen reason."""
    moderation = context.services.moderation
    decided = await moderation.hide(pid, b.number("suggestion"), ReportReason(b.text("reason")))
    await _after_decision(query, context, decided)


async def ban(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Hide a suggestion and all its author's pending ones, and refuse their new ones."""
    moderation = context.services.moderation
    decided = await moderation.ban(pid, b.number("suggestion"), ReportReason(b.text("reason")))
    await _after_decision(query, context, decided, banned=True)


async def skip(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Leave an item to the other moderators and take the next one."""
    await context.services.moderation.skip(pid, b.number("suggestion"))
    await remove_keyboard(query)
    await toast(query, context.t("moderation.skipped"))
    if _in_private(query):
        await _send_next(context, query.from_user.id)


async def _after_decision(
    query: CallbackQuery, context: HearingContext, decided: Decided, banned: bool = False
) -> None:
    """Confirm in place, tell the author, then (in private) offer the next item."""
    await edit(context, query, Rendered(render_decided(context.t, decided, banned)))
    await toast(query)
    if decided.notice is not None:
        await context.senders.tell_author(decided.notice)
    if _in_private(query):
        await _send_next(context, query.from_user.id)


async def _send_next(context: HearingContext, chat_id: int) -> None:
    s = context.services
    card = await s.moderation.next_card(s.participants.identify(chat_id))
    if card is None:
        await send(context, chat_id, Rendered(context.t("moderation.queue_empty")))
        return
    # In a moderator's private chat the card is in their language.
    await send(context, chat_id, render_queue_card(context.ui, card))


def _ui(context: HearingContext, query: CallbackQuery) -> Ui:
    """The moderator's own language in private; English in the shared moderators' group."""
    return context.ui if _in_private(query) else context.shared_ui


def _in_private(query: CallbackQuery) -> bool:
    message = query.message
    return message is None or message.chat.type == "private"


# Citizens' side: reporting with a reason, and asking for a second review.


async def ask_report_reason(
    query: CallbackQuery, context: HearingContext, pid: str, b: Button
) -> None:
    """Ask a citizen why they report a suggestion; nothing is recorded until they choose."""
    await context.services.deliberation.card(pid, b.number("suggestion"), b.number("shown"))
    args = (b.number("suggestion"), b.number("shown"))
    cancel = context.ui.button("report.cancel", Action.REPORT_CANCEL, *args)
    await toast(query, context.t("report.ask"))
    await set_keyboard(query, reason_keyboard(context.ui, Action.REPORT_REASON, args, cancel))


async def cancel_report(
    query: CallbackQuery, context: HearingContext, pid: str, b: Button
) -> None:
    """Put the card's voting buttons back."""
    card = await context.services.deliberation.card(pid, b.number("suggestion"), b.number("shown"))
    await edit(context, query, render_card(context.ui, card))
    await toast(query)


async def report(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Record a citizen's report and offer the next suggestion."""
    s = context.services

    def hidden_notice(suggestion: SuggestionRecord, language: Language | None) -> str:
        return report_hidden_notice(s.texts_in(language), s.plan_for(language).title, suggestion)

    following = await s.deliberation.report(
        pid, b.number("suggestion"), b.number("shown"), ReportReason(b.text("reason")),
        hidden_notice,
    )  # fmt: skip
    context.senders.kick_outbox()  # the author's notice, if the reports hid it
    await remove_keyboard(query)
    await toast(query, context.t("toast.reported"))
    if following is not None:
        await send(context, query.from_user.id, render_card(context.ui, following))


async def appeal(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Send the author's hidden suggestion back for a second review."""
    await context.services.moderation.appeal(pid, b.number("suggestion"))
    await remove_keyboard(query)
    await toast(query)
    await send(context, query.from_user.id, Rendered(context.t("moderation.appealed")))
