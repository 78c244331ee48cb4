"""Shared by the opinion groups' end-to-end tests: two seeded camps, a drafter, a digest.

Camp A supports items 2-10 and opposes 11-19, camp B the reverse; both support item 1 and a
suggestion on item 5; they split on a suggestion on item 3. Answers are seeded straight into
the database (tests/opinion_seed.py), at the hearing's clock.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.emulator import Emulator, SentMessage
from bot.hearing.plan import Plan
from bot.model.values import Vote
from bot.senders.digests import send_digests
from tests.harness import Hearing, make_settings, query
from tests.opinion_seed import Camp, pattern, seed, suggest, votes

KARACHI = ZoneInfo("Asia/Karachi")
DRAFTER = 7001
CAMP_A = tuple(range(10001, 10013))  # 12 people
CAMP_B = tuple(range(20001, 20011))  # 10 people
A_STANCES = pattern([1, *range(2, 11)], range(11, 20), [20])
B_STANCES = pattern([1, *range(11, 20)], range(2, 11), [20])
MADRASSA = "Register every madrassa with the provincial government"
POLICE = "Train police to respond within one hour"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026, Karachi time."""
    return datetime(2026, 11, day, hour, minute, tzinfo=KARACHI)


class Clock:
    """A clock the test sets by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def start(emu: Emulator, tmp_path: Path, clock: Clock, min_group_size: int = 5) -> Hearing:
    """Start a hearing with one drafter who has opened the bot."""
    settings = replace(
        make_settings(tmp_path), drafter_ids=frozenset({DRAFTER}), min_group_size=min_group_size
    )
    hearing = Hearing(emu, settings, clock)
    await hearing.start()
    await hearing.say(DRAFTER, "/help")
    return hearing


async def seed_camps(hearing: Hearing, plan: Plan, clock: Clock) -> None:
    """Seed the two camps of 12 and 10, a suggestion they split on, one they all agree with."""
    path = hearing.settings.database_path
    wobble_a, wobble_b = [str(i) for i in range(2, 14)], [str(i) for i in range(11, 21)]
    camps = [Camp(CAMP_A, A_STANCES, wobble_a), Camp(CAMP_B, B_STANCES, wobble_b)]
    await seed(path, plan, camps, clock)
    split = await suggest(path, plan, CAMP_A[0], "3", MADRASSA, clock)
    await votes(path, split, CAMP_A[1:], Vote.AGREE, clock)
    await votes(path, split, CAMP_B, Vote.DISAGREE, clock)
    shared = await suggest(path, plan, CAMP_B[0], "5", POLICE, clock)
    await votes(path, shared, CAMP_A + CAMP_B[1:], Vote.AGREE, clock)


async def scheduled_digest(hearing: Hearing, clock: Clock, day: int = 27) -> list[SentMessage]:
    """Run the daily digest job at 20:00 on a day; return what the drafter received."""
    assert hearing.app is not None
    before = len(hearing.emu.messages(DRAFTER))
    clock.now = at(day, 20)
    assert await send_digests(hearing.app)
    return hearing.emu.messages(DRAFTER)[before:]


def texts(messages: list[SentMessage]) -> str:
    """Join the plain text of every text message."""
    return "\n".join(m.plain_text() for m in messages if m.kind == "text")


def photos(messages: list[SentMessage]) -> list[SentMessage]:
    """Return the photos among messages."""
    return [m for m in messages if m.kind == "photo"]


async def stored_labels(path: Path) -> dict[str, int]:
    """Read the latest digest's group per participant, as stored."""
    rows = await query(path, "SELECT participant_id, label FROM opinion_members")
    return {str(p): int(str(label)) for p, label in rows}
