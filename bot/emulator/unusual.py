"""Updates the driver has no shortcut for: forwards, channel posts and rarer message kinds.

Property-based tests use these to reach every kind of update Telegram may send a bot. Texts
travel as given: a lone surrogate (which real Telegram never sends, since its JSON is valid
UTF-8) reaches the bot JSON-escaped as `\\udXXX`, the worst a broken client or proxy could do.
"""

from __future__ import annotations

from typing import Any

from .emulator import Emulator
from .incoming import arrive

# Message kinds beyond the driver's MEDIA_KINDS, with the fields Telegram sends for them.
EXTRA_KINDS: dict[str, dict[str, Any]] = {
    "audio": {"audio": {"file_id": "ua1", "file_unique_id": "uua1", "duration": 3}},
    "video_note": {
        "video_note": {"file_id": "uv1", "file_unique_id": "uuv1", "length": 240, "duration": 2}
    },
    "dice": {"dice": {"emoji": "🎲", "value": 4}},
    "poll": {
        "poll": {
            "id": "5001",
            "question": "Which?",
            "options": [
                {"text": "A", "voter_count": 0, "persistent_id": "o1"},
                {"text": "B", "voter_count": 0, "persistent_id": "o2"},
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
    },
    "venue": {
        "venue": {
            "location": {"latitude": 24.86, "longitude": 67.0},
            "title": "Frere Hall",
            "address": "Karachi",
        }
    },
    "photo_with_caption": {
        "photo": [{"file_id": "up1", "file_unique_id": "uup1", "width": 8, "height": 8}],
        "caption": "/start item-1 <b>not a command</b>",
    },
    "new_chat_title": {"new_chat_title": "Renamed"},
}


def send_fields(
    emu: Emulator,
    user_id: int,
    fields: dict[str, Any],
    *,
    chat_id: int | None = None,
    chat_type: str = "private",
) -> int:
    """Enqueue a `message` update from a user with any message fields; return its update id."""
    world = emu._world
    user, chat = arrive(world, user_id, chat_id, chat_type)
    message_id = chat.next_message_id()
    message = {
        "message_id": message_id,
        "from": user.to_json(),
        "chat": chat.to_json(),
        "date": world.now(),
        **fields,
    }
    world.user_messages[(chat.id, message_id)] = message
    return world.enqueue("message", message)


def send_forwarded(emu: Emulator, user_id: int, text: str, origin: str) -> int:
    """Enqueue a text the user forwarded from another user, a hidden user or a channel."""
    date = emu._world.now() - 3600
    origins: dict[str, dict[str, Any]] = {
        "user": {"type": "user", "date": date,
                 "sender_user": {"id": 424242, "is_bot": False, "first_name": "Other"}},
        "hidden_user": {"type": "hidden_user", "date": date, "sender_user_name": "Someone"},
        "channel": {"type": "channel", "date": date, "message_id": 7,
                    "chat": {"id": -1001234, "type": "channel", "title": "News"}},
    }  # fmt: skip
    return send_fields(emu, user_id, {"text": text, "forward_origin": origins[origin]})


def send_channel_post(emu: Emulator, channel_id: int, text: str, *, edited: bool = False) -> int:
    """Enqueue a post (or an edited post) in a channel where the bot is an administrator."""
    world = emu._world
    owner = world.user(abs(channel_id) % 1_000_000 + 1, "Owner", None)
    chat = world.chat(channel_id, "channel", owner)
    post = {
        "message_id": chat.next_message_id(),
        "sender_chat": chat.to_json(),
        "chat": chat.to_json(),
        "date": world.now(),
        "text": text,
    }
    if edited:
        post["edit_date"] = world.now()
    return world.enqueue("edited_channel_post" if edited else "channel_post", post)


def last_text_message(emu: Emulator, chat_id: int) -> int | None:
    """Return the id of the latest text message users sent in a chat, or None."""
    # Stored as sent, so the latest comes last (an edit keeps its place).
    messages = reversed(emu._world.user_messages.items())
    return next((key[1] for key, m in messages if key[0] == chat_id and "text" in m), None)
