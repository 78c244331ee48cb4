"""A handler's reply, kept: its Bot API calls recorded while it runs, sent once it has committed.

While an update is handled (bot/runtime/inbox.py), the calls its handler makes to write to a
chat (send, edit, answer a press) are not sent at once: they are recorded here and answered
with a stand-in result, so the handler finishes without waiting for Telegram. The recorded
reply is stored with the handler's effects in one transaction and only then sent, so that a
bot killed in between sends, when it replays the update, exactly the reply the first run
computed (and a message that may already have gone out is never sent again).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from telegram import InputFile
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.request._requestparameter import RequestParameter

from bot.runtime.retry import IDEMPOTENT, TryHooks, maybe_delivered, tries_reported_to
from bot.runtime.transport import before_bytes_leave

log = logging.getLogger(__name__)

# Calls that change what a chat shows: recorded, and sent after the commit. Anything else (a
# read such as getMe, a chat action that only says "typing…") goes out at once.
_DEFERRED_PREFIXES = ("send", "edit", "copy", "forward", "delete", "pin", "unpin")
_DEFERRED = frozenset({"answerCallbackQuery", "setMyCommands", "setMessageReaction"})
_IMMEDIATE = frozenset({"sendChatAction"})
# Telegram's refusals that mean the call is not needed (the same as errors.py's harmless ones).
_HARMLESS = ("not modified", "query is too old", "query id is invalid")
# An edit that can no longer be made is sent as a new message (what handlers/messaging did).
_UNEDITABLE = ("message to edit not found", "message can't be edited")
_NOT_A_NEW_MESSAGE = ("message_id", "inline_message_id")


@dataclass(frozen=True)
class Call:
    """One recorded Bot API call: its method, its parameters as sent, and its files."""

    endpoint: str
    params: dict[str, str]
    files: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)

    @property
    def idempotent(self) -> bool:
        """Tell whether making this call twice changes nothing anybody sees."""
        return self.endpoint in IDEMPOTENT

    def data(self) -> dict[str, object]:
        """Return the parameters as python-telegram-bot posts them (files as InputFiles)."""
        data: dict[str, object] = dict(self.params)
        for name, (filename, content, _) in self.files.items():
            data[name] = InputFile(content, filename=filename)
        return data


def recorded(endpoint: str, data: dict[str, Any]) -> Call:
    """Record a call as python-telegram-bot was about to post it."""
    params: dict[str, str] = {}
    files: dict[str, tuple[str, bytes, str]] = {}
    for key, value in data.items():
        parameter = RequestParameter.from_input(key, value)
        if parameter.json_value is not None:
            params[key] = parameter.json_value
        for name, (filename, content, mimetype) in (parameter.multipart_data or {}).items():
            raw = content if isinstance(content, bytes) else content.read()
            files[name] = (filename or name, raw, mimetype)
    return Call(endpoint, params, files)


@dataclass(frozen=True)
class Kept:
    """A reply as kept: its calls, and the apology to send instead if they cannot be."""

    calls: list[Call]
    apology: Call | None = None


def encode(kept: Kept) -> str:
    """Serialise a reply for storage."""
    calls = [_encoded(call) for call in kept.calls]
    apology = None if kept.apology is None else _encoded(kept.apology)
    return json.dumps({"calls": calls, "apology": apology}, separators=(",", ":"))


def decode(stored: str) -> Kept:
    """Read back a reply stored by `encode`."""
    data = json.loads(stored)
    apology = data["apology"]
    return Kept(
        [_decoded(call) for call in data["calls"]],
        None if apology is None else _decoded(apology),
    )


def _encoded(call: Call) -> dict[str, object]:
    files = {
        name: [filename, base64.b64encode(content).decode("ascii"), mimetype]
        for name, (filename, content, mimetype) in call.files.items()
    }
    return {"m": call.endpoint, "p": call.params, "f": files}


def _decoded(entry: dict[str, Any]) -> Call:
    files = {
        name: (filename, base64.b64decode(content), mimetype)
        for name, (filename, content, mimetype) in entry["f"].items()
    }
    return Call(entry["m"], entry["p"], files)


def deferred(endpoint: str) -> bool:
    """Tell whether a call is part of a reply (recorded) rather than made at once."""
    if endpoint in _IMMEDIATE:
        return False
    return endpoint in _DEFERRED or endpoint.startswith(_DEFERRED_PREFIXES)


class Reply:
    """The calls one handler made to its own chat, in order, while it runs.

    Calls to other chats (a notice to an author, whose outcome the handler reports) are not
    part of the reply: they go out at once, as they would without it.
    """

    def __init__(self, chat_id: int | None) -> None:
        self.chat = None if chat_id is None else str(chat_id)
        self.open = True
        self.calls: list[Call] = []
        self.apology: Call | None = None

    def kept(self) -> Kept:
        """Return the reply to keep."""
        return Kept(list(self.calls), self.apology)

    def covers(self, endpoint: str, data: dict[str, Any]) -> bool:
        """Tell whether a call belongs to this reply (recorded) or goes out at once."""
        if not deferred(endpoint):
            return False
        chat = data.get("chat_id")
        return chat is None or str(chat) == self.chat

    def record(self, endpoint: str, data: dict[str, Any]) -> object:
        """Record a call and return what Telegram would have answered, near enough."""
        self.calls.append(recorded(endpoint, data))
        if endpoint.startswith(("send", "copy", "forward")):
            # Handlers use no field of a sent message; a message still needs its chat and date.
            chat = {"id": _chat_id(data.get("chat_id")), "type": "private"}
            return {"message_id": 0, "date": int(time.time()), "chat": chat}
        return True


_current: ContextVar[Reply | None] = ContextVar("reply", default=None)


def recording_reply() -> Reply | None:
    """Return the reply being recorded, if any.

    A task the handler started (`asyncio.gather` of an edit and an answer) records into it
    too; one still running once the handler has finished sends at once.
    """
    reply = _current.get()
    return reply if reply is not None and reply.open else None


@contextmanager
def recording(chat_id: int | None) -> Iterator[Reply]:
    """Record the calls that change this chat instead of making them."""
    reply = Reply(chat_id)
    token = _current.set(reply)
    try:
        yield reply
    finally:
        reply.open = False
        _current.reset(token)


def apologise_with(chat_id: int, text: str) -> None:
    """Say what the reply being recorded sends instead if a call of it fails: an apology."""
    reply = recording_reply()
    if reply is not None:
        reply.apology = Call("sendMessage", {"chat_id": str(chat_id), "text": text})


Post = Callable[[Call], Awaitable[object]]
# Records a call of the reply (its bit) as begun (True), or as failed unsent (False).
Attempt = Callable[[int, bool], Awaitable[None]]


class Outcome(Enum):
    """What became of one call."""

    DONE = "done"  # made, refused as unneeded, or may have gone out (a lost answer)
    FAILED = "failed"  # not made (refused, or still failing after the retries)
    BLOCKED = "blocked"  # the citizen blocked the bot: nothing more reaches this chat
    UNEDITABLE = "uneditable"  # an edit of a message too old or gone


# Which calls of a reply were begun, as bits of one integer (SQLite's 64-bit one): call i is
# bit i; calls past the 61st share the last call bit (begun together, at worst not sent);
# the apology has its own.
_LAST_CALL_BIT = 61
APOLOGY_BIT = 1 << 62


def begun_bit(index: int) -> int:
    """Return the bit that records call `index` of a reply as begun."""
    return 1 << min(index, _LAST_CALL_BIT)


async def deliver(
    kept: Kept, post: Post, attempt: Attempt, begun: int = 0, *, at_write: bool = False
) -> None:
    """Send a reply: answers to presses at once; edits in order, beside the messages in order.

    A message (which a citizen could see twice) is first recorded as begun with
    `attempt(bit)`, durably; a replay (`begun`: the bits recorded) never sends a message
    already begun, while it makes again every edit and answer, which nobody sees twice. If a
    call fails, its lane stops and the citizen gets the apology.
    """
    indexed = list(enumerate(kept.calls))
    answers = [
        asyncio.create_task(_make(call, post))
        for _, call in indexed
        if call.endpoint == "answerCallbackQuery"
    ]
    edits = [(i, c) for i, c in indexed if c.idempotent and c.endpoint != "answerCallbackQuery"]
    messages = [(i, c) for i, c in indexed if not c.idempotent]
    outcomes: set[Outcome] = set()
    try:
        edited = asyncio.create_task(_run_lane(edits, post, attempt, begun, outcomes, at_write))
        await _run_lane(messages, post, attempt, begun, outcomes, at_write)
        await edited
    finally:
        await asyncio.gather(*answers)
    if Outcome.FAILED in outcomes and kept.apology is not None and not begun & APOLOGY_BIT:
        await _make_once(kept.apology, post, attempt, APOLOGY_BIT, at_write)


async def _run_lane(
    lane: list[tuple[int, Call]], post: Post, attempt: Attempt, begun: int,
    outcomes: set[Outcome], at_write: bool,
) -> None:  # fmt: skip
    """Make a lane's calls in order until one fails or the chat turns out to be closed."""
    for index, call in lane:
        if Outcome.BLOCKED in outcomes or Outcome.FAILED in outcomes:
            return
        bit = begun_bit(index)
        if not call.idempotent:
            if begun & bit:
                continue
            outcome = await _make_once(call, post, attempt, bit, at_write)
        else:
            outcome = await _make(call, post)
        if outcome is Outcome.UNEDITABLE:
            if begun & bit:
                continue  # from a replay, the new message may have gone out already
            outcome = await _make_once(_as_new_message(call), post, attempt, bit, at_write)
        outcomes.add(outcome)


async def _make_once(
    call: Call, post: Post, attempt: Attempt, bit: int, at_write: bool
) -> Outcome:
    """Make a call a citizen could see twice: begun (durably) before each try, and not begun
    again once a try is known not to have reached Telegram (before a retry waits).

    `at_write`: the transport reports the moment a body is about to leave
    (bot/runtime/transport.py), and the mark is made then, with nothing in between: a kill
    before it leaves the call unbegun (sent by the replay), one after it finds it sent.
    """

    async def begun() -> None:
        await attempt(bit, True)

    async def unsent() -> None:
        await attempt(bit, False)

    if not at_write:
        await begun()
        with tries_reported_to(TryHooks(before=begun, unsent=unsent)):
            return await _make(call, post)
    with before_bytes_leave(begun) as leaving:

        async def unsent_then_again() -> None:
            await unsent()
            leaving.done = False  # the retry's body marks it begun again as it leaves

        with tries_reported_to(TryHooks(before=_nothing, unsent=unsent_then_again)):
            return await _make(call, post)


async def _nothing() -> None:
    """Nothing to do before a retry: its body's leaving marks it."""


async def _make(call: Call, post: Post) -> Outcome:
    """Make one call, saying in the log what failed (never what it said)."""
    try:
        await post(call)
    except Forbidden:
        log.info("a participant has blocked the bot")
        return Outcome.BLOCKED
    except BadRequest as exc:
        reason = exc.message.lower()
        if call.endpoint == "editMessageText" and any(r in reason for r in _UNEDITABLE):
            return Outcome.UNEDITABLE
        if not any(harmless in reason for harmless in _HARMLESS):
            log.error("%s was refused: %s", call.endpoint, exc.message)
            return Outcome.FAILED
    except TelegramError as exc:
        # Retried already as far as is safe (bot/runtime/retry.py). A message that may have
        # gone out counts as sent; anything else failed, and the log says so.
        if call.idempotent or not maybe_delivered(exc):
            log.error("%s failed: %s", call.endpoint, type(exc).__name__)
            return Outcome.FAILED
    return Outcome.DONE


def _as_new_message(edit: Call) -> Call:
    params = {k: v for k, v in edit.params.items() if k not in _NOT_A_NEW_MESSAGE}
    return Call("sendMessage", params)


def _chat_id(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0
