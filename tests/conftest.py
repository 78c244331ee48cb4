"""Shared fixtures: a plan, a migrated database, a hearing's services, a fixed clock, the
emulator and a running hearing."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.emulator import Emulator
from bot.emulator.speclog import SpecWarning, watching
from bot.hearing.plan import Plan, load_plan
from bot.services import Services
from storage.db import Database
from tests.harness import TOKEN, Clock, Hearing, at, build_services, make_settings

# python-telegram-bot 22 warns on every RetryAfter unless this opts in to its future behaviour.
os.environ.setdefault("PTB_TIMEDELTA", "1")


@pytest.fixture(autouse=True)
def spec_warnings() -> Iterator[list[SpecWarning]]:
    """Fail a test in which any emulator let through a call that breaks the Bot API spec."""
    with watching() as seen:
        yield seen  # a test that provokes warnings on purpose checks and clears this list
    if seen:
        pytest.fail("Bot API spec warnings:\n" + "\n".join(map(str, seen)), pytrace=False)


@pytest.fixture(scope="session")
def plan() -> Plan:
    """The bundled seed plan."""
    return load_plan()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database on a real SQLite file."""
    async with Database(tmp_path / "hearing.db") as database:
        yield database


@pytest.fixture
def services(db: Database, plan: Plan, tmp_path: Path) -> Services:
    """The services of one hearing over the migrated database, with the default settings."""
    return build_services(db, plan, tmp_path)


@pytest.fixture
def clock() -> Clock:
    """A clock the test sets by hand: Friday 27 November 2026, 10:00 in Karachi."""
    return Clock(at(27))


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """A running local Bot API emulator."""
    async with Emulator(token=TOKEN, bot_username="hearing_test_bot") as emulator:
        yield emulator


@pytest.fixture
async def hearing(emu: Emulator, tmp_path: Path) -> AsyncIterator[Hearing]:
    """The real bot polling the emulator, on its own database."""
    async with Hearing(emu, make_settings(tmp_path)) as running:
        yield running
