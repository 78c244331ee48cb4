"""Unicode tricks end to end: what a citizen types loses its invisible characters before it is
stored or shown (cards, the moderators' queue, the digest), and screening sees through them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from bot.emulator import Emulator, SentMessage
from bot.hearing.typed_text import BIDI_CONTROLS
from tests.harness import Hearing, make_settings, query

ANA, BILAL, CHAND = 6101, 6102, 6103
DRAFTER, MODERATOR = 6901, 6902
# An override at the end reverses how everything after it on the line displays (the counts).
REVERSED = "Publish the names of the judges\u202e"
ZERO_WIDTH_PHONE = "Call my cousin on 0300\u200b123\u200b4567 about the witnesses"
DOTTED_PHONE = "Call my cousin on 0300.123.4567 about the witnesses"
INVISIBLE = BIDI_CONTROLS | {"\u200b", "\u200e", "\u200f", "\u2060", "\ufeff"}


@pytest.fixture
async def hearing(emu: Emulator, tmp_path: Path) -> AsyncIterator[Hearing]:
    """A hearing with a drafter and a moderator who have opened the bot."""
    settings = make_settings(
        tmp_path, drafter_ids=frozenset({DRAFTER}), moderator_ids=frozenset({MODERATOR})
    )
    async with Hearing(emu, settings) as running:
        await running.open_chats(DRAFTER, MODERATOR)
        yield running


def shown(messages: list[SentMessage]) -> str:
    """Everything the bot showed in these messages."""
    return "\n".join(m.text or m.caption or "" for m in messages)


async def stored_texts(hearing: Hearing) -> list[str]:
    """Every suggestion's stored text, oldest first."""
    rows = await query(hearing.settings.database_path, "SELECT text FROM suggestions ORDER BY id")
    return [str(row[0]) for row in rows]


async def test_an_override_is_neither_stored_nor_shown(hearing: Hearing) -> None:
    sid = await hearing.suggest(ANA, "3", REVERSED)
    assert await stored_texts(hearing) == ["Publish the names of the judges"]
    card = await hearing.open_link(BILAL, f"s-{sid}")
    digest = await hearing.say(DRAFTER, "/digest")
    for seen in (hearing.emu.messages(ANA), card, digest):
        text = shown(seen)
        assert "Publish the names of the judges" in text
        assert not INVISIBLE & set(text)


@pytest.mark.parametrize("text", [ZERO_WIDTH_PHONE, DOTTED_PHONE])
async def test_a_phone_number_behind_invisible_characters_or_dots_is_held(
    hearing: Hearing, text: str
) -> None:
    sid = await hearing.suggest(ANA, "4", text)
    rows = await query(
        hearing.settings.database_path,
        "SELECT s.status, f.reason, f.detail FROM suggestions s"
        " JOIN auto_flags f ON f.suggestion_id = s.id WHERE s.id = ?",
        sid,
    )
    assert rows == [("pending", "personal_data", "number")]
    await hearing.say(MODERATOR, "/queue")
    assert not INVISIBLE & set(shown([hearing.last(MODERATOR)]))


async def test_the_same_words_typed_differently_are_held_as_repeated(hearing: Hearing) -> None:
    await hearing.suggest(ANA, "5", "Train police to respond within one hour")
    sid = await hearing.suggest(BILAL, "6", "TRAIN police to\u200b respond, within one hour!")
    rows = await query(
        hearing.settings.database_path,
        "SELECT f.reason FROM auto_flags f WHERE f.suggestion_id = ?",
        sid,
    )
    assert rows == [("repeated",)]


async def test_text_stored_before_the_fix_is_shown_without_its_override(
    hearing: Hearing,
) -> None:
    sid = await hearing.suggest(ANA, "7", "Publish every court's caseload")
    async with aiosqlite.connect(hearing.settings.database_path) as conn:
        await conn.execute("UPDATE suggestions SET text = ? WHERE id = ?", (REVERSED, sid))
        await conn.commit()
    card = await hearing.open_link(CHAND, f"s-{sid}")
    text = shown(card)
    assert "Publish the names of the judges" in text and not INVISIBLE & set(text)
