"""Stateless, versioned button data: `v1:<action>[:<arg>...]`, at most 64 bytes.

Every action declares the kinds of its arguments; decoding checks each one, so a forged or
stale button is refused here before any service sees it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.model.tracking import TrackingStatus
from bot.model.values import Language, Priority, ReportReason, Stance, Vote

VERSION = "v1"
MAX_BYTES = 64


class Arg(StrEnum):
    """The kinds of button argument."""

    ITEM = "item"
    ID = "id"
    COUNT = "count"
    STANCE = "stance"
    PRIORITY = "priority"
    VOTE = "vote"
    REASON = "reason"
    STATUS = "status"
    FIELD = "field"
    LANGUAGE = "language"


_PATTERNS = {
    Arg.ITEM: re.compile(r"[0-9]{1,3}"),
    Arg.ID: re.compile(r"[1-9][0-9]{0,11}"),
    Arg.COUNT: re.compile(r"[0-9]{1,2}"),
    Arg.STANCE: re.compile("|".join(s.value for s in Stance)),
    Arg.PRIORITY: re.compile("|".join(p.value for p in Priority)),
    # Votes are abbreviated (a/d/p) to leave room in 64 bytes for ids and counts.
    Arg.VOTE: re.compile(r"[adp]"),
    Arg.REASON: re.compile("|".join(r.value for r in ReportReason)),
    Arg.STATUS: re.compile("|".join(s.value for s in TrackingStatus)),
    Arg.FIELD: re.compile("responsible|deadline|metric_new"),
    Arg.LANGUAGE: re.compile("|".join(language.value for language in Language)),
}


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
    VOTE = "vt"
    REPORT = "rp"
    AGREE_INSTEAD = "ai"
    POST_ANYWAY = "pa"
    WITHDRAW = "wd"
    WITHDRAW_CONFIRMED = "wy"
    PROPOSE = "np"
    VOTE_PROPOSALS = "nv"
    REVIEW_REPLY = "rr"
    ADOPT = "ad"
    MERGE_ASK = "ma"
    MERGE = "mg"
    DECLINE = "dc"
    BROADCAST_SEND = "bs"
    BROADCAST_CANCEL = "bx"
    UPDATES_ON = "u1"
    UPDATES_OFF = "u0"
    REPORT_REASON = "rq"
    REPORT_CANCEL = "rc"
    APPEAL = "ap"
    MOD_APPROVE = "qa"
    MOD_HIDE_ASK = "qh"
    MOD_HIDE = "qr"
    MOD_BAN_ASK = "qb"
    MOD_BAN = "qn"
    MOD_SKIP = "qs"
    MOD_BACK = "qc"
    ERASE = "er"
    ERASE_KEEP = "ek"
    TRACK_OPEN = "tk"
    TRACK_STATUS_ASK = "ts"
    TRACK_STATUS = "tt"
    TRACK_FIELD = "tf"
    TRACK_METRIC_ASK = "tm"
    TRACK_METRIC = "tv"
    TRACK_HISTORY = "th"
    STATUS_ITEM = "si"
    FOLLOW = "fo"
    UNFOLLOW = "fx"
    FOLLOW_HIGH = "fh"
    FOLLOW_UPS_ON = "f1"
    FOLLOW_UPS_OFF = "f0"
    FOLLOW_UPS_ACCEPT = "fa"
    ASK_SEND = "as"
    ASK_CANCEL = "ax"
    ANSWER = "aq"
    LANGUAGE = "lg"


SCHEMA: dict[Action, tuple[Arg, ...]] = {
    Action.BEGIN: (),
    Action.RESUME: (),
    Action.RESTART: (),
    Action.REVIEW: (),
    Action.STANCE: (Arg.ITEM, Arg.STANCE),
    Action.PRIORITY: (Arg.ITEM, Arg.PRIORITY),
    Action.SUGGEST: (Arg.ITEM,),
    Action.SKIP: (Arg.ITEM,),
    Action.BACK: (Arg.ITEM,),
    Action.OPEN: (Arg.ITEM,),
    Action.VOTE: (Arg.ID, Arg.VOTE, Arg.COUNT),
    Action.REPORT: (Arg.ID, Arg.COUNT),
    Action.AGREE_INSTEAD: (Arg.ID, Arg.ID),
    Action.POST_ANYWAY: (Arg.ID,),
    Action.WITHDRAW: (Arg.ID,),
    Action.WITHDRAW_CONFIRMED: (Arg.ID,),
    Action.PROPOSE: (),
    Action.VOTE_PROPOSALS: (),
    Action.REVIEW_REPLY: (Arg.ID,),
    Action.ADOPT: (Arg.ID,),
    Action.MERGE_ASK: (Arg.ID,),
    Action.MERGE: (Arg.ID, Arg.ITEM),
    Action.DECLINE: (Arg.ID,),
    Action.BROADCAST_SEND: (Arg.ID,),
    Action.BROADCAST_CANCEL: (Arg.ID,),
    Action.UPDATES_ON: (),
    Action.UPDATES_OFF: (),
    Action.REPORT_REASON: (Arg.ID, Arg.COUNT, Arg.REASON),
    Action.REPORT_CANCEL: (Arg.ID, Arg.COUNT),
    Action.APPEAL: (Arg.ID,),
    Action.MOD_APPROVE: (Arg.ID,),
    Action.MOD_HIDE_ASK: (Arg.ID,),
    Action.MOD_HIDE: (Arg.ID, Arg.REASON),
    Action.MOD_BAN_ASK: (Arg.ID,),
    Action.MOD_BAN: (Arg.ID, Arg.REASON),
    Action.MOD_SKIP: (Arg.ID,),
    Action.MOD_BACK: (Arg.ID,),
    Action.ERASE: (),
    Action.ERASE_KEEP: (),
    Action.TRACK_OPEN: (Arg.ITEM,),
    Action.TRACK_STATUS_ASK: (Arg.ITEM,),
    Action.TRACK_STATUS: (Arg.ITEM, Arg.STATUS),
    Action.TRACK_FIELD: (Arg.ITEM, Arg.FIELD),
    Action.TRACK_METRIC_ASK: (Arg.ITEM,),
    Action.TRACK_METRIC: (Arg.ITEM, Arg.COUNT),
    Action.TRACK_HISTORY: (Arg.ITEM,),
    Action.STATUS_ITEM: (Arg.ITEM,),
    Action.FOLLOW: (Arg.ITEM,),
    Action.UNFOLLOW: (Arg.ITEM,),
    Action.FOLLOW_HIGH: (),
    Action.FOLLOW_UPS_ON: (),
    Action.FOLLOW_UPS_OFF: (),
    Action.FOLLOW_UPS_ACCEPT: (),
    Action.ASK_SEND: (Arg.ID,),
    Action.ASK_CANCEL: (Arg.ID,),
    Action.ANSWER: (Arg.ID,),
    Action.LANGUAGE: (Arg.LANGUAGE,),
}


VOTE_CODES = {Vote.AGREE: "a", Vote.DISAGREE: "d", Vote.PASS: "p"}
VOTES_BY_CODE = {code: vote for vote, code in VOTE_CODES.items()}


class CodecError(ValueError):
    """The button data is not one this version of the bot produced."""


@dataclass(frozen=True)
class Button:
    """A decoded button press: an action and its validated arguments."""

    action: Action
    args: tuple[str, ...] = ()

    def text(self, index: int = 0) -> str:
        """Return an argument as text."""
        return self.args[index]

    def number(self, index: int = 0) -> int:
        """Return an argument as a whole number."""
        return int(self.args[index])

    def encode(self) -> str:
        """Return the callback_data string for this button."""
        return ":".join((VERSION, self.action.value, *self.args))


def encode(action: Action, *args: object) -> str:
    """Encode a button, validating it exactly as a press would be decoded."""
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
    name, *args = rest.split(":")
    try:
        action = Action(name)
    except ValueError as exc:
        raise CodecError("unknown button action") from exc
    kinds = SCHEMA[action]
    if len(args) != len(kinds):
        raise CodecError("wrong number of button arguments")
    for kind, arg in zip(kinds, args, strict=True):
        if not _PATTERNS[kind].fullmatch(arg):
            raise CodecError(f"malformed {kind} argument")
    return Button(action, tuple(args))
