"""Shared fixtures: a plan, a migrated database (on SQLite, and on PostgreSQL where a server
can be started), a hearing's services, a fixed clock, the emulator and a running hearing."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.emulator import Emulator
from bot.emulator.speclog import SpecWarning, watching
from bot.hearing.plan import Plan, load_plan
from bot.services import Services
from storage.backend import Store
from tests.harness import (
    POSTGRES_AT,
    TOKEN,
    Clock,
    Hearing,
    at,
    build_services,
    database_at,
    make_settings,
)
from tests.postgres_cluster import HOW_TO_ENABLE, Cluster, server_binaries, start_cluster

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


BACKENDS = ("sqlite", "postgres")
_ran: dict[str, int] = dict.fromkeys(BACKENDS, 0)
_on_postgres: set[str] = set()


@pytest.fixture(scope="session")
def postgres_cluster(request: pytest.FixtureRequest) -> Iterator[Cluster | str]:
    """A throwaway PostgreSQL cluster for the session, or why there is none."""
    cluster = start_cluster()
    if isinstance(cluster, str):
        request.config.stash[_failed_key] = cluster
    yield cluster
    if isinstance(cluster, Cluster):
        cluster.stop()


@pytest.fixture(params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[str | None]:
    """Where the test's hearing keeps its data: None (SQLite at tmp_path/hearing.db), or the
    URL of a fresh, migrated PostgreSQL database standing in for that file."""
    if request.param == "sqlite":
        yield None
        return
    cluster = request.getfixturevalue("postgres_cluster")
    if isinstance(cluster, str):
        pytest.skip(f"PostgreSQL half skipped: {cluster}")
    url = await cluster.fresh_database()
    POSTGRES_AT[tmp_path / "hearing.db"] = url
    try:
        yield url
    finally:
        del POSTGRES_AT[tmp_path / "hearing.db"]
        await cluster.drop(url)


@pytest.fixture
async def postgres_url(postgres_cluster: Cluster | str) -> str:
    """A fresh, migrated PostgreSQL database of the test's own (for PostgreSQL-only tests)."""
    if isinstance(postgres_cluster, str):
        pytest.skip(f"PostgreSQL half skipped: {postgres_cluster}")
    return await postgres_cluster.fresh_database()


@pytest.fixture
async def bare_postgres_url(postgres_cluster: Cluster | str) -> AsyncIterator[str]:
    """A PostgreSQL database nothing was ever applied to: no table at all."""
    if isinstance(postgres_cluster, str):
        pytest.skip(f"PostgreSQL half skipped: {postgres_cluster}")
    url = await postgres_cluster.empty_database()
    try:
        yield url
    finally:
        await postgres_cluster.drop(url)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the PostgreSQL half where no server can run, to say so in one line."""
    postgres = [item for item in items if _backend(item) == "postgres"]
    if server_binaries() is None and postgres:
        config.hook.pytest_deselected(items=postgres)
        items[:] = [item for item in items if _backend(item) != "postgres"]
        config.stash[_skipped_key] = len(postgres)
    _on_postgres.update(item.nodeid for item in items if _backend(item) == "postgres")


_skipped_key = pytest.StashKey[int]()
_failed_key = pytest.StashKey[str]()


def _backend(item: pytest.Item) -> str:
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "database_url" in callspec.params:
        return "postgres" if callspec.params["database_url"] == "postgres" else "sqlite"
    return "postgres" if "postgres_cluster" in getattr(item, "fixturenames", ()) else "sqlite"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count the tests that passed on each backend."""
    if report.when == "call" and report.passed:
        _ran["postgres" if report.nodeid in _on_postgres else "sqlite"] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many tests passed on each backend, or that the PostgreSQL half was skipped."""
    stash = terminalreporter.config.stash
    skipped, failed = stash.get(_skipped_key, 0), stash.get(_failed_key, None)
    line = f"backends: {_ran['sqlite']} passed on SQLite, {_ran['postgres']} on PostgreSQL"
    if skipped:
        line += f"; PostgreSQL half skipped ({skipped} tests): {HOW_TO_ENABLE}"
    elif failed is not None:
        line += f"; PostgreSQL half skipped: {failed}"
    terminalreporter.write_line(line)


@pytest.fixture
async def db(database_url: str | None, tmp_path: Path) -> AsyncIterator[Store]:
    """A migrated database: a real SQLite file, or a fresh PostgreSQL database."""
    async with database_at(tmp_path / "hearing.db") as database:
        yield database


@pytest.fixture
def services(db: Store, plan: Plan, tmp_path: Path) -> Services:
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
async def hearing(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> AsyncIterator[Hearing]:
    """The real bot polling the emulator, on its own database."""
    async with Hearing(emu, make_settings(tmp_path)) as running:
        yield running
