"""Telegram's rules the spec check leaves to each method: parsed texts and keyboards, commands.

The spec check (conformance.py) has already vetted every call's parameters against the Bot API
specification when a method runs; what is here needs the method's context (the text after
entities parsing) or is a rule Telegram enforces without stating it in the spec.
"""

from __future__ import annotations

import re
from typing import Any

from . import apispec, conformance
from .errors import ApiError, bad_request
from .markup import HtmlError, parse_html, utf16_len

# The spec's limits after entities parsing (tests/test_apispec.py holds them to it).
MAX_TEXT = 4096
MAX_CAPTION = 1024
# Limits the spec states only in prose, or not at all.
MAX_BUTTONS = 100
MAX_COMMANDS = 100
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
_URL = re.compile(r"(https?|tg)://\S+", re.IGNORECASE)


def formatted(
    text: str | None,
    parse_mode: str | None,
    entities: Any,
    *,
    caption: bool = False,
    warnings: list[str] | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """Parse text as Telegram does and enforce the length limit; return (plain, entities)."""
    raw = text or ""
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            plain, found = parse_html(raw, warnings)
        except HtmlError as err:
            raise bad_request(f"can't parse entities: {err}") from err
    elif mode:
        # Only HTML is implemented; failing loudly beats accepting unparsed Markdown.
        raise bad_request(f"unsupported parse_mode {parse_mode!r} (the emulator implements HTML)")
    else:
        plain, found = raw, list(entities or [])
    if caption:
        if utf16_len(plain) > MAX_CAPTION:
            raise bad_request("message caption is too long")
    elif not plain.strip():
        raise bad_request("message text is empty")
    elif utf16_len(plain) > MAX_TEXT:
        raise bad_request("message is too long")
    return plain, found


def inline_keyboard(markup: Any) -> dict[str, Any] | None:
    """Return an InlineKeyboardMarkup after Telegram's unstated checks; None for other markup."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return None
    buttons = [button for row in markup["inline_keyboard"] for button in row]
    if len(buttons) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    for button in buttons:
        if not button["text"]:
            raise bad_request("BUTTON_TEXT_INVALID")
        if "url" in button and not _URL.fullmatch(str(button["url"])):
            raise bad_request("BUTTON_URL_INVALID")
    return markup


def commands(value: Any) -> list[dict[str, str]]:
    """Validate the commands list of setMyCommands against the spec; return it, shaped."""
    if not isinstance(value, list):
        raise bad_request("can't parse commands JSON object")
    conformance.check_value(apispec.load(), "setMyCommands", "commands", value)
    if len(value) > MAX_COMMANDS:
        raise bad_request("too many commands")
    return [{"command": item["command"], "description": item["description"]} for item in value]


def chat_action(action: str | None) -> None:
    """Reject chat actions Telegram does not know."""
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")


def answer_text(text: str | None) -> None:
    """Enforce the spec's limit on callback answer texts."""
    conformance.check_value(apispec.load(), "answerCallbackQuery", "text", text)


def require(value: Any, error: ApiError) -> Any:
    """Return value, or raise error when it is None."""
    if value is None:
        raise error
    return value
