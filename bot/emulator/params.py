"""Decode Bot API parameters: every transport value may be a string, as Telegram accepts."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

from .errors import bad_request

INT_KEYS = {
    "chat_id",
    "message_id",
    "user_id",
    "offset",
    "limit",
    "timeout",
    "cache_time",
    "from_chat_id",
    "message_thread_id",
    "reply_to_message_id",
    "max_connections",
}
TRUE_WORDS = {"true", "1", "yes", "on"}
FALSE_WORDS = {"false", "0", "no", "off", ""}


@dataclass
class Upload:
    """A file sent in a multipart body."""

    file_name: str | None
    data: bytes


@dataclass
class Params:
    """The parameters of one API call, with typed accessors raising Telegram-style errors."""

    values: dict[str, Any]
    files: dict[str, Upload] = field(default_factory=dict)
    # What Telegram would accept but quietly ignore or change, found while handling the call.
    warnings: list[str] = field(default_factory=list)

    def text(self, name: str) -> str | None:
        """Return a string parameter, or None when absent."""
        value = self.values.get(name)
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value) if isinstance(value, dict | list) else str(value)

    def integer(self, name: str, default: int | None = None) -> int | None:
        """Return an integer parameter; a malformed one is a 400."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def number(self, name: str, default: float = 0.0) -> float:
        """Return a number parameter; a malformed one is a 400."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        """Return a boolean parameter; absent means False."""
        value = self.values.get(name)
        if isinstance(value, bool) or value is None:
            return bool(value)
        word = str(value).strip().lower()
        if word in TRUE_WORDS | FALSE_WORDS:
            return word in TRUE_WORDS
        raise bad_request(f"invalid {name} specified")

    def structured(self, name: str) -> Any:
        """Return a structured parameter, decoding the JSON string PTB sends."""
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None

    def file(self, name: str) -> Upload | str | None:
        """Return an uploaded file, or the file_id/URL string sent in its place."""
        if name in self.files:
            return self.files[name]
        value = self.text(name)
        if value and value.startswith("attach://"):
            upload = self.files.get(value.removeprefix("attach://"))
            if upload is None:
                raise bad_request(f"can't find attached file {value!r}")
            return upload
        return value

    def logged(self) -> dict[str, Any]:
        """Return the parameters decoded for emu.calls: JSON parsed, ids as ints, files sized."""
        decoded: dict[str, Any] = {}
        for key, value in self.values.items():
            if isinstance(value, str) and value[:1] in {"[", "{"}:
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            elif key in INT_KEYS and isinstance(value, str):
                with contextlib.suppress(ValueError):
                    value = int(value)
            decoded[key] = value
        for key, upload in self.files.items():
            decoded[key] = {"file_name": upload.file_name, "size": len(upload.data)}
        return decoded
