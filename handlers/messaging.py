"""Sending and editing rendered messages, tolerating Telegram's harmless refusals."""

from __future__ import annotations

import asyncio

from telegram import CallbackQuery, InlineKeyboardMarkup, Message
from telegram.error import BadRequest

from bot.views.texts import strip_html
from bot.views.walkthrough import Rendered
from handlers.context import HearingContext

TOAST_LIMIT = 200
# Old messages (over 48 hours) and deleted ones cannot be edited: the update is sent anew.
_UNEDITABLE = ("message to edit not found", "message can't be edited")


async def send(context: HearingContext, chat_id: int, rendered: Rendered) -> Message:
    """Send a rendered message to a chat."""
    return await context.bot.send_message(chat_id, rendered.text, reply_markup=rendered.markup)


async def send_all(context: HearingContext, chat_id: int, pages: list[Rendered]) -> None:
    """Send several rendered messages in order."""
    for page in pages:
        await send(context, chat_id, page)


async def edit(context: HearingContext, query: CallbackQuery, rendered: Rendered) -> None:
    """Replace the pressed message with a new rendering, or send it if it cannot be edited."""
    message = query.message
    if not isinstance(message, Message):
        await send(context, query.from_user.id, rendered)
        return
    try:
        await message.edit_text(rendered.text, reply_markup=rendered.markup)
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return
        if any(reason in exc.message.lower() for reason in _UNEDITABLE):
            await send(context, message.chat.id, rendered)
            return
        raise


async def remove_keyboard(query: CallbackQuery) -> None:
    """Take the buttons off the pressed message once one of them was used."""
    if isinstance(query.message, Message) and query.message.reply_markup:
        await set_keyboard(query, None)


async def set_keyboard(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    """Replace the pressed message's buttons, keeping its text; a second press changes nothing."""
    if not isinstance(query.message, Message):
        return
    try:
        # python-telegram-bot adds the default parse_mode to every call it sends like a message,
        # this one too, which has no such parameter; a None here keeps it out of the request.
        await query.message.edit_reply_markup(reply_markup=markup, api_kwargs={"parse_mode": None})
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


async def toast(query: CallbackQuery, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button press, optionally with a short plain-text notice."""
    if text is None:
        await query.answer()
        return
    plain = strip_html(text)
    if len(plain) > TOAST_LIMIT:
        plain = plain[: TOAST_LIMIT - 1] + "…"
    await query.answer(plain, show_alert=alert)


async def edit_and_toast(
    context: HearingContext, query: CallbackQuery, rendered: Rendered, notice: str | None = None
) -> None:
    """Edit the pressed message and answer the press at once: neither waits for the other."""
    await asyncio.gather(edit(context, query, rendered), toast(query, notice))
