"""Button presses: decode the data, call one walkthrough command, render the result."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, Update

from bot.hearing.refusals import Refused
from bot.hearing.values import Priority, Stance
from bot.hearing.walkthrough import ItemView, Moved, View
from handlers.codec import Action, Button, CodecError, decode
from handlers.context import HearingContext
from handlers.messaging import edit, remove_keyboard, send, send_all, toast
from handlers.views import Rendered, render_closed_item, render_items, render_view

log = logging.getLogger(__name__)

ButtonAction = Callable[[CallbackQuery, HearingContext, str, Button], Awaitable[None]]


async def press_button(update: Update, context: HearingContext) -> None:
    """Handle any inline button: forged or stale data gets a polite notice and changes nothing."""
    query = update.callback_query
    if query is None:
        return
    t = context.services.texts
    pid = context.services.participants.identify(query.from_user.id)
    try:
        pressed = decode(query.data)
        await _ACTIONS[pressed.action](query, context, pid, pressed)
    except CodecError:
        log.info("refused a button with invalid data")
        await toast(query, t("toast.invalid"), alert=True)
    except Refused as refusal:
        await toast(query, t(f"refused.{refusal.code}", **refusal.values), alert=True)


async def _begin(query: CallbackQuery, context: HearingContext, pid: str, _: Button) -> None:
    await _go_on(query, context, await context.services.walkthrough.begin(pid))


async def _restart(query: CallbackQuery, context: HearingContext, pid: str, _: Button) -> None:
    view = await context.services.walkthrough.begin(pid)
    await _go_on(query, context, view, context.services.texts("welcome.start_over_note"))


async def _resume(query: CallbackQuery, context: HearingContext, pid: str, _: Button) -> None:
    await _go_on(query, context, await context.services.walkthrough.resume(pid))


async def _review(query: CallbackQuery, context: HearingContext, pid: str, _: Button) -> None:
    s = context.services
    overview = await s.walkthrough.overview(pid)
    await toast(query)
    await send_all(context, query.from_user.id, render_items(s.texts, s.plan, overview))


async def _stance(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    t = context.services.texts
    view = await context.services.walkthrough.record_stance(pid, _item(b), Stance(_value(b)))
    await _step(query, context, view, t("toast.saved_stance", stance=t(f"stance.{b.value}")))


async def _priority(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    t = context.services.texts
    view = await context.services.walkthrough.record_priority(pid, _item(b), Priority(_value(b)))
    notice = t("toast.saved_priority", priority=t(f"priority.{b.value}"))
    await _step(query, context, view, notice)


async def _suggest(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    view = await context.services.walkthrough.request_suggestion(pid, _item(b))
    await _step(query, context, view, context.services.texts("toast.write_now"))


async def _skip(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    await _move(query, context, await context.services.walkthrough.skip(pid, _item(b)))


async def _back(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    await _move(query, context, await context.services.walkthrough.back(pid, _item(b)))


async def _open(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    view = await context.services.walkthrough.open_item(pid, _item(b))
    await toast(query)
    await send(context, query.from_user.id, _render(context, view))


async def _go_on(
    query: CallbackQuery, context: HearingContext, view: View, notice: str | None = None
) -> None:
    """Retire the pressed message's buttons and send what comes next."""
    await remove_keyboard(query)
    await toast(query, notice)
    await send(context, query.from_user.id, _render(context, view))


async def _step(
    query: CallbackQuery, context: HearingContext, view: ItemView, notice: str
) -> None:
    """Show the next step of the same item in the pressed message."""
    await edit(context, query, _render(context, view))
    await toast(query, notice)


async def _move(query: CallbackQuery, context: HearingContext, moved: Moved) -> None:
    """Close the item the citizen left (answer shown, no buttons) and send the next one."""
    await edit(context, query, render_closed_item(context.services.texts, moved.closed))
    await toast(query)
    await send(context, query.from_user.id, _render(context, moved.next))


def _render(context: HearingContext, view: View) -> Rendered:
    s = context.services
    return render_view(s.texts, view, s.settings.suggestion_max_chars)


def _item(pressed: Button) -> str:
    if pressed.item_id is None:
        raise CodecError("button without an item")
    return pressed.item_id


def _value(pressed: Button) -> str:
    if pressed.value is None:
        raise CodecError("button without a value")
    return pressed.value


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
