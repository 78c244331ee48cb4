"""Tracking in Telegram: a guided flow with buttons for one item (drafters and overseers)."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Update

from bot.hearing.plan import Item
from bot.hearing.tracking import TELEGRAM
from bot.model.refusals import Refusal, Refused
from bot.model.tracking import Change, TrackingStatus
from bot.model.values import Awaiting
from bot.views.codec import Action, Button
from bot.views.tracking import (
    render_history,
    render_item_picker,
    render_metric_picker,
    render_status_picker,
    render_tracking_card,
)
from bot.views.ui import Rendered, prompt, refusal_text
from handlers.context import HearingContext
from handlers.messaging import edit, send, send_all, toast
from handlers.roles import is_tracker, tracker_only

log = logging.getLogger(__name__)

_PROMPTS = {
    "responsible": "tracking.ask_responsible",
    "deadline": "tracking.ask_deadline",
    "metric_new": "tracking.ask_metric_new",
}


def _item(context: HearingContext, item_id: str) -> Item:
    plan = context.ui.plan
    index = plan.index_of(item_id)
    if index is None:
        raise Refused(Refusal.UNKNOWN_ITEM)
    return plan.items[index]


async def track(update: Update, context: HearingContext) -> None:
    """Start the tracking flow: `/track` offers the items, `/track 18` opens one."""
    if not await tracker_only(update, context) or update.effective_chat is None:
        return
    chat = update.effective_chat.id
    if context.args:
        try:
            item = _item(context, context.args[0])
        except Refused as refusal:
            await send(context, chat, Rendered(refusal_text(context.t, refusal)))
            return
        await send(context, chat, await _card(context, item))
        return
    await send(context, chat, render_item_picker(context.ui, Action.TRACK_OPEN, "tracking.pick"))


async def _card(context: HearingContext, item: Item) -> Rendered:
    s = context.services
    tracking = await s.tracking.get(item.id)
    return render_tracking_card(context.ui, item, tracking, s.today())


# The buttons below are for drafters and overseers: the dispatcher checks the role first.


async def open_card(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Show an item's tracking with what can be set."""
    item = _item(context, b.text("item"))
    await toast(query)
    await send(context, query.from_user.id, await _card(context, item))


async def ask_status(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Offer the statuses for an item."""
    item = _item(context, b.text("item"))
    await toast(query)
    await send(context, query.from_user.id, render_status_picker(context.ui, item))


async def set_status(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Set an item's status and show its card again."""
    s = context.services
    item = _item(context, b.text("item"))
    status = TrackingStatus(b.text("status"))
    await s.tracking.change([Change(item.id, "status", status.value)], pid, TELEGRAM, s.clock())
    await edit(context, query, await _card(context, item))
    await toast(query, context.t("tracking.saved"))
    await _after_change(context)


async def ask_text(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Ask for the responsible body, the deadline or a new metric as the next message."""
    item = _item(context, b.text("item"))
    await context.services.tracking.await_text(pid, item.id, b.text("field"), None)
    await toast(query)
    text = context.ui.t(_PROMPTS[b.text("field")], number=item.number)
    await send(context, query.from_user.id, prompt(context.ui, text, Awaiting.TRACKING))


async def ask_metric(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Offer an item's metrics, to record a new value of one."""
    item = _item(context, b.text("item"))
    tracking = await context.services.tracking.get(item.id)
    await toast(query)
    picker = render_metric_picker(context.ui, item, tracking.metrics)
    await send(context, query.from_user.id, picker)


async def ask_value(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Ask for a metric's new value as the next message."""
    s = context.services
    item = _item(context, b.text("item"))
    metrics = (await s.tracking.get(item.id)).metrics
    if b.number("metric") >= len(metrics):
        raise Refused(Refusal.UNKNOWN_METRIC, name="")
    metric = metrics[b.number("metric")]
    await s.tracking.await_text(pid, item.id, "metric_value", metric.name)
    await toast(query)
    text = context.ui.t("tracking.ask_value", name=metric.name, unit=metric.unit,
                        number=item.number)  # fmt: skip
    await send(context, query.from_user.id, prompt(context.ui, text, Awaiting.TRACKING))


async def show_history(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Show every change of an item's tracking: who, when, before and after."""
    s = context.services
    item = _item(context, b.text("item"))
    rows = await s.tracking.history(item.id)
    await toast(query)
    history = render_history(context.ui, item, rows, s.settings.timezone)
    await send_all(context, query.from_user.id, history)


async def receive_text(update: Update, context: HearingContext, pid: str) -> bool:
    """Take an awaited tracking value; False if none is awaited."""
    s = context.services
    participant = await s.walkthrough.current(pid)
    message = update.effective_message
    if participant.awaiting != Awaiting.TRACKING or message is None or message.text is None:
        return False
    if not is_tracker(context, update.effective_user.id if update.effective_user else None):
        await s.walkthrough.leave_input(pid)  # no longer a tracker: handled as a citizen's
        return False
    try:
        received = await s.tracking.receive_text(pid, message.text, s.clock(), s.today())
    except Refused as refusal:
        text = refusal_text(context.t, refusal)
        again = context.t("tracking.try_again")
        await send(context, message.chat_id, Rendered(f"{text}\n{again}"))
        return True
    saved = "tracking.saved_past_deadline" if received.past_deadline else "tracking.saved"
    await send(context, message.chat_id, Rendered(context.t(saved)))
    await send(context, message.chat_id, await _card(context, _item(context, received.item_id)))
    await _after_change(context)
    return True


async def _after_change(context: HearingContext) -> None:
    # Followers not told today hear of it now; the others with tomorrow's batch.
    try:
        await context.senders.notify_followers()
    except Exception:  # the change is saved; the hourly job gathers the batches again
        log.exception("gathering the followers' notices after a change failed")
