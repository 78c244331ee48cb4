"""Slash commands: /start, /items, /mine, /help, and unknown ones."""

from __future__ import annotations

from telegram import Update

from handlers.context import HearingContext
from handlers.messaging import send, send_all
from handlers.views import Rendered, render_items, render_mine, render_welcome

COMMANDS = ("start", "items", "mine", "help")


async def start(update: Update, context: HearingContext) -> None:
    """Welcome a citizen, or offer to continue where they stopped."""
    s = context.services
    chat_id = _chat_id(update)
    welcome = await s.walkthrough.welcome(s.participants.identify(_user_id(update)))
    await send(context, chat_id, render_welcome(s.texts, s.plan, welcome))


async def list_items(update: Update, context: HearingContext) -> None:
    """List every item with the citizen's answers, with buttons to jump to one."""
    s = context.services
    overview = await s.walkthrough.overview(s.participants.identify(_user_id(update)))
    await send_all(context, _chat_id(update), render_items(s.texts, s.plan, overview))


async def show_mine(update: Update, context: HearingContext) -> None:
    """Show everything the citizen has answered and suggested."""
    s = context.services
    overview = await s.walkthrough.overview(s.participants.identify(_user_id(update)))
    await send_all(context, _chat_id(update), render_mine(s.texts, s.plan, overview))


async def show_help(update: Update, context: HearingContext) -> None:
    """Explain how the hearing works and list the commands."""
    await send(context, _chat_id(update), Rendered(context.services.texts("help.text")))


async def unknown_command(update: Update, context: HearingContext) -> None:
    """Answer a command the bot does not have."""
    text = context.services.texts("input.unknown_command")
    await send(context, _chat_id(update), Rendered(text))


def _user_id(update: Update) -> int:
    if update.effective_user is None:
        raise ValueError("update without a user")
    return update.effective_user.id


def _chat_id(update: Update) -> int:
    if update.effective_chat is None:
        raise ValueError("update without a chat")
    return update.effective_chat.id
