"""One SQLite database: a single serialised writer, a separate reader, numbered migrations."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sqlite3
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TypeVar, cast

import aiosqlite

from bot.model.clock import Clock, system_clock
from storage.clock import iso
from storage.direct import DirectConnection
from storage.erasure_ledger import LEDGER_SUFFIX, FileLedger, ledger_path
from storage.repositories import Repositories
from storage.unit import running_unit
from storage.units import UnitsOfWork

log = logging.getLogger(__name__)
C = TypeVar("C", aiosqlite.Connection, DirectConnection)
SqliteConnection = aiosqlite.Connection | DirectConnection

BUSY_TIMEOUT_MS = 5000
# The writer never checkpoints the WAL itself (it would do so on the event loop's thread, with
# an fsync): after this many commits, the reader checkpoints it on its thread.
CHECKPOINT_EVERY = 1000
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
# Files beside the database, named after it, that hold its data too.
SIDE_FILES = ("-wal", "-shm", LEDGER_SUFFIX)
_MIGRATION_RE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class DatabaseError(RuntimeError):
    """The database cannot be opened or migrated; the message says what to do."""


class Database(UnitsOfWork):
    """Own the writer and reader connections and the clock; hand out transactions and reads."""

    def __init__(self, path: Path, clock: Clock = system_clock) -> None:
        self.path = path
        # The hearing's one clock. Replaceable while open (a test moving time): repositories
        # and services call `now`, which reads it afresh each time.
        self.clock = clock
        self._writer: DirectConnection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._commits = 0
        self._checkpoint: asyncio.Task[None] | None = None

    async def open(self) -> None:
        """Open both connections, set the pragmas and apply pending migrations."""
        keep_private(self.path)
        try:
            try:
                self._writer = await _connect_writer(self.path)
            except sqlite3.OperationalError:
                raise  # cannot be opened at all (a folder, no permission): not damage
            except sqlite3.DatabaseError as exc:  # "file is not a database", and the like
                raise damaged(self.path, [str(exc)]) from exc
            await check_database(self._writer, self.path)
            await self._writer.execute("PRAGMA journal_mode=WAL")
            await apply_migrations(self._writer, clock=self.now)
            self._reader = await _connect(self.path)
        except Exception:
            await self.close()
            raise

    async def close(self) -> None:
        """Close both connections; safe to call twice."""
        if self._checkpoint is not None:
            await asyncio.wait({self._checkpoint})
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None

    def now(self) -> datetime:
        """Return the current moment by the hearing's clock."""
        return self.clock()

    def erasure_ledger(self) -> FileLedger:
        """Return the erasure ledger: a file beside the database, which no restore replaces."""
        return FileLedger(ledger_path(self.path))

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def checkpoint(self) -> bool:
        """Copy the WAL into the database file and empty it; False if a reader held it too long."""
        # The WAL keeps earlier versions of the pages it holds (an erased suggestion among
        # them) until it is reset and written over; TRUNCATE leaves it empty on disk.
        # On the reader's thread, which may wait for readers (the writer waits for nothing);
        # with the writer's lock held, so that no write comes in between. A unit of work
        # holding it (the erasure's update) commits first: what it erased is then in the WAL.
        unit = running_unit()
        if unit is not None and unit.open and unit.depth == 0:
            await self.commit_so_far(unit)
        conn = self._require(self._reader)
        async with self._write_lock, conn.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
            row = await cursor.fetchone()
        if row is None or row[0] != 0:
            log.warning("the WAL could not be emptied: a reader held it past the busy timeout")
            return False
        return True

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Repositories]:
        """Give repositories on the reader connection, which sees only committed data.

        A unit of work that has written reads on the writer, so that it sees its own writes.
        """
        unit = running_unit()
        if unit is not None and unit.open:
            yield Repositories(self._require(self._writer), self.now)
        else:
            yield Repositories(self._require(self._reader), self.now)

    async def _begin_write(self, concurrent: bool, held: object = None) -> object:
        # One writer connection, `held` or not: every write transaction runs alone.
        await self._write_lock.acquire()
        try:
            conn = self._require(self._writer)
        except BaseException:
            self._write_lock.release()
            raise
        try:
            # Inside the try: a task cancelled while waiting for its BEGIN (polling stopped at
            # shutdown, say) has still begun, and must not leave the writer in a transaction
            # that makes every later BEGIN fail; with no transaction the rollback does nothing.
            await conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            try:
                await conn.rollback()
            finally:
                self._write_lock.release()
            raise
        return conn

    async def _end_write(self, writer: object, commit: bool, release: bool = True) -> None:
        # The lock goes in any case: the connection is the one writer, nobody's to keep.
        conn = cast(DirectConnection, writer)
        try:
            if commit:
                try:
                    await conn.commit()
                except BaseException:
                    await conn.rollback()
                    raise
                self._committed()
                return
            await conn.rollback()
        finally:
            self._write_lock.release()

    async def _release_writer(self, writer: object) -> None:
        return None  # the one writer connection is nobody's to give back

    async def _on_writer(self, writer: object, sql: str) -> None:
        await cast(DirectConnection, writer).execute(sql)

    def _writer_repositories(self, writer: object) -> Repositories:
        return Repositories(cast(DirectConnection, writer), self.now)

    def _committed(self) -> None:
        self._commits += 1
        if self._commits >= CHECKPOINT_EVERY and (
            self._checkpoint is None or self._checkpoint.done()
        ):
            self._commits = 0
            self._checkpoint = asyncio.create_task(self._checkpoint_wal())

    async def _checkpoint_wal(self) -> None:
        # PASSIVE: copies what no reader still needs, without waiting for anyone.
        try:
            if self._reader is not None:
                await self._reader.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:  # the next one tries again; the WAL only grows meanwhile
            log.warning("could not checkpoint the WAL: %s", type(exc).__name__)

    def _require(self, conn: C | None) -> C:
        if conn is None:
            raise DatabaseError("the database is not open")
        return conn


async def _connect_writer(path: Path) -> DirectConnection:
    conn = await DirectConnection.open(path)
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA secure_delete=ON")
        await conn.execute("PRAGMA wal_autocheckpoint=0")
    except BaseException:
        await conn.close()
        raise
    return conn


def keep_private(path: Path) -> None:
    """Create the database's folder (0700) and file (0600), or narrow a file others can read."""
    # The database holds the delivery table (chat ids): whoever reads the file can tell which
    # account gave which answers. SQLite gives the -wal and -shm files the database's own mode.
    if not path.parent.exists():
        path.parent.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    for file in (path, *(path.with_name(path.name + suffix) for suffix in SIDE_FILES)):
        narrow(file)


def narrow(path: Path) -> None:
    """Take away what group and others may do with a file of ours (a file made before 0600)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & ~PRIVATE_FILE:
            os.chmod(path, mode & PRIVATE_FILE)
            log.info("made %s readable by its owner only", path.name)
    except (FileNotFoundError, PermissionError):
        pass  # not there, or another user's file: opening it says what is wrong, if anything


async def _connect(path: Path) -> aiosqlite.Connection:
    # isolation_level=None: we issue BEGIN ourselves, so that it can be BEGIN IMMEDIATE.
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA synchronous=NORMAL")
        # What is deleted or overwritten (an erased citizen's rows, a handled update's payload)
        # is overwritten with zeros, not left in free space where the file still holds it.
        await conn.execute("PRAGMA secure_delete=ON")
    except BaseException:
        # Each connection owns a thread that keeps the process alive until it is closed.
        await conn.close()
        raise
    return conn


async def check_database(conn: SqliteConnection, path: Path) -> None:
    """Run PRAGMA quick_check; raise DatabaseError saying what to do if the file is damaged."""
    # Before anything writes to it: a damaged database must not be made worse by a migration
    # or by new answers written into broken pages.
    try:
        async with conn.execute("PRAGMA quick_check") as cursor:
            problems = [str(row[0]) for row in await cursor.fetchall()]
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    if problems != ["ok"]:
        raise damaged(path, problems)


def damaged(path: Path, problems: list[str]) -> DatabaseError:
    """Build the error that refuses a damaged database file and says what to do."""
    return DatabaseError(
        f"{path} is damaged ({problems[0]}; {len(problems)} problem(s) in all). "
        "Refusing to start: restore the last backup (see README, Backups)."
    )


def migration_scripts() -> list[tuple[int, str, str]]:
    """List the bundled migrations as (version, name, sql), in version order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_RE.match(entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


async def apply_migrations(
    conn: SqliteConnection,
    scripts: list[tuple[int, str, str]] | None = None,
    clock: Clock = system_clock,
) -> list[int]:
    """Apply every migration not yet recorded, each in one transaction with its record."""
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    async with conn.execute("SELECT version FROM schema_migrations") as cursor:
        done = {row[0] for row in await cursor.fetchall()}
    applied = []
    for version, name, sql in migration_scripts() if scripts is None else scripts:
        if version in done:
            continue
        try:
            # executescript commits whatever transaction is open before it runs, so the BEGIN
            # is the script's own first statement. The script leaves its transaction open; the
            # record joins it with bound parameters, and the two are committed together.
            await conn.executescript(f"BEGIN IMMEDIATE;\n{sql}")
            if not conn.in_transaction:
                raise DatabaseError("it ended its own transaction (a COMMIT in the script)")
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, iso(clock())),
            )
            await conn.commit()
        except Exception as exc:
            if conn.in_transaction:
                await conn.rollback()
            raise DatabaseError(f"migration {version:04d}_{name} failed: {exc}") from exc
        log.info("applied migration %04d_%s", version, name)
        applied.append(version)
    return applied
