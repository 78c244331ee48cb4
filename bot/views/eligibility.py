"""Asking a citizen for their phone number with Telegram's own contact button."""

from __future__ import annotations

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.views.texts import Html, Texts


def contact_keyboard(t: Texts) -> ReplyKeyboardMarkup:
    """Build the one button that shares the citizen's own number (never typed by hand)."""
    button = KeyboardButton(t.plain("eligibility.button"), request_contact=True)
    return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)


def contact_request(t: Texts, code: str) -> tuple[Html, ReplyKeyboardMarkup]:
    """Explain why the hearing asks for a number, and offer the button."""
    return t("eligibility.ask", code=code), contact_keyboard(t)


def keyboard_gone() -> ReplyKeyboardRemove:
    """Take the contact button away once the number was checked."""
    return ReplyKeyboardRemove()
