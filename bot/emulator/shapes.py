"""Telegram JSON shapes for messages the bot sends and media users send."""

from __future__ import annotations

import mimetypes
from typing import Any

from .models import Chat, SentMessage, StoredFile, User

MEDIA_KINDS = (
    "sticker",
    "photo",
    "voice",
    "document",
    "location",
    "contact",
    "video",
    "animation",
)


def bot_message(message: SentMessage, chat: Chat, bot: User) -> dict[str, Any]:
    """Render a Message object for something the bot sent."""
    data: dict[str, Any] = {
        "message_id": message.message_id,
        "from": bot.to_json(),
        "chat": chat.to_json(),
        "date": message.date,
    }
    if message.edit_date is not None:
        data["edit_date"] = message.edit_date
    if message.kind == "text":
        data["text"] = message.text
        if message.entities:
            data["entities"] = message.entities
    else:
        if message.caption:
            data["caption"] = message.caption
            if message.entities:
                data["caption_entities"] = message.entities
        file = _file_fields(message)
        size = len(message.file_bytes or b"")
        if message.kind == "photo":
            data["photo"] = [
                {
                    **file,
                    "file_unique_id": f"{file['file_unique_id']}s",
                    "width": 90,
                    "height": 90,
                    "file_size": min(size, 4096),
                },
                {**file, "width": 800, "height": 600, "file_size": size},
            ]
        else:
            data["document"] = {
                **file,
                "file_name": message.file_name or "file",
                "mime_type": _mime(message.file_name),
                "file_size": size,
            }
    if message.reply_markup is not None:
        data["reply_markup"] = message.reply_markup
    return data


def _file_fields(message: SentMessage) -> dict[str, Any]:
    file_id = message.file_id or f"file{message.chat_id}_{message.message_id}"
    return {"file_id": file_id, "file_unique_id": f"u{file_id}"}


def _mime(file_name: str | None) -> str:

    guessed, _ = mimetypes.guess_type(file_name or "")
    return guessed or "application/octet-stream"


def stored_file_of(message: SentMessage) -> StoredFile:
    """Describe the file a media message carries, so it can be sent again by file_id."""
    fields = _file_fields(message)
    return StoredFile(
        fields["file_id"], fields["file_unique_id"], message.file_name, message.file_bytes
    )


def user_media(kind: str, serial: int, user: User) -> dict[str, Any]:
    """Return the Message fields for a user sending a sticker, photo, voice note and so on."""
    file = {"file_id": f"user{kind}{serial}", "file_unique_id": f"uu{kind}{serial}"}
    if kind == "sticker":
        return {
            "sticker": {
                **file,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "\N{THUMBS UP SIGN}",
            }
        }
    if kind == "photo":
        return {"photo": [{**file, "width": 800, "height": 600, "file_size": 1024}]}
    if kind == "voice":
        return {"voice": {**file, "duration": 2, "mime_type": "audio/ogg", "file_size": 1024}}
    if kind == "document":
        return {
            "document": {
                **file,
                "file_name": "file.pdf",
                "mime_type": "application/pdf",
                "file_size": 1024,
            }
        }
    if kind == "location":
        return {"location": {"latitude": 52.52, "longitude": 13.405}}
    if kind == "contact":
        return {
            "contact": {
                "phone_number": "+10000000000",
                "first_name": user.first_name,
                "user_id": user.id,
            }
        }
    if kind == "video":
        return {"video": {**file, "width": 640, "height": 360, "duration": 3}}
    if kind == "animation":
        # Telegram sends an animation with a matching document field, for old clients.
        animation = {
            **file,
            "width": 320,
            "height": 240,
            "duration": 1,
            "file_name": "a.mp4",
            "mime_type": "video/mp4",
        }
        return {
            "animation": animation,
            "document": {**file, "file_name": "a.mp4", "mime_type": "video/mp4"},
        }
    raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(MEDIA_KINDS)}")
