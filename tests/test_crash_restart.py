"""`hearing-bot run` as a real process: SIGKILL in the middle, restart, continue exactly there."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.emulator import Emulator, SentMessage
from tests.harness import SECRET, TOKEN, database_env, query

CITIZEN = 4242
WAIT = 30.0


class BotProcess:
    """The bot as a separate operating-system process, logging to a file."""

    def __init__(self, emu: Emulator, workdir: Path) -> None:
        self.workdir = workdir
        self.log = workdir / "bot.log"
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": emu.base_url,
            "PSEUDONYM_SECRET": SECRET,
            **database_env(workdir / "hearing.db"),
            "LOG_LEVEL": "DEBUG",
        }
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start `python -m bot run` in the work folder."""
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run",
                cwd=self.workdir, env=self.env, stdout=log, stderr=log,
            )  # fmt: skip

    async def kill(self) -> None:
        """Kill the process with SIGKILL, as a power cut or the OOM killer would."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def terminate(self) -> int:
        """Ask the process to stop with SIGTERM and return its exit status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout=10)


@pytest.fixture
async def bot_process(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> AsyncIterator[BotProcess]:
    """A bot process against the emulator, killed at the end of the test whatever happens."""
    running = BotProcess(emu, tmp_path)
    try:
        yield running
    finally:
        if running.process is not None and running.process.returncode is None:
            running.process.kill()
            await running.process.wait()


def containing(text: str) -> Callable[[SentMessage], bool]:
    """Match a bot message whose visible text contains `text`."""
    return lambda message: text in message.plain_text()


async def test_sigkill_then_restart_continues_where_the_citizen_was(
    emu: Emulator, bot_process: BotProcess, database_url: str | None
) -> None:
    await bot_process.start()
    emu.send_message(CITIZEN, "/start")
    welcome = await emu.wait_for_message(CITIZEN, containing("Your privacy"), timeout=WAIT)
    emu.press(CITIZEN, welcome.message_id, "Begin")
    item = await emu.wait_for_message(CITIZEN, containing("Item 1 of 20"), timeout=WAIT)
    emu.press(CITIZEN, item.message_id, "👍 Support")
    await emu.wait_for_message(CITIZEN, containing("How high a priority"), timeout=WAIT)

    await bot_process.kill()
    await bot_process.start()

    # The button on the message sent before the kill still works after the restart.
    emu.press(CITIZEN, item.message_id, "High")
    await emu.wait_for_message(
        CITIZEN, containing("Would you like to add a suggestion"), timeout=WAIT
    )
    emu.press(CITIZEN, item.message_id, "✍️ Add a suggestion")
    await emu.wait_for_message(CITIZEN, containing("Send your suggestion"), timeout=WAIT)

    await bot_process.kill()
    await bot_process.start()

    after = emu.cursor(CITIZEN)
    emu.send_message(CITIZEN, "Protect witnesses and judges")
    await emu.wait_for_message(CITIZEN, containing("Item 2 of 20"), after=after, timeout=WAIT)
    emu.send_message(CITIZEN, "/start")
    welcome_back = await emu.wait_for_message(CITIZEN, containing("Welcome back"), timeout=WAIT)
    assert welcome_back.button_labels() == ["Continue from item 2", "Start over"]

    assert await bot_process.terminate() == 0, "SIGTERM stops the bot cleanly"

    path = bot_process.workdir / "hearing.db"
    if database_url is None:
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert await query(path, "SELECT stance, priority FROM stances") == [("support", "high")]
    assert await query(path, "SELECT item_id, text FROM suggestions") == [
        ("1", "Protect witnesses and judges")
    ]
    log = bot_process.log.read_text(encoding="utf-8")
    assert "hearing" in log, "the bot logged its start"
    for secret in (TOKEN, TOKEN.split(":")[1], str(CITIZEN), "Protect witnesses"):
        assert secret not in log, "logs carry no token, Telegram id or message text"


# Five citizens' suggestions, far enough apart that none is offered as a near-duplicate.
SUGGESTIONS = {
    5001: "Fund night buses for hospital shift workers",
    5002: "Publish every court ruling online within a week",
    5003: "Teach border guards first aid",
    5004: "Audit police overtime budgets yearly",
    5005: "Translate the plan into sign language",
}


async def reach_the_suggestion_prompt(emu: Emulator, citizen: int) -> None:
    """Walk a citizen through item 1 up to 'Send your suggestion'."""
    emu.send_message(citizen, "/start")
    welcome = await emu.wait_for_message(citizen, containing("Your privacy"), timeout=WAIT)
    emu.press(citizen, welcome.message_id, "Begin")
    item = await emu.wait_for_message(citizen, containing("Item 1 of 20"), timeout=WAIT)
    emu.press(citizen, item.message_id, "👍 Support")
    await emu.wait_for_message(citizen, containing("How high a priority"), timeout=WAIT)
    emu.press(citizen, item.message_id, "High")
    await emu.wait_for_message(
        citizen, containing("Would you like to add a suggestion"), timeout=WAIT
    )
    emu.press(citizen, item.message_id, "✍️ Add a suggestion")
    await emu.wait_for_message(citizen, containing("Send your suggestion"), timeout=WAIT)


async def test_sigkill_between_fetching_and_handling_loses_and_repeats_nothing(
    emu: Emulator, bot_process: BotProcess
) -> None:
    # One update at a time, so that when the first reply reaches the emulator, the update that
    # sent it is half done and every other one is fetched (perhaps confirmed) but not handled.
    # The kill lands before the bot can send anything else: the emulator runs in this event
    # loop, which wakes this test before it reads the bot's next request.
    bot_process.env["MAX_CONCURRENT_UPDATES"] = "1"
    await bot_process.start()
    for citizen in SUGGESTIONS:
        await reach_the_suggestion_prompt(emu, citizen)
    cursors = {citizen: emu.cursor(citizen) for citizen in SUGGESTIONS}

    for citizen, text in SUGGESTIONS.items():
        emu.send_message(citizen, text)
    replied = await emu.wait_until(
        lambda: {c: emu.cursor(c) - n for c, n in cursors.items() if emu.cursor(c) > n},
        timeout=WAIT,
    )
    await bot_process.kill()
    assert list(replied.values()) == [1], "one update was half done, the others not begun"

    await bot_process.start()
    for citizen in SUGGESTIONS:
        after = cursors[citizen]
        await emu.wait_for_message(citizen, containing("Item 2 of 20"), after=after, timeout=WAIT)
    assert await bot_process.terminate() == 0

    for citizen, text in SUGGESTIONS.items():
        confirmations = [m for m in emu.messages(citizen) if text in m.plain_text()]
        assert len(confirmations) == 1, "each suggestion is confirmed exactly once"
    path = bot_process.workdir / "hearing.db"
    stored = sorted(str(text) for (text,) in await query(path, "SELECT text FROM suggestions"))
    assert stored == sorted(SUGGESTIONS.values()), "each suggestion is stored exactly once"
    assert await query(path, "SELECT count(*) FROM inbox WHERE status = 'pending'") == [(0,)]
    log = bot_process.log.read_text(encoding="utf-8")
    assert "left pending by an earlier run" in log, "the unhandled updates were replayed"
    for secret in (TOKEN.split(":")[1], *map(str, SUGGESTIONS), *SUGGESTIONS.values()):
        assert secret not in log, "logs carry no token, Telegram id or message text"
