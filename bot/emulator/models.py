"""The emulator's records: users, chats, files and the messages the bot has sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class User:
    """A Telegram user (or the bot itself)."""

    id: int
    first_name: str
    is_bot: bool = False
    username: str | None = None
    language_code: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Render Telegram's User object."""
        data: dict[str, Any] = {
            "id": self.id,
            "is_bot": self.is_bot,
            "first_name": self.first_name,
        }
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class Chat:
    """A chat the bot has received an update from; message ids are counted per chat."""

    id: int
    type: str
    first_name: str | None = None
    title: str | None = None
    last_message_id: int = 0

    def next_message_id(self) -> int:
        """Allocate the next message id, shared by the user's and the bot's messages."""
        self.last_message_id += 1
        return self.last_message_id

    def to_json(self) -> dict[str, Any]:
        """Render Telegram's Chat object."""
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private":
            data["first_name"] = self.first_name or "Test"
        else:
            data["title"] = self.title or f"Test {self.type}"
        return data


@dataclass
class StoredFile:
    """An uploaded file, addressable again by its file_id."""

    file_id: str
    file_unique_id: str
    file_name: str | None
    data: bytes | None
    mime_type: str | None = None


@dataclass
class SentMessage:
    """A message the bot sent, in its current state (after edits)."""

    message_id: int
    chat_id: int
    text: str | None
    caption: str | None
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    edits: int = 0
    kind: str = "text"
    file_name: str | None = None
    file_bytes: bytes | None = None
    html: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_keyboard: dict[str, Any] | None = None
    file_id: str | None = None
    date: int = 0
    edit_date: int | None = None
    deleted: bool = False

    def buttons(self) -> list[list[tuple[str, str]]]:
        """Return inline keyboard rows as (text, callback_data or url)."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [
            [(b["text"], b.get("callback_data", b.get("url", ""))) for b in row] for row in rows
        ]

    def button_labels(self) -> list[str]:
        """Return all inline button texts, row by row."""
        return [text for row in self.buttons() for text, _ in row]

    def plain_text(self) -> str:
        """Return the text (or caption) without markup, as the user reads it."""
        # text and caption already hold what Telegram stores: the HTML parsed to plain text.
        value = self.text if self.text is not None else self.caption
        return value or ""
