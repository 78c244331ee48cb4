"""The shared test harness: a running hearing for end-to-end tests (the real Application
against the emulator), and a hearing's services over a migrated database for service tests."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Self
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from bot.app import running_hearing, settle
from bot.config import Settings
from bot.emulator import Emulator, SentMessage
from bot.hearing.plan import Plan
from bot.hearing.privacy import pseudonym
from bot.hearing.submissions import Similar
from bot.model.clock import Clock as ClockType
from bot.model.clock import system_clock
from bot.senders.hub import BackgroundSenders
from bot.services import Services
from handlers.context import HearingApp
from storage.backend import Store, open_database
from storage.erasure_ledger import LedgerEntry
from storage.postgres import PostgresDatabase

DATASETS = Path(__file__).resolve().parents[1] / "datasets"
# Test databases kept in PostgreSQL instead of at their SQLite path: conftest's `database_url`
# puts a test's `hearing.db` here when the test runs on PostgreSQL.
POSTGRES_AT: dict[Path, str] = {}
TOKEN = "123456:TEST-TOKEN-hearing"
# As `secrets.token_urlsafe(32)` makes one (.env.example): the settings refuse weaker secrets.
SECRET = "test-only-vwdPdGHkQMHBN159lHYmrGZQZZAxeCT77gqpzrBHZrc"
KARACHI = ZoneInfo("Asia/Karachi")


def at(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> datetime:
    """A moment in 2026, Karachi time (27 November 2026 is a Friday)."""
    return datetime(2026, month, day, hour, minute, tzinfo=KARACHI)


@dataclass
class Clock:
    """A clock the test sets by hand."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class SecondsClock:
    """A clock in Unix seconds the test moves by hand (the emulator's), so nothing sleeps."""

    now: float = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


# The buttons a newcomer's short welcome after a shared link offers: open the item, or the
# suggestion (bot/views/buttons.py: LINK_ITEM, LINK_SUGGESTION).
LINK_DATA = ("v1:li:", "v1:ls:")


class Hearing:
    """Drive citizens through the bot and read what they saw; restart the bot on demand."""

    def __init__(
        self, emu: Emulator, settings: Settings, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.emu = emu
        self.settings = replace(settings, telegram_api_url=emu.base_url)
        self.clock = clock
        self.app: HearingApp | None = None
        self._stack: AsyncExitStack | None = None

    async def start(self) -> None:
        """Start the bot (a fresh Application over the same database)."""
        self._stack = AsyncExitStack()
        self.app = await self._stack.enter_async_context(
            running_hearing(self.settings, TOKEN, SECRET, self.clock)
        )

    async def stop(self) -> None:
        """Stop the bot as a shutdown would."""
        if self._stack is not None:
            await self._stack.aclose()
        self._stack = None
        self.app = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def open_chats(self, *users: int) -> None:
        """Have each user open their chat with the bot (/help), as staff do to be written to."""
        for user in users:
            await self.say(user, "/help")

    async def restart(self) -> None:
        """Stop the bot and start a new one on the same database and emulator."""
        await self.stop()
        await self.start()

    async def settle(self) -> None:
        """Wait until the bot has fetched and fully handled every update sent so far."""
        await self.emu.wait_delivered()
        if self.app is not None:
            await settle(self.app)

    async def say(self, user: int, text: str) -> list[SentMessage]:
        """Send a text message as a citizen; return the bot messages sent or changed since."""
        mark = self._mark(user)
        self.emu.send_message(user, text)
        await self.settle()
        return self._since(user, mark)

    async def press(self, user: int, label: str, message: SentMessage | None = None) -> None:
        """Press the button with this label on a message (default: the latest with buttons)."""
        target = message or self.with_buttons(user)
        self.emu.press(user, target.message_id, label)
        await self.settle()

    async def press_data(self, user: int, message_id: int, data: str) -> None:
        """Press a button by raw data, even one that does not exist (forged or stale)."""
        self.emu.press_button(user, message_id, data, check=False)
        await self.settle()

    async def open_link(self, user: int, payload: str) -> list[SentMessage]:
        """Follow a shared link (`item-5`, `s-12`), past the short welcome a newcomer sees."""
        mark = self._mark(user)
        self.emu.send_message(user, f"/start {payload}")
        await self.settle()
        welcome = self.last(user)
        go = [data for row in welcome.buttons() for _, data in row if data.startswith(LINK_DATA)]
        if go:
            self.emu.press_button(user, welcome.message_id, go[0])
            await self.settle()
        return self._since(user, mark)

    async def answer_item(
        self, user: int, item: str, stance: str = "👍 Support", priority: str = "High"
    ) -> SentMessage:
        """Open an item by deep link, answer it, and return the item message."""
        await self.open_link(user, f"item-{item}")
        item_message = self.last(user)
        await self.press(user, stance, item_message)
        await self.press(user, priority, item_message)
        return item_message

    async def suggest(self, user: int, item: str, text: str, stance: str = "👍 Support") -> int:
        """Answer an item, post a suggestion on it (past any near-duplicate), return its id."""
        item_message = await self.answer_item(user, item, stance)
        await self.press(user, "✍️ Add a suggestion", item_message)
        await self.say(user, text)
        if "📝 Post mine anyway" in self.last(user).button_labels():
            await self.press(user, "📝 Post mine anyway")
        async with database_of(self.settings) as db:
            found = await rows(db, "SELECT MAX(id) FROM suggestions WHERE participant_id = ?",
                               pseudonym(SECRET, user))  # fmt: skip
        return int(str(found[0][0]))

    def last(self, user: int) -> SentMessage:
        """Return the bot's latest message in the citizen's chat."""
        return self.emu.last_message(user)

    def with_buttons(self, user: int) -> SentMessage:
        """Return the latest bot message that still carries buttons."""
        for message in reversed(self.emu.messages(user)):
            if message.buttons():
                return message
        raise AssertionError("no bot message with buttons in this chat")

    def _mark(self, user: int) -> dict[int, int]:
        return {m.message_id: m.edits for m in self.emu.messages(user)}

    def _since(self, user: int, mark: dict[int, int]) -> list[SentMessage]:
        return [m for m in self.emu.messages(user) if mark.get(m.message_id) != m.edits]


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WebhookHearing(Hearing):
    """The real bot in webhook mode: Telegram (the emulator) posts updates to its server."""

    async def start(self) -> None:
        """Start the bot with its own webhook server instead of long polling."""
        self._stack = AsyncExitStack()
        self.app = await self._stack.enter_async_context(
            running_hearing(self.settings, TOKEN, SECRET, self.clock, webhook=True)
        )

    @property
    def local_url(self) -> str:
        """Return the URL the bot's own server answers at (behind the TLS proxy)."""
        host, port = self.settings.webhook_listen
        return f"http://{host}:{port}/telegram/hook"


# A constraint (CHECK, foreign key, append-only trigger) refused a write, on either backend.
INTEGRITY_ERRORS = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)
# Run a test that uses the `database_url` fixture (through `db` or `hearing`) on SQLite only:
# it checks something only SQLite has (a pragma, the file itself).
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
# ... or on PostgreSQL only: it checks what only PostgreSQL has (pg_dump, its own refusals).
POSTGRES_ONLY = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


def database_at(path: Path, clock: ClockType = system_clock) -> Store:
    """The test database at a path: SQLite, or the PostgreSQL database standing in for it."""
    return open_database(POSTGRES_AT.get(path), path, clock)


def database_of(settings: Settings) -> Store:
    """The database a hearing with these settings keeps its data in (not yet open)."""
    return open_database(settings.database_url, settings.database_path)


def database_env(path: Path) -> dict[str, str]:
    """The environment that points a `hearing-bot` process at the test database at a path."""
    found = {"DATABASE_PATH": str(path)}
    if path in POSTGRES_AT:
        found["DATABASE_URL"] = POSTGRES_AT[path]
    return found


def use_database(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Point `hearing-bot` commands run in this test at the test database at a path."""
    monkeypatch.setenv("DATABASE_PATH", str(path))
    if path in POSTGRES_AT:
        monkeypatch.setenv("DATABASE_URL", POSTGRES_AT[path])
    else:
        monkeypatch.delenv("DATABASE_URL", raising=False)


async def query(path: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    """Read rows straight from a database file the bot wrote."""
    async with database_at(path) as db:
        return await rows(db, sql, *args)


async def erasures(path: Path) -> list[LedgerEntry]:
    """Read the erasure ledger of the test database at a path (a file, or PostgreSQL's schema)."""
    async with database_at(path) as db:
        return await db.erasure_ledger().entries()


async def table_names(db: Store) -> list[str]:
    """Return the names of the database's tables, in order."""
    sql = (
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        if isinstance(db, PostgresDatabase)
        else "SELECT name FROM sqlite_master WHERE type = 'table'"
    )
    return sorted(str(row[0]) for row in await rows(db, sql))


async def rows(db: Store, sql: str, *args: object) -> list[tuple[object, ...]]:
    """Read rows straight from an open database (what is committed)."""
    async with db.reading() as repos, repos.conn.execute(sql, args) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


# Tests play a person's hour in a second: the flood gate is opened wide unless a test sets it.
UNLIMITED = {
    "rate_limit_per_minute": 100_000,
    "rate_limit_burst": 100_000,
    "chat_backlog": 100_000,
}


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings for a test hearing on its own database file, with any other values given."""
    settings = replace(
        Settings(database_path=tmp_path / "hearing.db", pseudonym_secret=SECRET),
        **{**UNLIMITED, **overrides},
    )
    if "database_url" in overrides:
        return settings
    return replace(settings, database_url=POSTGRES_AT.get(settings.database_path))


def build_services(db: Store, plan: Plan, tmp_path: Path, **overrides: Any) -> Services:
    """The services of one hearing over an open database, wired as the running bot wires them."""
    return Services.build(make_settings(tmp_path, **overrides), db, plan, SECRET)


async def citizen(services: Services, user: int) -> str:
    """Register a citizen (with a private chat) as their first message does; return their id."""
    return await services.participants.register(user, user)


async def suggest(services: Services, pid: str, item: str, text: str) -> int:
    """Post a suggestion on an item as the walkthrough does, past any near-duplicate."""
    await services.walkthrough.request_suggestion(pid, item)
    submitted = await services.submissions.submit(pid, text)
    if isinstance(submitted, Similar):
        submitted = await services.submissions.post(pid, submitted.draft_id)
    return submitted.suggestion_id


def background(app: HearingApp | None) -> BackgroundSenders:
    """Return the running application's background senders (to wait for them in tests)."""
    assert app is not None and isinstance(app.bot_data.senders, BackgroundSenders)
    return app.bot_data.senders
