"""Button data: every button the bot makes decodes to itself; anything else is refused."""

from __future__ import annotations

import pytest

from handlers.codec import MAX_BYTES, Action, Button, CodecError, decode, encode


@pytest.mark.parametrize(
    "button",
    [
        Button(Action.BEGIN),
        Button(Action.RESUME),
        Button(Action.RESTART),
        Button(Action.REVIEW),
        Button(Action.STANCE, "12", "support"),
        Button(Action.STANCE, "999", "unsure"),
        Button(Action.PRIORITY, "1", "high"),
        Button(Action.SUGGEST, "20"),
        Button(Action.SKIP, "9"),
        Button(Action.BACK, "2"),
        Button(Action.OPEN, "13.6"),
    ],
)
def test_round_trip(button: Button) -> None:
    data = encode(button.action, button.item_id, button.value)
    assert len(data.encode()) <= MAX_BYTES
    assert decode(data) == button


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "v1",
        "v1:",
        "v2:begin",
        "V1:begin",
        "v1:nope",
        "v1:begin:1",
        "v1:st:1",
        "v1:st:1:maybe",
        "v1:st::support",
        "v1:st:1a:support",
        "v1:st:1000:support",
        "v1:st:1.2.3:support",
        "v1:pr:1:high:x",
        "v1:sk",
        "v1:go:-1",
        "x" * 65,
        "v1:st:1:support\n",
        "v1:st:\u0661:support",
    ],
)
def test_forged_data_is_refused(data: str | None) -> None:
    with pytest.raises(CodecError):
        decode(data)


def test_encode_refuses_what_decode_would() -> None:
    with pytest.raises(CodecError):
        encode(Action.STANCE, "1", "maybe")
