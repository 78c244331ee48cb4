"""Slash commands: /start (with deep links), /items, /mine, /propose, /help, unknown ones."""

from __future__ import annotations

from telegram import Update

from bot.model.refusals import Refused
from bot.views.cards import render_card, render_mine, render_proposal_prompt
from bot.views.links import parse_start
from bot.views.menu import render_help
from bot.views.ui import Rendered, refusal_text
from bot.views.walkthrough import render_items, render_view, render_welcome
from handlers import responses
from handlers.context import HearingContext
from handlers.language import LinkTarget, linked_welcome, with_language_choice
from handlers.messaging import send, send_all
from handlers.roles import is_drafter, is_moderator, is_oversight


async def start(update: Update, context: HearingContext) -> None:
    """Welcome a citizen, offer to continue, or open what a deep link points to."""
    s = context.services
    chat_id, pid = _chat_id(update), s.participants.identify(_user_id(update))
    link = parse_start(context.args[0] if context.args else None)
    try:
        if link is not None and link.item_id is not None:
            item = s.walkthrough.top_item(link.item_id)
            if await _needs_welcome(context, pid):  # a short welcome and the language first
                await send(context, chat_id, linked_welcome(context, LinkTarget(item=item)))
                return
            view = await s.walkthrough.open_linked(pid, item.id)
            await send(context, chat_id, render_view(context.ui, view))
            return
        if (
            link is not None
            and link.review_id is not None
            and await responses.open_review(update, context, link.review_id)
        ):
            return
        if link is not None and link.suggestion_id is not None:
            card = await s.deliberation.card(pid, link.suggestion_id)
            if await _needs_welcome(context, pid):
                target = LinkTarget(suggestion_id=card.suggestion.id)
                await send(context, chat_id, linked_welcome(context, target))
                return
            await send(context, chat_id, render_card(context.ui, card))
            return
    except Refused as refusal:
        await send(context, chat_id, Rendered(refusal_text(context.t, refusal)))
    welcome = await s.walkthrough.welcome(pid)
    await send(
        context, chat_id, with_language_choice(context, render_welcome(context.ui, welcome))
    )


async def _needs_welcome(context: HearingContext, pid: str) -> bool:
    """Tell whether a shared link should welcome the citizen first: never for one who went on
    past a welcome already (their language is then chosen), though they have not begun."""
    return not context.language_chosen and await context.services.walkthrough.is_new(pid)


async def list_items(update: Update, context: HearingContext) -> None:
    """List every item with the citizen's answers, with buttons to jump to one."""
    s = context.services
    overview = await s.walkthrough.overview(s.participants.identify(_user_id(update)))
    await send_all(context, _chat_id(update), render_items(context.ui, overview))


async def show_mine(update: Update, context: HearingContext) -> None:
    """Show what the citizen answered, and their suggestions with votes and withdraw buttons."""
    s = context.services
    pid = s.participants.identify(_user_id(update))
    overview = await s.walkthrough.overview(pid)
    own = await s.deliberation.mine(pid)
    await send_all(context, _chat_id(update), render_mine(context.ui, overview, own))


async def propose(update: Update, context: HearingContext) -> None:
    """Ask for a proposal for an item the plan lacks."""
    s = context.services
    await s.deliberation.request_proposal(s.participants.identify(_user_id(update)))
    await send(context, _chat_id(update), render_proposal_prompt(context.ui))


async def show_help(update: Update, context: HearingContext) -> None:
    """Explain how the hearing works and list the commands."""
    user = _user_id(update)
    roles = {
        "drafters": is_drafter(context, user),
        "moderators": is_moderator(context, user),
        "oversight": is_oversight(context, user) and not is_drafter(context, user),
    }
    await send(context, _chat_id(update), render_help(context.t, roles))


async def unknown_command(update: Update, context: HearingContext) -> None:
    """Answer a command the bot does not have."""
    text = context.t("input.unknown_command")
    await send(context, _chat_id(update), Rendered(text))


def _user_id(update: Update) -> int:
    if update.effective_user is None:
        raise ValueError("update without a user")
    return update.effective_user.id


def _chat_id(update: Update) -> int:
    if update.effective_chat is None:
        raise ValueError("update without a chat")
    return update.effective_chat.id
