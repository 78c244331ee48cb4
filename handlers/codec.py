"""Stateless, versioned button data: `v1:<action>[:<item>[:<value>]]`, at most 64 bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.hearing.values import Priority, Stance

VERSION = "v1"
MAX_BYTES = 64
_ITEM_RE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3})?")


class Action(StrEnum):
    """What a button asks for."""

    BEGIN = "begin"
    RESUME = "resume"
    RESTART = "restart"
    REVIEW = "review"
    STANCE = "st"
    PRIORITY = "pr"
    SUGGEST = "sg"
    SKIP = "sk"
    BACK = "bk"
    OPEN = "go"


_NEEDS_ITEM = {
    Action.STANCE,
    Action.PRIORITY,
    Action.SUGGEST,
    Action.SKIP,
    Action.BACK,
    Action.OPEN,
}
_VALUES: dict[Action, type[StrEnum]] = {Action.STANCE: Stance, Action.PRIORITY: Priority}


class CodecError(ValueError):
    """The button data is not one this version of the bot produced."""


@dataclass(frozen=True)
class Button:
    """A decoded button press."""

    action: Action
    item_id: str | None = None
    value: str | None = None

    def encode(self) -> str:
        """Return the callback_data string for this button."""
        parts = [VERSION, self.action.value]
        if self.item_id is not None:
            parts.append(self.item_id)
        if self.value is not None:
            parts.append(self.value)
        data = ":".join(parts)
        if len(data.encode("utf-8")) > MAX_BYTES:
            raise CodecError("button data over 64 bytes")
        return data


def encode(action: Action, item_id: str | None = None, value: str | None = None) -> str:
    """Encode a button, validating it exactly as a press would be decoded."""
    data = Button(action, item_id, value).encode()
    decode(data)
    return data


def decode(data: str | None) -> Button:
    """Decode and validate callback_data, raising CodecError for anything forged or stale."""
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        raise CodecError("missing or oversized button data")
    version, _, rest = data.partition(":")
    if version != VERSION:
        raise CodecError("unknown button version")
    name, *args = rest.split(":")
    try:
        action = Action(name)
    except ValueError as exc:
        raise CodecError("unknown button action") from exc
    expected = (1 if action in _NEEDS_ITEM else 0) + (1 if action in _VALUES else 0)
    if len(args) != expected:
        raise CodecError("wrong number of button arguments")
    item_id = args[0] if action in _NEEDS_ITEM else None
    if item_id is not None and not _ITEM_RE.fullmatch(item_id):
        raise CodecError("malformed item id")
    value = None
    if action in _VALUES:
        value = args[-1]
        if value not in {member.value for member in _VALUES[action]}:
            raise CodecError("unknown button value")
    return Button(action, item_id, value)
