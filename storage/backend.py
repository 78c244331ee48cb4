"""The hearing's database, SQLite or PostgreSQL: one interface, opened from the settings."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from pathlib import Path
from typing import Protocol, Self

import asyncpg

from bot.model.clock import Clock, system_clock
from storage.db import Database, DatabaseError
from storage.erasure_ledger import ErasureLedger
from storage.postgres import PostgresDatabase
from storage.repositories import Repositories
from storage.unit import Unit

# What a failed read or write raises on either backend (besides the bot's own bugs). A server
# that cannot be reached when a connection is made is a DatabaseError (storage/postgres.py).
DATABASE_ERRORS: tuple[type[BaseException], ...] = (
    DatabaseError,
    sqlite3.Error,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)


class Store(Protocol):
    """An open hearing database: write transactions, reads of what is committed, the clock."""

    clock: Clock
    # The SQLite file; beside PostgreSQL, where an earlier version kept its erasure ledger.
    path: Path

    async def open(self) -> None:
        """Connect, check and migrate."""

    async def close(self) -> None:
        """Close every connection; safe to call twice."""

    def now(self) -> datetime:
        """Return the current moment by the hearing's clock."""

    def erasure_ledger(self) -> ErasureLedger:
        """Return where erasures are kept out of reach of a restored backup."""

    def transaction(self, concurrent: bool = False) -> AbstractAsyncContextManager[Repositories]:
        """Run one write transaction, committed on success, else rolled back (storage/units.py)."""

    def reading(self) -> AbstractAsyncContextManager[Repositories]:
        """Give repositories that read what is committed (a unit of work: its own writes too)."""

    def unit_of_work(self, concurrent: bool = False) -> AbstractAsyncContextManager[Unit]:
        """Make this task's writes one transaction (storage/unit.py, storage/units.py)."""

    async def finish(
        self, unit: Unit, last: Callable[[Repositories], Awaitable[None]], *, always: bool
    ) -> bool:
        """Run `last` in the unit's transaction and commit it; return whether anything was."""

    async def checkpoint(self) -> bool:
        """Leave no erased byte in the database's own log files; False if that failed."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...


def open_database(url: str | None, path: Path, clock: Clock = system_clock) -> Store:
    """Return the hearing's database (not yet open): PostgreSQL at `url`, else SQLite at `path`."""
    if url:
        return PostgresDatabase(url, clock, path)
    return Database(path, clock)
