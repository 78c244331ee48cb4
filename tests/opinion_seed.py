"""Seed opinion camps straight into a hearing's database (fast: no button presses).

Each camp is a set of Telegram ids answering the plan's items with one pattern; everyone's
answers go through the repositories, as the walkthrough would record them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.hearing.plan import Plan
from bot.hearing.privacy import pseudonym
from bot.model.clock import Clock, system_clock
from bot.model.values import Priority, Stance, Vote
from tests.harness import SECRET, database_at

SUPPORT, OPPOSE, UNSURE = Stance.SUPPORT, Stance.OPPOSE, Stance.UNSURE


@dataclass(frozen=True)
class Camp:
    """People who answer alike: a stance per item (items not listed are left unanswered)."""

    users: Sequence[int]
    stances: Mapping[str, Stance]
    # Each member answers one item the other way (the n-th member the n-th listed item), so
    # that a camp is a cloud of points rather than one point.
    wobble: Sequence[str] = ()


def pattern(
    support: Iterable[int], oppose: Iterable[int], unsure: Iterable[int] = ()
) -> dict[str, Stance]:
    """Map item numbers to stances."""
    stances: dict[str, Stance] = {str(i): SUPPORT for i in support}
    stances |= {str(i): OPPOSE for i in oppose}
    stances |= {str(i): UNSURE for i in unsure}
    return stances


def pid(user: int) -> str:
    """The pseudonym the bot gives a Telegram id in the tests."""
    return pseudonym(SECRET, user)


async def seed(path: Path, plan: Plan, camps: Iterable[Camp], clock: Clock = system_clock) -> None:
    """Record every camp member's answers, in one transaction, at the clock's time."""
    async with database_at(path, clock) as db, db.transaction() as repos:
        for camp in camps:
            for n, user in enumerate(camp.users):
                person = pid(user)
                await repos.participants.ensure(person)
                flip = camp.wobble[n % len(camp.wobble)] if camp.wobble else None
                for item, stance in camp.stances.items():
                    if item == flip:
                        stance = OPPOSE if stance is SUPPORT else SUPPORT
                    await repos.stances.record(person, item, stance, Priority.MEDIUM, plan.version)


async def suggest(
    path: Path, plan: Plan, author: int, item: str, text: str, clock: Clock = system_clock
) -> int:
    """Add a visible suggestion by a seeded author; return its id."""
    async with database_at(path, clock) as db, db.transaction() as repos:
        await repos.participants.ensure(pid(author))
        return await repos.suggestions.add(pid(author), item, text, "visible", plan.version)


async def votes(
    path: Path,
    suggestion_id: int,
    users: Iterable[int],
    vote: Vote,
    clock: Clock = system_clock,
) -> None:
    """Record the same vote on a suggestion by each of these seeded people."""
    async with database_at(path, clock) as db, db.transaction() as repos:
        for user in users:
            await repos.votes.record(pid(user), suggestion_id, vote)
