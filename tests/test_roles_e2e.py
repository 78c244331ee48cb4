"""Roles are checked at every use, from the settings, and fail closed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.emulator import Emulator
from bot.views.buttons import Role
from bot.views.codec import Action, Arg, encode
from tests.harness import Hearing, make_settings, query

DRAFTER, AUTHOR, CITIZEN = 7301, 631, 632
REFUSED = "Sorry, this is only for the hearing's drafters."
# Every button a citizen may press. A new action must be put here or in DRAFTER_ACTIONS: an
# unclassified one fails this test rather than being open to everyone by omission.
CITIZEN_ACTIONS = frozenset({
    Action.BEGIN, Action.RESUME, Action.RESTART, Action.REVIEW, Action.STANCE, Action.PRIORITY,
    Action.SUGGEST, Action.SKIP, Action.BACK, Action.OPEN, Action.VOTE, Action.REPORT,
    Action.AGREE_INSTEAD, Action.POST_ANYWAY, Action.WITHDRAW, Action.WITHDRAW_CONFIRMED,
    Action.PROPOSE, Action.VOTE_PROPOSALS, Action.UPDATES_ON, Action.UPDATES_OFF,
    Action.REPORT_REASON, Action.REPORT_CANCEL, Action.APPEAL, Action.ERASE, Action.ERASE_KEEP,
    Action.STATUS_ITEM, Action.FOLLOW, Action.UNFOLLOW, Action.FOLLOW_HIGH, Action.FOLLOW_UPS_ON,
    Action.FOLLOW_UPS_OFF, Action.FOLLOW_UPS_ACCEPT, Action.ANSWER,
    Action.LANGUAGE, Action.CANCEL_SUGGESTION, Action.CANCEL_INPUT, Action.WITHDRAW_KEEP,
    Action.LINK_ITEM, Action.LINK_SUGGESTION, Action.LANGUAGE_ITEM, Action.LANGUAGE_SUGGESTION,
    Action.CORRECT_HELD, Action.AUTHOR_ANSWER, Action.SUB_ITEMS, Action.SUB_STANCE,
    Action.SUB_DONE,
})  # fmt: skip
# What a drafter's actions change: none of it may change when someone else presses them.
STATE = (
    "SELECT (SELECT COUNT(*) FROM suggestion_responses),"
    " (SELECT group_concat(status) FROM suggestions),"
    " (SELECT group_concat(status) FROM broadcasts),"
    " (SELECT group_concat(kind) FROM awaited_inputs)"
)
ARGS = {Arg.ID: "1", Arg.ITEM: "4", Arg.REASON: "spam"}
# What the declarations in bot/views/buttons.py say; checked against the list above.
DRAFTER_ACTIONS = frozenset(a for a in Action if a.role is Role.DRAFTER)
TRACKER_ACTIONS = frozenset(a for a in Action if a.role is Role.TRACKER)
MODERATOR_ACTIONS = frozenset(a for a in Action if a.role is Role.MODERATOR)


def test_every_button_action_is_a_citizens_a_drafters_or_a_moderators() -> None:
    assert not CITIZEN_ACTIONS & DRAFTER_ACTIONS
    assert not (CITIZEN_ACTIONS | DRAFTER_ACTIONS) & MODERATOR_ACTIONS
    # Trackers (drafters or the oversight committee) set what became of an item.
    assert not (CITIZEN_ACTIONS | DRAFTER_ACTIONS | MODERATOR_ACTIONS) & TRACKER_ACTIONS
    everyone = CITIZEN_ACTIONS | DRAFTER_ACTIONS | MODERATOR_ACTIONS | TRACKER_ACTIONS
    assert set(Action) == everyone


@pytest.fixture
async def drafted(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> AsyncIterator[Hearing]:
    """A hearing with a suggestion (#1) and a broadcast (#1) the drafter has not sent yet."""
    async with Hearing(emu, make_settings(tmp_path, drafter_ids=frozenset({DRAFTER}))) as hearing:
        assert await hearing.suggest(AUTHOR, "4", "Win hearts with schools and jobs") == 1
        await hearing.open_chats(CITIZEN)
        await hearing.say(DRAFTER, "/broadcast")
        await hearing.say(DRAFTER, "The second draft is out")
        yield hearing


@pytest.mark.parametrize("action", sorted(DRAFTER_ACTIONS, key=str), ids=lambda a: a.name.lower())
async def test_a_citizen_pressing_a_drafters_button_is_refused(
    drafted: Hearing, action: Action
) -> None:
    data = encode(action, *(ARGS[arg] for arg in action.kinds))
    before = await query(drafted.settings.database_path, STATE)
    message = drafted.last(CITIZEN)
    update_id = drafted.emu.press_button(CITIZEN, message.message_id, data, check=False)
    await drafted.settle()
    answer = drafted.emu.answer_for(update_id)
    assert answer is not None and answer["text"] == REFUSED and answer["show_alert"]
    assert await query(drafted.settings.database_path, STATE) == before, "nothing changed"
    assert drafted.last(CITIZEN) == message, "nothing sent or edited"


@pytest.mark.parametrize("command", ["/digest", "/broadcast", "/export"])
async def test_a_citizen_using_a_drafters_command_is_refused(
    drafted: Hearing, command: str
) -> None:
    before = await query(drafted.settings.database_path, STATE)
    replies = await drafted.say(CITIZEN, command)
    assert [m.plain_text() for m in replies] == [REFUSED]
    assert await query(drafted.settings.database_path, STATE) == before


async def test_a_drafter_removed_from_the_settings_loses_the_role_at_once(
    drafted: Hearing,
) -> None:
    confirm = drafted.with_buttons(DRAFTER)
    assert confirm.button_labels()[0] == "📢 Send it"
    await drafted.stop()
    drafted.settings = replace(drafted.settings, drafter_ids=frozenset())
    await drafted.start()
    update_id = drafted.emu.press(DRAFTER, confirm.message_id, "📢 Send it")
    await drafted.settle()
    answer = drafted.emu.answer_for(update_id)
    assert answer is not None and answer["text"] == REFUSED
    assert await query(drafted.settings.database_path, "SELECT status FROM broadcasts") == [
        ("draft",)
    ]
    replies = await drafted.say(DRAFTER, "/digest")
    assert [m.plain_text() for m in replies] == [REFUSED]


@pytest.mark.parametrize("user", [CITIZEN, DRAFTER], ids=["group-admin", "drafter"])
async def test_drafter_commands_in_a_group_only_point_to_the_private_chat(
    drafted: Hearing, user: int
) -> None:
    # Roles come from the settings alone: being an admin of a group the bot is in gives none,
    # and even a drafter acts only in a private chat with the bot.
    group = -100_555
    before = await query(drafted.settings.database_path, STATE)
    drafted.emu.send_message(user, "/broadcast", chat_id=group, chat_type="supergroup")
    await drafted.settle()
    replies = drafted.emu.messages(group)
    assert len(replies) == 1 and "private" in replies[0].plain_text()
    assert await query(drafted.settings.database_path, STATE) == before


@pytest.mark.parametrize(
    "action", sorted(MODERATOR_ACTIONS, key=str), ids=lambda a: a.name.lower()
)
async def test_a_drafter_pressing_a_moderators_button_is_refused(
    drafted: Hearing, action: Action
) -> None:
    data = encode(action, *(ARGS[arg] for arg in action.kinds))
    before = await query(drafted.settings.database_path, STATE)
    message = drafted.last(DRAFTER)
    update_id = drafted.emu.press_button(DRAFTER, message.message_id, data, check=False)
    await drafted.settle()
    answer = drafted.emu.answer_for(update_id)
    assert answer is not None and "only for the hearing's moderators" in answer["text"]
    assert await query(drafted.settings.database_path, STATE) == before, "nothing changed"
    rows = await query(drafted.settings.database_path, "SELECT COUNT(*) FROM moderation_log")
    assert rows == [(0,)]


@pytest.mark.parametrize("command", ["/queue", "/modlog"])
async def test_a_drafter_using_a_moderators_command_is_refused(
    drafted: Hearing, command: str
) -> None:
    replies = await drafted.say(DRAFTER, command)
    assert [m.plain_text() for m in replies] == [
        "Sorry, this is only for the hearing's moderators."
    ]
