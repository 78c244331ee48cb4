"""Choosing the hearing's language: offered with the first welcome, and by /language."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import (
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import TelegramError

from bot.hearing.plan import Item
from bot.model.values import Language
from bot.views.codec import Action, Button
from bot.views.menu import command_menu
from bot.views.texts import load_texts
from bot.views.ui import Rendered, Ui
from bot.views.walkthrough import render_linked_welcome, render_welcome
from handlers.context import HearingContext
from handlers.messaging import edit, send, toast

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinkTarget:
    """What a shared link points to, for the short welcome a newcomer sees first."""

    item: Item | None = None
    suggestion_id: int | None = None


def language_row(
    context: HearingContext, target: LinkTarget | None = None
) -> list[InlineKeyboardButton]:
    """Build one button per language, each named in its own language, the current one first."""
    ordered = sorted(Language, key=lambda language: language != context.language)
    base, buttons = context.ui, []
    for language in ordered:
        ui = Ui(load_texts(language), base.links, base.plan, base.limit)
        name = ui.t.plain("language.name")
        label = "language.current" if language == context.language else "language.name"
        args: tuple[object, ...]
        if target is not None and target.item is not None:
            action, args = Action.LANGUAGE_ITEM, (language.value, target.item.id)
        elif target is not None:
            action, args = Action.LANGUAGE_SUGGESTION, (language.value, target.suggestion_id)
        else:
            action, args = Action.LANGUAGE, (language.value,)
        buttons.append(ui.button(label, action, *args, name=name))
    return buttons


def with_language_choice(
    context: HearingContext, rendered: Rendered, target: LinkTarget | None = None
) -> Rendered:
    """Add the language buttons under a message, while the participant has not chosen one."""
    if context.language_chosen:
        return rendered
    rows = list(rendered.markup.inline_keyboard) if rendered.markup else []
    return Rendered(rendered.text, InlineKeyboardMarkup([*rows, language_row(context, target)]))


def linked_welcome(context: HearingContext, target: LinkTarget) -> Rendered:
    """The short welcome for a newcomer who followed a shared link, with the language choice."""
    rendered = render_linked_welcome(context.ui, target.item, target.suggestion_id)
    return with_language_choice(context, rendered, target)


async def ask_language(update: Update, context: HearingContext) -> None:
    """Answer /language: the question, in the current language, with a button per language."""
    if update.effective_chat is None:
        return
    markup = InlineKeyboardMarkup([language_row(context)])
    await send(context, update.effective_chat.id, Rendered(context.t("language.ask"), markup))


async def choose_language(
    query: CallbackQuery, context: HearingContext, pid: str, b: Button
) -> None:
    """Record the chosen language and show the welcome again in it, where they were."""
    s, language = context.services, Language(b.text("language"))
    # A short welcome after a link is shown again; its item is checked before anything changes.
    item = s.walkthrough.top_item(b.text("item")) if b.action is Action.LANGUAGE_ITEM else None
    await s.participants.set_language(pid, language)
    context.language, context.language_chosen = language, True
    await toast(query, context.t("language.chosen"))
    if item is not None:
        await edit(context, query, render_linked_welcome(context.ui, item, None))
    elif b.action is Action.LANGUAGE_SUGGESTION:
        await edit(context, query, render_linked_welcome(context.ui, None, b.number("suggestion")))
    else:
        welcome = await s.walkthrough.welcome(pid)
        await edit(context, query, render_welcome(context.ui, welcome))
    await _set_menu(context, query.from_user.id)


async def keep_shown_language(context: HearingContext, pid: str) -> None:
    """Take the language the welcome was shown in as chosen once the citizen goes on in it."""
    if not context.language_chosen:
        await context.services.participants.set_language(pid, context.language)
        context.language_chosen = True


async def _set_menu(context: HearingContext, chat_id: int) -> None:
    """Describe the commands in this chat's menu in the chosen language."""
    try:
        await context.bot.set_my_commands(
            command_menu(context.t), scope=BotCommandScopeChat(chat_id)
        )
    except TelegramError as exc:  # the menu is a convenience: the language is chosen anyway
        log.info("the chat's command menu was not set: %s", type(exc).__name__)
