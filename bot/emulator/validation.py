"""Telegram's limits and shape checks for texts, keyboards, commands and callback answers."""

from __future__ import annotations

import re
from typing import Any

from .errors import ApiError, bad_request
from .markup import HtmlError, parse_html, utf16_len

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_ANSWER_TEXT = 200
MAX_BUTTONS = 100
BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
    "web_app",
)
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
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_URL = re.compile(r"(https?|tg)://\S+", re.IGNORECASE)


def formatted(
    text: str | None, parse_mode: str | None, entities: Any, *, caption: bool = False
) -> tuple[str, list[dict[str, Any]]]:
    """Parse text as Telegram does and enforce the length limit; return (plain, entities)."""
    raw = text or ""
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            plain, found = parse_html(raw)
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
    """Validate an InlineKeyboardMarkup; return it, or None for any other kind of markup."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('can\'t parse inline keyboard: field "inline_keyboard" must be an Array')
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    for row in rows:
        for button in row:
            _button(button)
    return markup


def _button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not button["text"]:
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [key for key in BUTTON_ACTIONS if key in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not _URL.fullmatch(str(button["url"])):
        raise bad_request("BUTTON_URL_INVALID")


def commands(value: Any) -> list[dict[str, str]]:
    """Validate the commands list of setMyCommands."""
    if not isinstance(value, list):
        raise bad_request("can't parse commands JSON object")
    if len(value) > 100:
        raise bad_request("too many commands")
    for item in value:
        if not isinstance(item, dict) or not _COMMAND.fullmatch(str(item.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(item.get("description", ""))) <= 256:
            raise bad_request("command description is empty or too long")
    return [{"command": item["command"], "description": item["description"]} for item in value]


def chat_action(action: str | None) -> None:
    """Reject chat actions Telegram does not know."""
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")


def answer_text(text: str | None) -> None:
    """Enforce the 200-character limit on callback answer texts."""
    if text is not None and utf16_len(text) > MAX_ANSWER_TEXT:
        raise bad_request("message is too long")


def require(value: Any, error: ApiError) -> Any:
    """Return value, or raise error when it is None."""
    if value is None:
        raise error
    return value
