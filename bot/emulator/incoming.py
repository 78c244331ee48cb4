"""Build the updates a user's client causes: messages, edits and button presses."""

from __future__ import annotations

import re
from typing import Any

from .markup import utf16_len
from .models import Chat, User
from .shapes import bot_message, user_media
from .state import CallbackQuery, World

_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,32})?(?=\s|$)")


def arrive(
    world: World,
    user_id: int,
    chat_id: int | None,
    chat_type: str,
    first_name: str = "Test",
    language_code: str | None = "en",
) -> tuple[User, Chat]:
    """Register the user and chat an update comes from; private chats share the user's id."""
    if chat_id is None:
        if chat_type != "private":
            raise ValueError(f"a {chat_type} chat needs an explicit chat_id")
        chat_id = user_id
    user = world.user(user_id, first_name, language_code)
    return user, world.chat(chat_id, chat_type, user)


def command_entities(text: str) -> list[dict[str, Any]]:
    """Return the bot_command entity Telegram adds to a text starting with a command."""
    match = _COMMAND.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group())}]


def _message(world: World, user: User, chat: Chat, fields: dict[str, Any]) -> dict[str, Any]:
    message_id = chat.next_message_id()
    message = {
        "message_id": message_id,
        "from": user.to_json(),
        "chat": chat.to_json(),
        "date": world.now(),
        **fields,
    }
    world.user_messages[(chat.id, message_id)] = message
    return message


def text_message(
    world: World, user: User, chat: Chat, text: str, entities: list[dict[str, Any]] | None
) -> int:
    """Enqueue a `message` update carrying text."""
    if not text:
        raise ValueError("Telegram clients cannot send an empty message")
    fields: dict[str, Any] = {"text": text}
    found = command_entities(text) if entities is None else entities
    if found:
        fields["entities"] = found
    return world.enqueue("message", _message(world, user, chat, fields))


def media_message(world: World, user: User, chat: Chat, kind: str) -> int:
    """Enqueue a `message` update carrying a sticker, photo, location and so on."""
    fields = user_media(kind, world.last_update_id + 1, user)
    return world.enqueue("message", _message(world, user, chat, fields))


def contact_message(
    world: World, user: User, chat: Chat, phone: str, contact_user_id: int | None
) -> int:
    """Enqueue a `message` update carrying a contact (the sender's own, unless told otherwise)."""
    contact = {"phone_number": phone, "first_name": user.first_name,
               "user_id": user.id if contact_user_id is None else contact_user_id}  # fmt: skip
    return world.enqueue("message", _message(world, user, chat, {"contact": contact}))


def edited_message(world: World, user: User, chat: Chat, message_id: int, text: str) -> int:
    """Enqueue an `edited_message` update for a text the user sent earlier."""
    message = world.user_messages.get((chat.id, message_id))
    if message is None or message["from"]["id"] != user.id or "text" not in message:
        raise ValueError(f"user {user.id} has no text message {message_id} in chat {chat.id}")
    message = {**message, "text": text, "edit_date": world.now()}
    message.pop("entities", None)
    if entities := command_entities(text):
        message["entities"] = entities
    world.user_messages[(chat.id, message_id)] = message
    return world.enqueue("edited_message", message)


def callback_query(
    world: World, user: User, chat: Chat, message_id: int, data: str
) -> tuple[int, str]:
    """Enqueue a `callback_query` update; return (update_id, callback query id)."""
    sent = world.find_sent(chat.id, message_id)
    if sent is None:
        # What Telegram sends for a message the bot can no longer see: date 0.
        shown: dict[str, Any] = {"chat": chat.to_json(), "message_id": message_id, "date": 0}
    else:
        shown = bot_message(sent, chat, world.bot)
    query_id = str(4_000_000_000_000_000 + len(world.queries))
    world.queries[query_id] = CallbackQuery(query_id, world.clock())
    payload = {
        "id": query_id,
        "from": user.to_json(),
        "message": shown,
        "chat_instance": str(abs(chat.id) * 7919 + 11),
        "data": data,
    }
    return world.enqueue("callback_query", payload), query_id
