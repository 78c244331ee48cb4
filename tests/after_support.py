"""Shared pieces of the after-the-hearing tests: a hand-set clock and a hearing with roles."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.emulator import Emulator
from tests.harness import Hearing, background, make_settings

KARACHI = ZoneInfo("Asia/Karachi")
DRAFTER, OVERSEER, CITIZEN = 7001, 7101, 501


def at(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> datetime:
    """A moment in 2026, Karachi time (27 November 2026 is a Friday)."""
    return datetime(2026, month, day, hour, minute, tzinfo=KARACHI)


@dataclass
class Clock:
    """A clock the test sets by hand."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


@asynccontextmanager
async def running(
    emu: Emulator, tmp_path: Path, clock: Clock, **overrides: Any
) -> AsyncIterator[Hearing]:
    """A hearing with a drafter and an oversight member who have both opened the bot."""
    settings = replace(
        make_settings(tmp_path), drafter_ids=frozenset({DRAFTER}),
        oversight_ids=frozenset({OVERSEER}), **overrides,
    )  # fmt: skip
    hearing = Hearing(emu, settings, clock)
    await hearing.start()
    for staff in (DRAFTER, OVERSEER):
        await hearing.say(staff, "/help")
    try:
        yield hearing
    finally:
        await hearing.stop()


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
