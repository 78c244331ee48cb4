"""Bot API methods that write to chats: send, edit, delete, answer callbacks, chat actions."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from . import validation
from .errors import NOT_MODIFIED, QUERY_TOO_OLD, bad_request
from .methods_bot import method
from .models import Chat, SentMessage, StoredFile
from .params import Params, Upload
from .shapes import bot_message, stored_file_of
from .state import CALLBACK_QUERY_LIFETIME, World

IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


def _is_html(parse_mode: str | None) -> bool:
    return (parse_mode or "").lower() == "html"


def _check_reply(world: World, chat: Chat, p: Params) -> None:
    reply = p.structured("reply_parameters") or {}
    message_id = reply.get("message_id") or p.integer("reply_to_message_id")
    allowed = reply.get("allow_sending_without_reply") or p.flag("allow_sending_without_reply")
    if message_id and not allowed and not world.exists(chat.id, int(message_id)):
        raise bad_request("message to be replied not found")


def _record(world: World, chat: Chat, message: SentMessage) -> dict[str, Any]:
    world.sent[chat.id].append(message)
    world.notify()
    return bot_message(message, chat, world.bot)


@method
async def send_message(world: World, p: Params) -> Any:
    """Send a text message, parsed and validated as Telegram does."""
    chat = world.target(p.values.get("chat_id"))
    text, parse_mode = p.text("text"), p.text("parse_mode")
    plain, entities = validation.formatted(
        text, parse_mode, p.structured("entities"), warnings=p.warnings
    )
    markup = p.structured("reply_markup")
    inline = validation.inline_keyboard(markup)
    _check_reply(world, chat, p)
    message = SentMessage(
        message_id=chat.next_message_id(),
        chat_id=chat.id,
        text=plain,
        caption=None,
        parse_mode=parse_mode,
        reply_markup=inline,
        html=text if _is_html(parse_mode) else None,
        entities=entities,
        reply_keyboard=markup if markup is not None and inline is None else None,
        date=world.now(),
    )
    return _record(world, chat, message)


def _editable(world: World, p: Params) -> tuple[Chat, SentMessage]:
    if p.text("inline_message_id"):
        raise bad_request("inline messages are not supported by the emulator")
    chat = world.target(p.values.get("chat_id"))
    message_id = p.integer("message_id")
    message = world.find_sent(chat.id, message_id or 0)
    if message is None:
        if (chat.id, message_id) in world.user_messages:
            raise bad_request("message can't be edited")
        raise bad_request("message to edit not found")
    return chat, message


def _edited(world: World, chat: Chat, message: SentMessage) -> dict[str, Any]:
    message.edits += 1
    message.edit_date = world.now()
    world.notify()
    return bot_message(message, chat, world.bot)


@method
async def edit_message_text(world: World, p: Params) -> Any:
    """Replace a message's text and keyboard; an omitted reply_markup removes the keyboard."""
    chat, message = _editable(world, p)
    if message.kind != "text":
        raise bad_request("there is no text in the message to edit")
    text, parse_mode = p.text("text"), p.text("parse_mode")
    plain, entities = validation.formatted(
        text, parse_mode, p.structured("entities"), warnings=p.warnings
    )
    inline = validation.inline_keyboard(p.structured("reply_markup"))
    if (plain, entities, inline) == (message.text, message.entities, message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    message.text, message.entities, message.reply_markup = plain, entities, inline
    message.parse_mode, message.html = parse_mode, text if _is_html(parse_mode) else None
    return _edited(world, chat, message)


@method
async def edit_message_reply_markup(world: World, p: Params) -> Any:
    """Replace (or, when omitted, remove) a message's inline keyboard."""
    chat, message = _editable(world, p)
    inline = validation.inline_keyboard(p.structured("reply_markup"))
    if inline == message.reply_markup:
        raise bad_request(NOT_MODIFIED)
    message.reply_markup = inline
    return _edited(world, chat, message)


@method
async def delete_message(world: World, p: Params) -> Any:
    """Delete a bot message or a user's message in the chat."""
    chat = world.target(p.values.get("chat_id"))
    message_id = p.integer("message_id") or 0
    message = world.find_sent(chat.id, message_id)
    if message is not None:
        message.deleted = True
    elif world.user_messages.pop((chat.id, message_id), None) is None:
        raise bad_request("message to delete not found")
    world.notify()
    return True


@method
async def answer_callback_query(world: World, p: Params) -> Any:
    """Answer a callback query once, within Telegram's 15-minute window."""
    validation.answer_text(p.text("text"))
    query_id = p.text("callback_query_id") or ""
    query = world.queries.get(query_id)
    if query is None or query.answered or world.clock() - query.created > CALLBACK_QUERY_LIFETIME:
        raise bad_request(QUERY_TOO_OLD)
    query.answered = True
    world.callback_answers[query_id] = p.logged()
    world.notify()
    return True


@method
async def send_chat_action(world: World, p: Params) -> Any:
    """Accept a typing (or similar) indicator for a chat."""
    world.target(p.values.get("chat_id"))
    validation.chat_action(p.text("action"))
    return True


@method
async def send_photo(world: World, p: Params) -> Any:
    """Send an uploaded image, or one given by file_id or URL."""
    return _send_file(world, p, "photo")


@method
async def send_document(world: World, p: Params) -> Any:
    """Send an uploaded file, or one given by file_id or URL."""
    return _send_file(world, p, "document")


def _send_file(world: World, p: Params, kind: str) -> dict[str, Any]:
    chat = world.target(p.values.get("chat_id"))
    stored = _resolve_file(world, p.file(kind), kind)
    if kind == "photo" and stored.data is not None and not _looks_like_image(stored.data):
        raise bad_request("IMAGE_PROCESS_FAILED")
    caption, parse_mode = p.text("caption"), p.text("parse_mode")
    plain, entities = validation.formatted(
        caption, parse_mode, p.structured("caption_entities"), caption=True, warnings=p.warnings
    )
    markup = p.structured("reply_markup")
    inline = validation.inline_keyboard(markup)
    _check_reply(world, chat, p)
    message = SentMessage(
        message_id=chat.next_message_id(),
        chat_id=chat.id,
        text=None,
        caption=plain or None,
        parse_mode=parse_mode,
        reply_markup=inline,
        kind=kind,
        file_name=stored.file_name,
        file_bytes=stored.data,
        html=caption if _is_html(parse_mode) else None,
        entities=entities if plain else [],
        reply_keyboard=markup if markup is not None and inline is None else None,
        file_id=stored.file_id or None,
        date=world.now(),
    )
    if not stored.file_id:
        fresh = stored_file_of(message)
        message.file_id = fresh.file_id
        world.files[fresh.file_id] = fresh
    return _record(world, chat, message)


def _resolve_file(world: World, value: Upload | str | None, kind: str) -> StoredFile:
    if value is None or value == "":
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(value, Upload):
        if not value.data:
            raise bad_request("file must be non-empty")
        return StoredFile("", "", value.file_name, value.data)
    if value in world.files:
        return world.files[value]
    if value.lower().startswith(("http://", "https://")):
        name = PurePosixPath(value.split("?", 1)[0]).name or None
        return StoredFile("", "", name, None)
    raise bad_request("wrong file identifier/HTTP URL specified")


def _looks_like_image(data: bytes) -> bool:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return True
    return data.startswith(IMAGE_SIGNATURES)
