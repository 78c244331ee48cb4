"""Shared pieces of the after-the-hearing tests: a hearing with roles on a hand-set clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.emulator import Emulator
from tests.harness import Clock, Hearing, background, make_settings

DRAFTER, OVERSEER, CITIZEN = 7001, 7101, 501


@asynccontextmanager
async def running(
    emu: Emulator, tmp_path: Path, clock: Clock, **overrides: Any
) -> AsyncIterator[Hearing]:
    """A hearing with a drafter and an oversight member who have both opened the bot."""
    settings = make_settings(
        tmp_path, drafter_ids=frozenset({DRAFTER}), oversight_ids=frozenset({OVERSEER}),
        **overrides,
    )  # fmt: skip
    async with Hearing(emu, settings, clock) as hearing:
        await hearing.open_chats(DRAFTER, OVERSEER)
        yield hearing


async def outbox_sent(hearing: Hearing) -> None:
    """Wait until the background sender has sent everything queued."""
    await background(hearing.app).outbox.wait_idle()


async def forged(hearing: Hearing, user: int, data: str) -> str:
    """Press a button by raw data on the user's latest message; return the alert it got."""
    update_id = hearing.emu.press_button(user, hearing.last(user).message_id, data, check=False)
    await hearing.settle()
    answer = hearing.emu.answer_for(update_id)
    assert answer is not None, "every press is answered"
    return str(answer.get("text", ""))
