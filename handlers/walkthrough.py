"""Citizens' buttons in the walkthrough and deliberation: one service call, then the view."""

from __future__ import annotations

from telegram import CallbackQuery

from bot.hearing.deliberation import NoProposals
from bot.hearing.walkthrough import Finished, ItemView, Moved, View
from bot.model.values import Awaiting, Priority, Stance
from bot.views.cards import (
    render_card,
    render_no_proposals,
    render_proposal_prompt,
    render_withdraw_question,
)
from bot.views.codec import VOTES_BY_CODE, Button
from bot.views.moderation import render_correction_prompt
from bot.views.sub_items import render_sub_items
from bot.views.ui import Rendered
from bot.views.walkthrough import render_closed_item, render_item, render_items, render_view
from handlers.context import HearingContext
from handlers.groups import show_at_end
from handlers.language import keep_shown_language
from handlers.messaging import edit, edit_and_toast, remove_keyboard, send, send_all, toast
from handlers.replies import send_submitted


async def begin(query: CallbackQuery, context: HearingContext, pid: str, _: Button) -> None:
    await keep_shown_language(context, pid)
    await _go_on(query, context, await context.services.walkthrough.begin(pid))


async def open_linked_item(
    query: CallbackQuery, context: HearingContext, pid: str, b: Button
) -> None:
    walkthrough = context.services.walkthrough
    item = walkthrough.top_item(b.text("item"))  # refused before anything is kept
    await keep_shown_language(context, pid)
    await _go_on(query, context, await walkthrough.open_linked(pid, item.id))


async def open_linked_suggestion(
    query: CallbackQuery, context: HearingContext, pid: str, b: Button
) -> None:
    card = await context.services.deliberation.card(pid, b.number("suggestion"))
    await keep_shown_language(context, pid)
    await remove_keyboard(query)
    await toast(query)
    await send(context, query.from_user.id, render_card(context.ui, card))


async def restart(query: CallbackQuery, context: HearingContext, pid: str, _: Button) -> None:
    await keep_shown_language(context, pid)
    view = await context.services.walkthrough.begin(pid)
    await _go_on(query, context, view, context.t("welcome.start_over_note"))


async def resume(query: CallbackQuery, context: HearingContext, pid: str, _: Button) -> None:
    await keep_shown_language(context, pid)
    await _go_on(query, context, await context.services.walkthrough.resume(pid))


async def review(query: CallbackQuery, context: HearingContext, pid: str, _: Button) -> None:
    await keep_shown_language(context, pid)
    overview = await context.services.walkthrough.overview(pid)
    await toast(query)
    await send_all(context, query.from_user.id, render_items(context.ui, overview))


async def stance(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    t = context.t
    view = await context.services.walkthrough.record_stance(
        pid, b.text("item"), Stance(b.text("stance"))
    )
    await _step(
        query, context, view, t("toast.saved_stance", stance=t(f"stance.{b.text('stance')}"))
    )


async def priority(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    s, t = context.services, context.t
    view = await s.walkthrough.record_priority(pid, b.text("item"), Priority(b.text("priority")))
    card = await s.deliberation.first_card(pid, view.item.id)
    notice = t("toast.saved_priority", priority=t(f"priority.{b.text('priority')}"))
    await edit_and_toast(
        context, query, render_item(context.ui, view, with_cards=card is not None), notice
    )
    if card is not None:
        await send(context, query.from_user.id, render_card(context.ui, card))


async def suggest(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    view = await context.services.walkthrough.request_suggestion(pid, b.text("item"))
    await _step(query, context, view, context.t("toast.write_now"))


async def skip(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    await _move(query, context, pid, await context.services.walkthrough.skip(pid, b.text("item")))


async def back(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    moved = await context.services.walkthrough.back(pid, b.text("item"))
    if isinstance(moved, ItemView):  # at a suggestion's prompt, Back cancels it
        await _step(query, context, moved, context.t("toast.cancelled"))
    else:
        await _move(query, context, pid, moved)


async def cancel_suggestion(
    query: CallbackQuery, context: HearingContext, pid: str, b: Button
) -> None:
    view = await context.services.walkthrough.cancel_suggestion(pid, b.text("item"))
    await _step(query, context, view, context.t("toast.cancelled"))


async def cancel_input(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    cancelled = await context.services.walkthrough.cancel_input(pid, Awaiting(b.text("awaiting")))
    if cancelled:
        await edit(context, query, Rendered(context.t("input.cancelled")))
        await toast(query, context.t("toast.cancelled"))
    else:  # sent already, or cancelled another way: the prompt's button is retired
        await remove_keyboard(query)
        await toast(query, context.t("toast.nothing_to_cancel"))


async def open_item(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    view = await context.services.walkthrough.open_item(pid, b.text("item"))
    await toast(query)
    await send(context, query.from_user.id, render_view(context.ui, view))


async def vote(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    t = context.t
    vote = VOTES_BY_CODE[b.text("vote")]
    voted = await context.services.deliberation.cast_vote(
        pid, b.number("suggestion"), vote, b.number("shown")
    )
    await edit_and_toast(
        context,
        query,
        render_card(context.ui, voted.card),
        t("toast.saved_vote", vote=t(f"vote.{vote}")),
    )
    if voted.next is not None:
        await send(context, query.from_user.id, render_card(context.ui, voted.next))


async def agree_instead(
    query: CallbackQuery, context: HearingContext, pid: str, b: Button
) -> None:
    result = await context.services.submissions.agree_instead(
        pid, b.number("draft"), b.number("suggestion")
    )
    await remove_keyboard(query)
    await toast(query)
    await send_submitted(context, query.from_user.id, result)


async def post_anyway(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    posted = await context.services.submissions.post(pid, b.number("draft"))
    await remove_keyboard(query)
    await toast(query)
    await send_submitted(context, query.from_user.id, posted)


async def withdraw(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    suggestion = await context.services.deliberation.own(pid, b.number("suggestion"))
    await toast(query)
    question = render_withdraw_question(context.ui, suggestion.id, suggestion.text)
    await send(context, query.from_user.id, question)


async def withdraw_confirmed(
    query: CallbackQuery, context: HearingContext, pid: str, b: Button
) -> None:
    await context.services.deliberation.withdraw(pid, b.number("suggestion"))
    await edit_and_toast(context, query, Rendered(context.t("withdraw.done")))


async def correct_held(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    correcting = await context.services.submissions.correct(pid, b.number("suggestion"))
    await toast(query, context.t("toast.write_now"))
    await send(context, query.from_user.id, render_correction_prompt(context.ui, correcting))


async def withdraw_kept(
    query: CallbackQuery, context: HearingContext, pid: str, b: Button
) -> None:
    await context.services.deliberation.own(pid, b.number("suggestion"))
    await edit(context, query, Rendered(context.t("withdraw.kept")))
    await toast(query)


async def propose(query: CallbackQuery, context: HearingContext, pid: str, _: Button) -> None:
    await context.services.deliberation.request_proposal(pid)
    await toast(query, context.t("toast.write_now"))
    await send(context, query.from_user.id, render_proposal_prompt(context.ui))


async def vote_proposals(
    query: CallbackQuery, context: HearingContext, pid: str, _: Button
) -> None:
    card = await context.services.deliberation.proposal_card(pid)
    await toast(query)
    if isinstance(card, NoProposals):
        await send(context, query.from_user.id, render_no_proposals(context.ui, card))
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
    await edit_and_toast(context, query, render_item(context.ui, view), notice)


async def _move(query: CallbackQuery, context: HearingContext, pid: str, moved: Moved) -> None:
    """Close the item the citizen left (answer shown, no buttons) and send the next one."""
    await edit_and_toast(context, query, render_closed_item(context.ui, moved.closed))
    await send(context, query.from_user.id, render_view(context.ui, moved.next))
    if isinstance(moved.next, Finished):
        await show_at_end(context, query.from_user.id, pid)


async def open_sub_items(
    query: CallbackQuery, context: HearingContext, pid: str, b: Button
) -> None:
    view = await context.services.sub_items.show(pid, b.text("item"))
    await toast(query)
    await send(context, query.from_user.id, render_sub_items(context.ui, view))


async def sub_stance(query: CallbackQuery, context: HearingContext, pid: str, b: Button) -> None:
    stance = Stance(b.text("stance"))
    view = await context.services.sub_items.record(pid, b.text("sub_item"), stance)
    await edit(context, query, render_sub_items(context.ui, view))
    await toast(query, context.t("toast.saved_stance", stance=context.t(f"stance.{stance}")))


async def sub_items_done(
    query: CallbackQuery, context: HearingContext, pid: str, b: Button
) -> None:
    view = await context.services.sub_items.show(pid, b.text("item"))
    await edit(context, query, render_sub_items(context.ui, view, done=True))
    await toast(query)
