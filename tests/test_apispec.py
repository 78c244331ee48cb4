"""The shipped Bot API specification, as the emulator reads it."""

from __future__ import annotations

from bot.emulator import apispec, validation
from bot.emulator.methods_bot import METHODS


def test_the_shipped_spec_is_read_once_and_knows_every_emulated_method() -> None:
    spec = apispec.load()
    assert spec is apispec.load()
    assert spec.version == "Bot API 10.1"
    assert [name for name in METHODS if spec.method(name) is None] == []


def test_the_limits_the_methods_enforce_after_parsing_are_the_specs() -> None:
    spec = apispec.load()
    send, photo, answer = (
        spec.method(n) for n in ("sendMessage", "sendPhoto", "answerCallbackQuery")
    )
    assert send and photo and answer
    text, caption = send.fields["text"].limit, photo.fields["caption"].limit
    assert text and caption and text.after_entities and caption.after_entities
    assert (text.low, text.high, caption.high) == (1, validation.MAX_TEXT, validation.MAX_CAPTION)
    assert answer.fields["text"].limit == apispec.Limit(0, 200, "characters", False)


def test_rules_stated_in_words_are_read_from_the_spec() -> None:
    spec = apispec.load()
    button, command = spec.types["InlineKeyboardButton"], spec.types["BotCommand"]
    assert button.exactly_one and "text" not in button.one_of and "style" not in button.one_of
    assert {"callback_data", "url", "pay", "copy_text"} <= button.one_of
    assert button.fields["callback_data"].limit == apispec.Limit(1, 64, "bytes", False)
    assert command.fields["command"].limit == apispec.Limit(1, 32, "characters", False)
    assert command.fields["description"].limit == apispec.Limit(1, 256, "characters", False)
    pattern = command.fields["command"].charset
    assert pattern and pattern.fullmatch("my_items_2") and not pattern.fullmatch("Items")
    kinds = [shape.name for shape in spec.concrete("BotCommandScope")]
    assert "BotCommandScopeChat" in kinds and spec.types["KeyboardButton"].takes_string
