"""A citizen's update whose writes meet another transaction's on PostgreSQL is undone and
handled again, alone: its effect is recorded once, its reply sent once, and the citizen never
sees an apology (docs/postgres.md, Transactions)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import asyncpg
import pytest

from bot.emulator import Emulator
from bot.hearing.privacy import pseudonym
from tests.harness import SECRET, Hearing, database_of, make_settings, rows

ANA, DRAFTER = 8801, 8901
WAIT_SECONDS = 30.0


def edits_of(emu: Emulator, message_id: int) -> int:
    """Count the edits of one of the bot's messages to the citizen."""
    message = emu.message(ANA, message_id)
    assert message is not None
    return message.edits


async def a_backend_waits_for_a_row(admin: asyncpg.Connection) -> None:
    """Wait until a backend of this database waits for a row lock (not the writer lock)."""
    waiting = (
        "SELECT COUNT(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE NOT l.granted AND l.locktype <> 'advisory' AND a.datname = current_database()"
    )
    while not await admin.fetchval(waiting):  # noqa: ASYNC110 (the server has no event for it)
        await asyncio.sleep(0.02)


async def test_a_press_that_meets_another_write_is_handled_again_alone(
    emu: Emulator, tmp_path: Path, postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(tmp_path, database_url=postgres_url)
    async with Hearing(emu, settings) as hearing:
        await hearing.open_link(ANA, "item-1")
        item = hearing.last(ANA)
        await hearing.press(ANA, "👍 Support", item)
        before = len(emu.messages(ANA))
        edits = edits_of(emu, item.message_id)
        other = await asyncpg.connect(postgres_url)
        admin = await asyncpg.connect(postgres_url)
        try:
            # Another transaction, concurrent with the citizen's, writes the same answer row.
            await other.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
            await other.execute(
                "UPDATE stances SET priority = priority"
                " WHERE participant_id = $1 AND item_id = '1'",
                pseudonym(SECRET, ANA),
            )
            with caplog.at_level(logging.INFO):
                emu.press(ANA, item.message_id, "High")
                await asyncio.wait_for(a_backend_waits_for_a_row(admin), WAIT_SECONDS)
                await other.execute("COMMIT")
                await hearing.settle()
        finally:
            await other.close()
            await admin.close()
        ana = pseudonym(SECRET, ANA)
        async with database_of(hearing.settings) as db:
            stance = await rows(
                db, "SELECT stance, priority FROM stances WHERE participant_id = ?", ana
            )
            history = await rows(
                db,
                "SELECT stance, priority FROM stance_history WHERE participant_id = ? ORDER BY id",
                ana,
            )
        assert stance == [("support", "high")]
        assert history == [("support", None), ("support", "high")], "recorded once"
        assert len(emu.messages(ANA)) == before, "no apology, nothing sent twice"
        assert edits_of(emu, item.message_id) == edits + 1, "the reply, once"
        assert "handled again, alone: it met a concurrent" in caplog.text
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


async def test_a_notice_to_another_chat_is_sent_once_by_a_unit_run_alone(
    emu: Emulator, tmp_path: Path, postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A drafter's reply goes to its author at once, while the drafter's update is handled:
    a unit that might yet be undone stops before it, and runs again alone to send it."""
    settings = make_settings(tmp_path, database_url=postgres_url, drafter_ids=frozenset({DRAFTER}))
    async with Hearing(emu, settings) as hearing:
        await hearing.open_chats(DRAFTER)
        sid = await hearing.suggest(ANA, "18", "Protect the judges of anti-terrorism courts")
        told = len(emu.messages(ANA))
        [card] = await hearing.say(DRAFTER, f"/start d-{sid}")
        await hearing.press(DRAFTER, "💬 Reply to the author", card)
        with caplog.at_level(logging.INFO):
            await hearing.say(DRAFTER, "Which judges do you mean?")
    notices = [m for m in emu.messages(ANA)[told:] if "Which judges" in m.plain_text()]
    assert len(notices) == 1 and len(emu.messages(ANA)) == told + 1, "told once"
    assert "handled again, alone: it must not be undone" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
