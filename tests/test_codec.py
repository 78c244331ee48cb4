"""Button data: every button the bot makes decodes to itself; anything else is refused."""

from __future__ import annotations

import pytest

from bot.views.codec import MAX_BYTES, Action, Arg, CodecError, decode, encode
from handlers.buttons import HANDLERS

EXAMPLES: dict[Action, tuple[object, ...]] = {
    Action.STANCE: ("12", "support"),
    Action.PRIORITY: ("1", "high"),
    Action.SUGGEST: ("20",),
    Action.SKIP: ("9",),
    Action.BACK: ("2",),
    Action.OPEN: ("13",),
    Action.CANCEL_SUGGESTION: ("20",),
    Action.SUB_ITEMS: ("999",),
    Action.SUB_STANCE: ("999.999", "support"),
    Action.SUB_DONE: ("13",),
    Action.CANCEL_INPUT: ("follow_up_answer",),
    Action.VOTE: (999_999_999_999, "d", 99),
    Action.REPORT: (7, 0),
    Action.AGREE_INSTEAD: (999_999_999_999, 999_999_999_999),
    Action.POST_ANYWAY: (5,),
    Action.WITHDRAW: (5,),
    Action.WITHDRAW_CONFIRMED: (5,),
    Action.WITHDRAW_KEEP: (999_999_999_999,),
    Action.CORRECT_HELD: (999_999_999_999,),
    Action.AUTHOR_ANSWER: (999_999_999_999,),
    Action.REVIEW_REPLY: (999_999_999_999,),
    Action.ADOPT: (1,),
    Action.MERGE_ASK: (1,),
    Action.MERGE: (999_999_999_999, "20"),
    Action.DECLINE: (1,),
    Action.SUGGESTIONS_OLDER: (999_999_999_999,),
    Action.BROADCAST_SEND: (3,),
    Action.BROADCAST_CANCEL: (3,),
    Action.REPORT_REASON: (999_999_999_999, 99, "off_topic"),
    Action.REPORT_CANCEL: (999_999_999_999, 99),
    Action.APPEAL: (999_999_999_999,),
    Action.MOD_APPROVE: (999_999_999_999,),
    Action.MOD_HIDE_ASK: (999_999_999_999,),
    Action.MOD_HIDE: (999_999_999_999, "personal"),
    Action.MOD_BAN_ASK: (999_999_999_999,),
    Action.MOD_BAN: (999_999_999_999, "offensive"),
    Action.MOD_SKIP: (999_999_999_999,),
    Action.MOD_BACK: (999_999_999_999,),
    Action.TRACK_OPEN: ("18",),
    Action.TRACK_STATUS_ASK: ("18",),
    Action.TRACK_STATUS: ("999", "in_progress"),
    Action.TRACK_FIELD: ("999", "metric_new"),
    Action.TRACK_METRIC_ASK: ("18",),
    Action.TRACK_METRIC: ("999", 99),
    Action.TRACK_HISTORY: ("18",),
    Action.STATUS_ITEM: ("18",),
    Action.FOLLOW: ("18",),
    Action.UNFOLLOW: ("18",),
    Action.ASK_SEND: (999_999_999_999,),
    Action.ASK_CANCEL: (999_999_999_999,),
    Action.ANSWER: (999_999_999_999,),
    Action.LANGUAGE: ("ur",),
    Action.LANGUAGE_ITEM: ("ur", "999"),
    Action.LANGUAGE_SUGGESTION: ("en", 999_999_999_999),
    Action.LINK_ITEM: ("999",),
    Action.LINK_SUGGESTION: (999_999_999_999,),
}


@pytest.mark.parametrize("action", list(Action))
def test_every_action_round_trips_within_64_bytes(action: Action) -> None:
    args = EXAMPLES.get(action, ())
    assert len(args) == len(action.kinds)
    data = encode(action, *args)
    assert len(data.encode()) <= MAX_BYTES
    decoded = decode(data)
    assert decoded.action is action
    assert decoded.args == tuple(str(arg) for arg in args)


@pytest.mark.parametrize(
    "data",
    [None, "", "v1", "v1:", "v2:begin", "V1:begin", "v1:nope", "v1:begin:1", "v1:st:1",
     "v1:st:1:maybe", "v1:st::support", "v1:st:1a:support", "v1:st:1000:support",
     "v1:st:1.2:support", "v1:pr:1:high:x", "v1:sk", "v1:go:-1", "x" * 65,
     "v1:st:1:support\n", "v1:st:\u0661:support", "v1:vt:0:a:0", "v1:vt:01:a:0",
     "v1:vt:1:agree:0", "v1:vt:1:a", "v1:vt:1:a:100", "v1:rp:1", "v1:ai:1",
     "v1:wd:1234567890123", "v1:pa:-5", "v1:tt:18:finished", "v1:tf:18:text",
     "v1:tv:18:x", "v1:fo:18:1", "v1:aq:0"],
)  # fmt: skip
def test_forged_data_is_refused(data: str | None) -> None:
    with pytest.raises(CodecError):
        decode(data)


def test_encode_refuses_what_decode_would() -> None:
    with pytest.raises(CodecError):
        encode(Action.STANCE, "1", "maybe")


def test_every_button_is_declared_with_a_handler_that_exists() -> None:
    assert set(HANDLERS) == set(Action)
    assert all(callable(handler) for handler in HANDLERS.values())
    assert len({action.code for action in Action}) == len(Action), "codes are unique"


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.name.lower())
def test_fields_are_read_by_the_names_declared(action: Action) -> None:
    values = {Arg.ID: "7", Arg.ITEM: "4", Arg.COUNT: "1", Arg.VOTE: "a", Arg.REASON: "spam",
              Arg.STANCE: "support", Arg.PRIORITY: "high", Arg.STATUS: "done",
              Arg.FIELD: "deadline", Arg.LANGUAGE: "ur", Arg.AWAITING: "proposal",
              Arg.SUBITEM: "9.3"}  # fmt: skip
    fields = {name: values[kind] for name, kind in action.spec.fields}
    pressed = decode(encode(action, **fields))
    assert pressed.action is action
    assert {name: pressed.text(name) for name in action.names} == fields
    with pytest.raises(KeyError):
        pressed.text("no_such_field")


def test_encoding_by_name_refuses_missing_or_unknown_fields() -> None:
    with pytest.raises(CodecError):
        encode(Action.VOTE, suggestion=1, vote="a")
    with pytest.raises(CodecError):
        encode(Action.VOTE, suggestion=1, vote="a", shown=0, extra=2)
