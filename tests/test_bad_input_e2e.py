"""Bad input gets a clear, polite answer and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import Hearing, query

CITIZEN = 777


async def snapshot(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Read every table that a citizen's input can change."""
    tables = ("participants", "stances", "stance_history", "suggestions")
    return {table: await query(path, f"SELECT * FROM {table} ORDER BY 1") for table in tables}


async def at_item_one(hearing: Hearing) -> None:
    """Bring the citizen to the stance question of item 1."""
    await hearing.say(CITIZEN, "/start")
    await hearing.press(CITIZEN, "Begin")


async def awaiting_suggestion(hearing: Hearing) -> None:
    """Bring the citizen to the point where their next text is a suggestion."""
    await at_item_one(hearing)
    await hearing.press(CITIZEN, "👍 Support")
    await hearing.press(CITIZEN, "High")
    await hearing.press(CITIZEN, "✍️ Add a suggestion")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I support it", "Please answer with the buttons"),
        ("x" * 10_000, "Please answer with the buttons"),
        ("/frobnicate", "I don't know that command"),
        ("   ", "Please answer with the buttons"),
    ],
    ids=["text-for-button", "10000-chars", "unknown-command", "whitespace"],
)
async def test_text_where_a_button_is_expected(hearing: Hearing, text: str, expected: str) -> None:
    await at_item_one(hearing)
    before = await snapshot(hearing.settings.database_path)
    replies = await hearing.say(CITIZEN, text)
    assert expected in replies[0].plain_text()
    assert await snapshot(hearing.settings.database_path) == before
    if expected.startswith("Please answer"):
        assert "Item 1 of 20" in replies[1].plain_text(), "the prompt is shown again"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x" * 10_000, "Your suggestion is 10000 characters long; the limit is 1000"),
        ("y" * 1001, "Your suggestion is 1001 characters long; the limit is 1000"),
        (" \n\t ", "Your suggestion looks empty"),
    ],
    ids=["10000-chars", "just-over-limit", "whitespace-only"],
)
async def test_bad_suggestion_is_refused_and_still_awaited(
    hearing: Hearing, text: str, expected: str
) -> None:
    await awaiting_suggestion(hearing)
    before = await snapshot(hearing.settings.database_path)
    replies = await hearing.say(CITIZEN, text)
    assert len(replies) == 1 and expected in replies[0].plain_text()
    assert await snapshot(hearing.settings.database_path) == before
    replies = await hearing.say(CITIZEN, "z" * 1000)
    assert "Your suggestion on item 1 is saved" in replies[0].plain_text()


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "document", "location"])
@pytest.mark.parametrize("awaiting", [False, True], ids=["at-button", "awaiting-text"])
async def test_non_text_messages_get_a_polite_answer(
    hearing: Hearing, kind: str, awaiting: bool
) -> None:
    await (awaiting_suggestion(hearing) if awaiting else at_item_one(hearing))
    before = await snapshot(hearing.settings.database_path)
    hearing.emu.send_other(CITIZEN, kind)
    await hearing.settle()
    reply = hearing.last(CITIZEN).plain_text()
    assert "I can only read text" in reply
    assert ("suggestion on item 1" in reply) is awaiting
    assert await snapshot(hearing.settings.database_path) == before


async def test_edited_message_is_not_picked_up(hearing: Hearing) -> None:
    await awaiting_suggestion(hearing)
    await hearing.say(CITIZEN, "first version")
    before = await snapshot(hearing.settings.database_path)
    own_message_id = 1  # the emulator numbers the citizen's messages in the chat too
    hearing.emu.edit_message(CITIZEN, own_message_id, "edited version")
    await hearing.settle()
    assert "Edits are not picked up" in hearing.last(CITIZEN).plain_text()
    assert await snapshot(hearing.settings.database_path) == before


@pytest.mark.parametrize(
    ("data", "notice"),
    [
        ("v1:st:99:support", "that item does not exist"),
        ("v1:st:1:love", "this button is not valid"),
        ("v2:st:1:support", "this button is not valid"),
        ("v1:pr:1", "this button is not valid"),
        ("v1:st:1:support:extra", "this button is not valid"),
        ("v1:go:../1", "this button is not valid"),  # outside-ok: bad input
        ("v1:drop_tables", "this button is not valid"),
        ("", "this button is not valid"),
        ("ü" * 32, "this button is not valid"),
        ("v1:pr:2:high", "answer Support, Oppose or Unsure on item 2 first"),
        ("v1:bk:1", "This is the first item"),
    ],
)
async def test_forged_or_stale_buttons_change_nothing(
    hearing: Hearing, data: str, notice: str
) -> None:
    await at_item_one(hearing)
    before = await snapshot(hearing.settings.database_path)
    message = hearing.with_buttons(CITIZEN)
    update_id = hearing.emu.press_button(CITIZEN, message.message_id, data, check=False)
    await hearing.settle()
    answer = hearing.emu.answer_for(update_id)
    assert answer is not None and notice.lower() in answer["text"].lower()
    assert await snapshot(hearing.settings.database_path) == before
    assert hearing.with_buttons(CITIZEN).message_id == message.message_id


async def test_group_chat_is_redirected_to_private(hearing: Hearing) -> None:
    group = -100123
    hearing.emu.send_message(CITIZEN, "/start", chat_id=group, chat_type="supergroup")
    hearing.emu.send_message(CITIZEN, "just chatting", chat_id=group, chat_type="supergroup")
    await hearing.settle()
    sent = hearing.emu.messages(group)
    assert len(sent) == 1, "only the command is answered; group chatter is ignored"
    assert "private chat" in sent[0].plain_text()
    assert sent[0].buttons() == [[("Open a private chat", "https://t.me/hearing_test_bot")]]
    assert (await snapshot(hearing.settings.database_path))["participants"] == []


@pytest.mark.parametrize("command", ["/start", "/items", "/mine", "/help", "/nonsense"])
async def test_a_command_ends_the_wait_for_a_suggestion(hearing: Hearing, command: str) -> None:
    await awaiting_suggestion(hearing)
    await hearing.say(CITIZEN, command)
    before = await snapshot(hearing.settings.database_path)
    replies = await hearing.say(CITIZEN, "hello, how does this bot work?")
    assert "Please answer with the buttons" in replies[0].plain_text()
    assert (await snapshot(hearing.settings.database_path))["suggestions"] == before["suggestions"]
    await hearing.say(CITIZEN, "/start")
    await hearing.press(CITIZEN, "Continue from item 1")
    assert "Would you like to add a suggestion" in hearing.last(CITIZEN).plain_text()


async def test_a_command_ends_the_wait_for_a_proposal(hearing: Hearing) -> None:
    await hearing.say(CITIZEN, "/propose")
    await hearing.say(CITIZEN, "/start")
    await hearing.say(CITIZEN, "hello there, how do I use this bot")
    assert (await snapshot(hearing.settings.database_path))["suggestions"] == []
