"""Button presses: decode the data, call one walkthrough command, render the result."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, Update

from bot.hearing.refusals import Refused
from bot.hearing.values import Priority, Stance
from handlers.codec import Action, Button, CodecError, decode
from handlers.context import HearingContext
from handlers.messaging import edit, remove_keyboard, send, send_all, toast
from handlers.views import render_closed_item, render_item, render_items, render_view

log = logging.getLogger(__name__)

ButtonAction = Callable[[CallbackQuery, HearingContext, str, Button], Awaitable[None]]


async def press_button(update: Update, context: HearingContext) -> None:
    """Handle any inline button: forged or stale data gets a polite notice and changes nothing."""
    query = update.callback_query
    if query is None:
        return
    t = context.services.texts
    try:
        pressed = decode(query.data)
    except CodecError:
        log.info("refused a button with invalid data")
        await toast(query, t("toast.invalid"), alert=True)
        return
    pid = context.services.participants.identify(query.from_user.id)
    try:
        await _ACTIONS[pressed.action](query, context, pid, pressed)
    except Refused as refusal:
        await toast(query, t(f"refused.{refusal.code}", **refusal.values), alert=True)


async def _begin(query: CallbackQuery, context: HearingContext, pid: str, _: Button) -> None:
    s = context.services
    view = await s.walkthrough.begin(pid)
    await remove_keyboard(query)
    await toast(query)
    await send(context, query.from_user.id, render_item(s.texts, view, _limit(context)))


async def _restart(query: CallbackQuery, context: HearingContext, pid: str, _: Button) -> None:
    s = context.services
    view = await s.walkthrough.begin(pid)
    await remove_keyboard(query)
    await toast(query, s.texts("welcome.start_over_note"))
    await send(context, query.from_user.id, render_item(s.texts, view, _limit(context)))


async def _resume(query: CallbackQuery, context: HearingContext, pid: str, _: Button) -> None:
    s = context.services
    view = await s.walkthrough.resume(pid)
    await remove_keyboard(query)
    await toast(query)
    await send(context, query.from_user.id, render_view(s.texts, view, _limit(context)))


async def _review(query: CallbackQuery, context: HearingContext, pid: str, _: Button) -> None:
    s = context.services
    overview = await s.walkthrough.overview(pid)
    await toast(query)
    await send_all(context, query.from_user.id, render_items(s.texts, s.plan, overview))


async def _stance(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    s = context.services
    view = await s.walkthrough.record_stance(pid, _item(b), Stance(_value(b)))
    await edit(context, query, render_item(s.texts, view, _limit(context)))
    await toast(query, s.texts("toast.saved_stance", stance=s.texts(f"stance.{b.value}")))


async def _priority(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    s = context.services
    view = await s.walkthrough.record_priority(pid, _item(b), Priority(_value(b)))
    await edit(context, query, render_item(s.texts, view, _limit(context)))
    await toast(query, s.texts("toast.saved_priority", priority=s.texts(f"priority.{b.value}")))


async def _suggest(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    s = context.services
    view = await s.walkthrough.request_suggestion(pid, _item(b))
    await edit(context, query, render_item(s.texts, view, _limit(context)))
    await toast(query, s.texts("toast.write_now"))


async def _skip(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    s = context.services
    moved = await s.walkthrough.skip(pid, _item(b))
    await edit(context, query, render_closed_item(s.texts, moved.closed))
    await toast(query)
    await send(context, query.from_user.id, render_view(s.texts, moved.next, _limit(context)))


async def _back(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    s = context.services
    moved = await s.walkthrough.back(pid, _item(b))
    await edit(context, query, render_closed_item(s.texts, moved.closed))
    await toast(query)
    await send(context, query.from_user.id, render_view(s.texts, moved.next, _limit(context)))


async def _open(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    s = context.services
    view = await s.walkthrough.open_item(pid, _item(b))
    await toast(query)
    await send(context, query.from_user.id, render_item(s.texts, view, _limit(context)))


def _item(pressed: Button) -> str:
    if pressed.item_id is None:
        raise CodecError("button without an item")
    return pressed.item_id


def _value(pressed: Button) -> str:
    if pressed.value is None:
        raise CodecError("button without a value")
    return pressed.value


def _limit(context: HearingContext) -> int:
    return context.services.settings.suggestion_max_chars


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
}
