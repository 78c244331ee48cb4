"""For citizens after the hearing: /status, following items, and consent to follow-up questions."""

from __future__ import annotations

from telegram import CallbackQuery, Update

from bot.model.refusals import Refusal, Refused
from bot.views.codec import Action, Button
from bot.views.tracking import render_status, render_status_item
from bot.views.ui import Rendered, Switch, Ui
from handlers.context import HearingContext
from handlers.messaging import edit, send, send_all, toast


async def show_status(update: Update, context: HearingContext) -> None:
    """Show every item's status, deadline and progress toward its targets."""
    if update.effective_chat is None:
        return
    s = context.services
    tracked = await s.tracking.all()
    pages = render_status(context.ui, tracked, s.today())
    await send_all(context, update.effective_chat.id, pages)


async def open_item(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Show one item's tracking, offering to follow it."""
    page = await _item_page(context, pid, b.text("item"))
    await toast(query)
    await send(context, query.from_user.id, page)


async def follow(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Follow an item, or stop following it, and show its page again."""
    s = context.services
    if b.action is Action.FOLLOW:
        await s.following.follow(pid, [b.text("item")])
        notice = context.t("follow.followed", number=b.text("item"))
    else:
        await s.following.unfollow(pid, b.text("item"))
        notice = context.t("follow.unfollowed", number=b.text("item"))
    await edit(context, query, await _item_page(context, pid, b.text("item")))
    await toast(query, notice)


async def follow_high(query: CallbackQuery, context: HearingContext, pid: str, _: Button) -> None:
    """Follow every item the citizen marked high priority (offered at the walkthrough's end)."""
    s = context.services
    high = [item.id for item in (await s.walkthrough.overview(pid)).high_priority()]
    if not high:
        raise Refused(Refusal.NOTHING_TO_FOLLOW)
    await s.following.follow(pid, high)
    await toast(query)
    text = context.t("follow.followed_high", items=", ".join(high))
    await send(context, query.from_user.id, Rendered(text))


async def _item_page(context: HearingContext, pid: str, item_id: str) -> Rendered:
    s, plan = context.services, context.ui.plan
    index = plan.index_of(item_id)
    if index is None:
        raise Refused(Refusal.UNKNOWN_ITEM)
    item = plan.items[index]
    tracking = await s.tracking.get(item.id)
    following = item.id in await s.following.followed(pid)
    return render_status_item(context.ui, item, tracking, s.today(), following)


async def follow_ups(update: Update, context: HearingContext) -> None:
    """Show whether the citizen accepts follow-up questions, with a button to change it."""
    if update.effective_user is None:
        return
    s = context.services
    accepted = await s.follow_ups.consent(s.participants.identify(update.effective_user.id))
    await send(context, update.effective_user.id, consent_view(context.ui, accepted))


async def set_consent(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    """Accept or refuse follow-up questions."""
    accepted = b.action is Action.FOLLOW_UPS_ON
    await context.services.follow_ups.set_consent(pid, accepted)
    await edit(context, query, consent_view(context.ui, accepted))
    await toast(query)


async def accept_from_summary(
    query: CallbackQuery, context: HearingContext, pid: str, _: Button
) -> None:
    """Accept follow-up questions from the walkthrough's summary, which stays as it is."""
    await context.services.follow_ups.set_consent(pid, True)
    await toast(query)
    await send(context, query.from_user.id, consent_view(context.ui, True))


def consent_view(ui: Ui, accepted: bool) -> Rendered:
    """Say whether follow-up questions are accepted, with the button that changes it."""
    return FOLLOW_UPS.view(ui, accepted)


FOLLOW_UPS = Switch(
    "follow_ups.on", "follow_ups.off",
    ("follow_ups.turn_on", Action.FOLLOW_UPS_ON), ("follow_ups.turn_off", Action.FOLLOW_UPS_OFF),
)  # fmt: skip
