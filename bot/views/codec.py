"""Stateless, versioned button data: `v1:<code>[:<field>...]`, at most 64 bytes.

Every button declares its fields in `bot/views/buttons.py`; decoding checks each one against
its kind, so a forged or stale button is refused here before any service sees it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.model.values import Vote
from bot.views.buttons import BY_CODE, PATTERNS, Action, Arg

VERSION = "v1"
MAX_BYTES = 64

VOTE_CODES = {Vote.AGREE: "a", Vote.DISAGREE: "d", Vote.PASS: "p"}
VOTES_BY_CODE = {code: vote for vote, code in VOTE_CODES.items()}

__all__ = ["MAX_BYTES", "VERSION", "Action", "Arg", "Button", "CodecError", "decode", "encode"]


class CodecError(ValueError):
    """The button data is not one this version of the bot produced."""


@dataclass(frozen=True)
class Button:
    """A decoded button press: an action and its validated fields, read by name."""

    action: Action
    args: tuple[str, ...] = ()

    def text(self, name: str) -> str:
        """Return a field as text."""
        try:
            return self.args[self.action.names.index(name)]
        except ValueError:
            raise KeyError(f"{self.action.name} has no field {name!r}") from None

    def number(self, name: str) -> int:
        """Return a field as a whole number."""
        return int(self.text(name))

    def encode(self) -> str:
        """Return the callback_data string for this button."""
        return ":".join((VERSION, self.action.code, *self.args))


def encode(action: Action, *args: object, **fields: object) -> str:
    """Encode a button from its fields (in order, or by name), validated as a press would be."""
    if fields:
        if args or set(fields) != set(action.names):
            raise CodecError(f"{action.name} takes the fields {action.names}")
        args = tuple(fields[name] for name in action.names)
    data = Button(action, tuple(str(arg) for arg in args)).encode()
    decode(data)
    return data


def decode(data: str | None) -> Button:
    """Decode and validate callback_data, raising CodecError for anything forged or stale."""
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        raise CodecError("missing or oversized button data")
    version, _, rest = data.partition(":")
    if version != VERSION:
        raise CodecError("unknown button version")
    code, *args = rest.split(":")
    action = BY_CODE.get(code)
    if action is None:
        raise CodecError("unknown button action")
    kinds = action.kinds
    if len(args) != len(kinds):
        raise CodecError("wrong number of button arguments")
    for kind, arg in zip(kinds, args, strict=True):
        if not PATTERNS[kind].fullmatch(arg):
            raise CodecError(f"malformed {kind} argument")
    return Button(action, tuple(args))
