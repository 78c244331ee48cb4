"""Button presses: decode the data, call one service command, render the result."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, Update
from telegram.constants import ChatType

from bot.hearing.walkthrough import ItemView, Moved, View
from bot.model.refusals import Refused
from bot.model.values import NEW_ITEMS, Priority, Stance
from bot.views.cards import render_card, render_proposal_prompt, render_withdraw_question
from bot.views.codec import VOTES_BY_CODE, Action, Button, CodecError, decode
from bot.views.ui import Rendered, refusal_text
from bot.views.walkthrough import render_closed_item, render_item, render_items, render_view
from handlers import ask, language, moderation, privacy, responses, status, tracking
from handlers.context import HearingContext
from handlers.language import keep_shown_language
from handlers.messaging import edit, remove_keyboard, send, send_all, toast
from handlers.replies import send_submitted
from handlers.roles import is_drafter, is_moderator, is_tracker

log = logging.getLogger(__name__)

ButtonAction = Callable[[CallbackQuery, HearingContext, str, Button], Awaitable[None]]


async def press_button(update: Update, context: HearingContext) -> None:
    """Handle any inline button: forged or stale data gets a polite notice and changes nothing."""
    query = update.callback_query
    if query is None:
        return
    t = context.t
    pid = context.services.participants.identify(query.from_user.id)
    try:
        pressed = decode(query.data)
        if not _in_private(query) and pressed.action not in MODERATOR_ACTIONS:
            raise CodecError("only moderators' buttons work outside a private chat")
        if pressed.action in DRAFTER_ACTIONS and not is_drafter(context, query.from_user.id):
            await toast(query, t("roles.drafters_only"), alert=True)
            return
        if pressed.action in TRACKER_ACTIONS and not is_tracker(context, query.from_user.id):
            await toast(query, t("roles.trackers_only"), alert=True)
            return
        if pressed.action in MODERATOR_ACTIONS and not is_moderator(context, query.from_user.id):
            await toast(query, t("roles.moderators_only"), alert=True)
            return
        await _ACTIONS[pressed.action](query, context, pid, pressed)
    except CodecError:
        log.info("refused a button with invalid data")
        await toast(query, t("toast.invalid"), alert=True)
    except Refused as refusal:
        await toast(query, refusal_text(t, refusal), alert=True)


async def _begin(query: CallbackQuery, context: HearingContext, pid: str, _: Button) -> None:
    await keep_shown_language(context, pid)
    await _go_on(query, context, await context.services.walkthrough.begin(pid))


async def _restart(query: CallbackQuery, context: HearingContext, pid: str, _: Button) -> None:
    await keep_shown_language(context, pid)
    view = await context.services.walkthrough.begin(pid)
    await _go_on(query, context, view, context.t("welcome.start_over_note"))


async def _resume(query: CallbackQuery, context: HearingContext, pid: str, _: Button) -> None:
    await keep_shown_language(context, pid)
    await _go_on(query, context, await context.services.walkthrough.resume(pid))


async def _review(query: CallbackQuery, context: HearingContext, pid: str, _: Button) -> None:
    await keep_shown_language(context, pid)
    overview = await context.services.walkthrough.overview(pid)
    await toast(query)
    await send_all(context, query.from_user.id, render_items(context.ui, overview))


async def _stance(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    t = context.t
    view = await context.services.walkthrough.record_stance(pid, b.text(0), Stance(b.text(1)))
    await _step(query, context, view, t("toast.saved_stance", stance=t(f"stance.{b.text(1)}")))


async def _priority(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    s, t = context.services, context.t
    view = await s.walkthrough.record_priority(pid, b.text(0), Priority(b.text(1)))
    card = await s.deliberation.first_card(pid, view.item.id)
    notice = t("toast.saved_priority", priority=t(f"priority.{b.text(1)}"))
    await edit(context, query, render_item(context.ui, view, with_cards=card is not None))
    await toast(query, notice)
    if card is not None:
        await send(context, query.from_user.id, render_card(context.ui, card))


async def _suggest(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    view = await context.services.walkthrough.request_suggestion(pid, b.text(0))
    await _step(query, context, view, context.t("toast.write_now"))


async def _skip(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    await _move(query, context, await context.services.walkthrough.skip(pid, b.text(0)))


async def _back(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    await _move(query, context, await context.services.walkthrough.back(pid, b.text(0)))


async def _open(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    view = await context.services.walkthrough.open_item(pid, b.text(0))
    await toast(query)
    await send(context, query.from_user.id, render_view(context.ui, view))


async def _vote(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    t = context.t
    vote = VOTES_BY_CODE[b.text(1)]
    voted = await context.services.deliberation.cast_vote(pid, b.number(0), vote, b.number(2))
    await edit(context, query, render_card(context.ui, voted.card))
    await toast(query, t("toast.saved_vote", vote=t(f"vote.{vote}")))
    if voted.next is not None:
        await send(context, query.from_user.id, render_card(context.ui, voted.next))


async def _agree_instead(
    query: CallbackQuery, context: HearingContext, pid: str, b: Button
) -> None:
    result = await context.services.submissions.agree_instead(pid, b.number(0), b.number(1))
    await remove_keyboard(query)
    await toast(query)
    await send_submitted(context, query.from_user.id, result, "")


async def _post_anyway(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    posted = await context.services.submissions.post(pid, b.number(0))
    await remove_keyboard(query)
    await toast(query)
    await send_submitted(context, query.from_user.id, posted, posted.text)


async def _withdraw(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    suggestion = await context.services.deliberation.own(pid, b.number(0))
    await toast(query)
    question = render_withdraw_question(context.ui, suggestion.id, suggestion.text)
    await send(context, query.from_user.id, question)


async def _withdraw_confirmed(
    query: CallbackQuery, context: HearingContext, pid: str, b: Button
) -> None:
    await context.services.deliberation.withdraw(pid, b.number(0))
    await edit(context, query, Rendered(context.t("withdraw.done")))
    await toast(query)


async def _propose(query: CallbackQuery, context: HearingContext, pid: str, _: Button) -> None:
    await context.services.deliberation.request_proposal(pid)
    await toast(query, context.t("toast.write_now"))
    await send(context, query.from_user.id, render_proposal_prompt(context.ui))


async def _vote_proposals(
    query: CallbackQuery, context: HearingContext, pid: str, _: Button
) -> None:
    card = await context.services.deliberation.first_card(pid, NEW_ITEMS)
    await toast(query)
    if card is None:
        await send(context, query.from_user.id, Rendered(context.ui.t("card.none_left")))
    else:
        await send(context, query.from_user.id, render_card(context.ui, card))


async def _go_on(
    query: CallbackQuery, context: HearingContext, view: View, notice: str | None = None
) -> None:
    """Retire the pressed message's buttons and send what comes next."""
    await remove_keyboard(query)
    await toast(query, notice)
    await send(context, query.from_user.id, render_view(context.ui, view))


async def _step(
    query: CallbackQuery, context: HearingContext, view: ItemView, notice: str
) -> None:
    """Show the next step of the same item in the pressed message."""
    await edit(context, query, render_item(context.ui, view))
    await toast(query, notice)


async def _move(query: CallbackQuery, context: HearingContext, moved: Moved) -> None:
    """Close the item the citizen left (answer shown, no buttons) and send the next one."""
    await edit(context, query, render_closed_item(context.ui, moved.closed))
    await toast(query)
    await send(context, query.from_user.id, render_view(context.ui, moved.next))


def _in_private(query: CallbackQuery) -> bool:
    return query.message is None or query.message.chat.type == ChatType.PRIVATE


# Checked at every press, from the settings: a button in an old message grants nothing.
DRAFTER_ACTIONS = frozenset({
    Action.REVIEW_REPLY, Action.ADOPT, Action.MERGE_ASK, Action.MERGE, Action.DECLINE,
    Action.BROADCAST_SEND, Action.BROADCAST_CANCEL, Action.ASK_SEND, Action.ASK_CANCEL,
})  # fmt: skip
# Drafters and the oversight committee set items' tracking; neither role edits the plan's text.
TRACKER_ACTIONS = frozenset({
    Action.TRACK_OPEN, Action.TRACK_STATUS_ASK, Action.TRACK_STATUS, Action.TRACK_FIELD,
    Action.TRACK_METRIC_ASK, Action.TRACK_METRIC, Action.TRACK_HISTORY,
})  # fmt: skip
MODERATOR_ACTIONS = frozenset({
    Action.MOD_APPROVE, Action.MOD_HIDE_ASK, Action.MOD_HIDE, Action.MOD_BAN_ASK, Action.MOD_BAN,
    Action.MOD_SKIP, Action.MOD_BACK,
})  # fmt: skip

_ACTIONS: dict[Action, ButtonAction] = {
    Action.BEGIN: _begin,
    Action.RESTART: _restart,
    Action.RESUME: _resume,
    Action.REVIEW: _review,
    Action.STANCE: _stance,
    Action.PRIORITY: _priority,
    Action.SUGGEST: _suggest,
    Action.SKIP: _skip,
    Action.BACK: _back,
    Action.OPEN: _open,
    Action.VOTE: _vote,
    Action.REPORT: moderation.ask_report_reason,
    Action.REPORT_REASON: moderation.report,
    Action.REPORT_CANCEL: moderation.cancel_report,
    Action.APPEAL: moderation.appeal,
    Action.MOD_APPROVE: moderation.approve,
    Action.MOD_HIDE_ASK: moderation.ask_reason,
    Action.MOD_BAN_ASK: moderation.ask_reason,
    Action.MOD_HIDE: moderation.hide,
    Action.MOD_BAN: moderation.ban,
    Action.MOD_SKIP: moderation.skip,
    Action.MOD_BACK: moderation.back_to_card,
    Action.AGREE_INSTEAD: _agree_instead,
    Action.POST_ANYWAY: _post_anyway,
    Action.WITHDRAW: _withdraw,
    Action.WITHDRAW_CONFIRMED: _withdraw_confirmed,
    Action.PROPOSE: _propose,
    Action.VOTE_PROPOSALS: _vote_proposals,
    Action.REVIEW_REPLY: responses.ask_text,
    Action.DECLINE: responses.ask_text,
    Action.ADOPT: responses.adopt,
    Action.MERGE_ASK: responses.ask_merge,
    Action.MERGE: responses.merge,
    Action.BROADCAST_SEND: responses.confirm_broadcast,
    Action.BROADCAST_CANCEL: responses.confirm_broadcast,
    Action.UPDATES_ON: responses.set_updates,
    Action.UPDATES_OFF: responses.set_updates,
    Action.ERASE: privacy.erase,
    Action.ERASE_KEEP: privacy.keep,
    Action.TRACK_OPEN: tracking.open_card,
    Action.TRACK_STATUS_ASK: tracking.ask_status,
    Action.TRACK_STATUS: tracking.set_status,
    Action.TRACK_FIELD: tracking.ask_text,
    Action.TRACK_METRIC_ASK: tracking.ask_metric,
    Action.TRACK_METRIC: tracking.ask_value,
    Action.TRACK_HISTORY: tracking.show_history,
    Action.STATUS_ITEM: status.open_item,
    Action.FOLLOW: status.follow,
    Action.UNFOLLOW: status.follow,
    Action.FOLLOW_HIGH: status.follow_high,
    Action.FOLLOW_UPS_ON: status.set_consent,
    Action.FOLLOW_UPS_OFF: status.set_consent,
    Action.FOLLOW_UPS_ACCEPT: status.accept_from_summary,
    Action.ASK_SEND: ask.confirm,
    Action.ASK_CANCEL: ask.confirm,
    Action.ANSWER: ask.start_answer,
    Action.LANGUAGE: language.choose_language,
}
