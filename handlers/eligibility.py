"""Opt-in eligibility: ask for the citizen's number, and check the contact they share."""

from __future__ import annotations

from telegram import Update

from bot.hearing.eligibility import Checked
from bot.views.eligibility import contact_keyboard, contact_request, keyboard_gone
from bot.views.walkthrough import render_welcome
from handlers import input
from handlers.context import HearingContext
from handlers.language import with_language_choice
from handlers.messaging import send


async def ask(update: Update, context: HearingContext) -> None:
    """Ask for the citizen's number before they take part (the guard calls this)."""
    code = context.services.eligibility.country_code or ""
    text, keyboard = contact_request(context.t, code)
    if update.callback_query is not None:
        await update.callback_query.answer()
    if update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=keyboard)


async def receive_contact(update: Update, context: HearingContext) -> None:
    """Check a shared contact; once eligible, welcome the citizen."""
    s = context.services
    message, user = update.effective_message, update.effective_user
    if message is None or message.contact is None or user is None:
        return
    if not s.eligibility.required:
        await input.receive_other(update, context)  # a contact is not text, as before
        return
    pid = s.participants.identify(user.id)
    contact = message.contact
    checked = await s.eligibility.check(pid, contact.user_id == user.id, contact.phone_number)
    code = s.eligibility.country_code or ""
    if checked is not Checked.VERIFIED:
        text = context.t(f"eligibility.{checked}", code=code)
        await context.bot.send_message(
            message.chat_id, text, reply_markup=contact_keyboard(context.t)
        )
        return
    await context.bot.send_message(
        message.chat_id, context.t("eligibility.verified"), reply_markup=keyboard_gone()
    )
    welcome = await s.walkthrough.welcome(pid)
    await send(
        context,
        message.chat_id,
        with_language_choice(context, render_welcome(context.ui, welcome)),
    )
