"""Moving a hearing up: copy its SQLite database into an empty PostgreSQL one, then verify.

The copy reads one snapshot of the SQLite file (one read transaction: a running bot may go on
writing meanwhile, and what it writes after the snapshot is not copied), writes every row in
one PostgreSQL transaction (a failure leaves the target as empty as it was), and then reads
both databases again, table by table, to compare their row counts and checksums.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg

from storage.db import Database, DatabaseError
from storage.erasure_ledger import FileLedger, LedgerEntry, ledger_path
from storage.ledger import LedgerRepository
from storage.pg_connection import PgConnection
from storage.postgres import PostgresDatabase

CHUNK_ROWS = 5000
# The erasure ledger, a file beside SQLite, is copied into this table (storage/pg_ledger.py).
LEDGER_TABLE = "ledger.erasures"
_MODULUS = 2**128


class MoveError(RuntimeError):
    """The move cannot be made, or its copy does not match; the message says why."""


@dataclass(frozen=True)
class TableCheck:
    """One table compared after the copy: its rows and checksum on each side."""

    table: str
    rows: int
    copied_rows: int
    checksum: str
    copied_checksum: str

    @property
    def matches(self) -> bool:
        """Tell whether the copy holds exactly the table's rows."""
        return self.rows == self.copied_rows and self.checksum == self.copied_checksum


async def move_to_postgres(
    source: Path, url: str, progress: Callable[[str, int], None] | None = None
) -> list[TableCheck]:
    """Copy the SQLite hearing at `source` (absolute) into the empty PostgreSQL one at `url`.

    Return each table's check (compare `matches`); raise MoveError (or DatabaseError, for a
    database that cannot be opened) before anything is written when the move cannot be made.
    """
    async with Database(source):
        pass  # checked and migrated to this version's schema, as the bot would at start-up
    async with PostgresDatabase(url) as target:
        where = target.where
    try:
        reader = await aiosqlite.connect(
            f"{source.as_uri()}?mode=ro", uri=True, isolation_level=None
        )
        writer = await asyncpg.connect(url)
    except (OSError, asyncpg.PostgresError, aiosqlite.Error) as exc:
        raise DatabaseError(f"cannot open both databases: {type(exc).__name__}") from None
    try:
        tables = await _tables(reader)
        await _check_target(writer, reader, tables, where)
        # One snapshot for the copy and its check: what the bot writes meanwhile is in neither.
        await reader.execute("BEGIN")
        # Read once, for the copy and its check alike (a running bot may append meanwhile).
        erasures = FileLedger(ledger_path(source)).read()
        ledger = LedgerRepository(PgConnection(writer))
        async with writer.transaction():
            for table in tables:
                copied = await _copy(reader, writer, table)
                if progress is not None:
                    progress(table.name, copied)
            await _restart_ids(writer, tables)
            await ledger.record(erasures)
            if progress is not None:
                progress(LEDGER_TABLE, len(erasures))
        checks = [await _compare(reader, writer, table) for table in tables]
        checks.append(await _compare_ledger(erasures, ledger))
        await reader.rollback()
        return checks
    finally:
        await reader.close()
        await writer.close()


async def verify_copy(source: Path, url: str) -> list[TableCheck]:
    """Compare every table of the SQLite hearing at `source` with its copy at `url`."""
    reader = await aiosqlite.connect(f"{source.as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        writer = await asyncpg.connect(url)
        try:
            await reader.execute("BEGIN")
            checks = [await _compare(reader, writer, table) for table in await _tables(reader)]
            erasures = FileLedger(ledger_path(source)).read()
            return [
                *checks,
                await _compare_ledger(erasures, LedgerRepository(PgConnection(writer))),
            ]
        finally:
            await writer.close()
    finally:
        await reader.close()


@dataclass(frozen=True)
class _Table:
    name: str
    columns: tuple[str, ...]

    @property
    def select(self) -> str:
        return f"SELECT {', '.join(self.columns)} FROM {self.name}"


async def _tables(reader: aiosqlite.Connection) -> list[_Table]:
    """Return the hearing's tables, each after the tables its foreign keys point to."""
    rows = await reader.execute_fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name <> 'schema_migrations' ORDER BY name"
    )
    names = [str(row[0]) for row in rows]
    needs: dict[str, set[str]] = {}
    columns: dict[str, tuple[str, ...]] = {}
    for name in names:
        keys = await reader.execute_fetchall(f"PRAGMA foreign_key_list({name})")
        needs[name] = {str(key[2]) for key in keys} - {name}
        info = await reader.execute_fetchall(f"PRAGMA table_info({name})")
        columns[name] = tuple(str(column[1]) for column in info)
    ordered: list[_Table] = []
    placed: set[str] = set()
    while len(placed) < len(names):
        ready = [n for n in names if n not in placed and needs[n] <= placed]
        if not ready:
            raise MoveError("the tables' foreign keys form a cycle")
        for name in ready:
            ordered.append(_Table(name, columns[name]))
            placed.add(name)
    return ordered


async def _check_target(
    writer: asyncpg.Connection, reader: aiosqlite.Connection, tables: Sequence[_Table], where: str
) -> None:
    """Refuse a target whose schema differs from the source's, or that holds any row."""
    source_versions = [row[0] for row in await reader.execute_fetchall(_VERSIONS)]
    target_versions = [row[0] for row in await writer.fetch(_VERSIONS)]
    if source_versions != target_versions:
        raise MoveError(
            f"{where} has migrations {_span(target_versions)}, the SQLite database"
            f" {_span(source_versions)}: both must be at this version's schema"
        )
    for table in tables:
        found = await writer.fetch(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = $1",
            table.name,
        )
        missing = set(table.columns) - {str(row[0]) for row in found}
        if missing:
            raise MoveError(f"{where} has no column {sorted(missing)[0]} in {table.name}")
        if await writer.fetchval(f"SELECT EXISTS (SELECT 1 FROM {table.name})"):
            raise MoveError(
                f"{where} is not empty (its table {table.name} has rows): the move fills only"
                " an empty database, and never mixes two hearings"
            )
    if await writer.fetchval(f"SELECT EXISTS (SELECT 1 FROM {LEDGER_TABLE})"):
        raise MoveError(
            f"{where} is not empty (its erasure ledger, {LEDGER_TABLE}, has entries): the"
            " move fills only an empty database, and never mixes two hearings"
        )


_VERSIONS = "SELECT version FROM schema_migrations ORDER BY version"


def _span(versions: Sequence[int]) -> str:
    return f"{versions[0]:04d}-{versions[-1]:04d}" if versions else "(none)"


async def _copy(reader: aiosqlite.Connection, writer: asyncpg.Connection, table: _Table) -> int:
    copied = 0
    async for chunk in _chunks(reader, table.select):
        try:
            await writer.copy_records_to_table(table.name, records=chunk, columns=table.columns)
        except (asyncpg.PostgresError, asyncpg.DataError) as exc:
            raise MoveError(f"cannot copy {table.name}: {exc}") from exc
        copied += len(chunk)
    return copied


async def _chunks(reader: aiosqlite.Connection, sql: str) -> AsyncIterator[list[tuple[Any, ...]]]:
    async with reader.execute(sql) as cursor:
        while chunk := await cursor.fetchmany(CHUNK_ROWS):
            yield [tuple(row) for row in chunk]


async def _restart_ids(writer: asyncpg.Connection, tables: Sequence[_Table]) -> None:
    """Make each generated id continue after the copied rows' largest."""
    for table in tables:
        sequence = await writer.fetchval(
            "SELECT pg_get_serial_sequence($1, 'id')", table.name
        ) if "id" in table.columns else None  # fmt: skip
        if sequence is not None:
            await writer.execute(
                f"SELECT setval($1, COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)",
                sequence,
            )


async def _compare(
    reader: aiosqlite.Connection, writer: asyncpg.Connection, table: _Table
) -> TableCheck:
    rows, checksum = 0, 0
    async for chunk in _chunks(reader, table.select):
        rows += len(chunk)
        checksum = (checksum + sum(map(row_hash, chunk))) % _MODULUS
    copied_rows, copied_checksum = 0, 0
    async with writer.transaction():
        async for record in writer.cursor(table.select, prefetch=CHUNK_ROWS):
            copied_rows += 1
            copied_checksum = (copied_checksum + row_hash(tuple(record))) % _MODULUS
    return TableCheck(table.name, rows, copied_rows, f"{checksum:032x}", f"{copied_checksum:032x}")


async def _compare_ledger(erasures: list[LedgerEntry], ledger: LedgerRepository) -> TableCheck:
    copied = await ledger.entries()
    rows = [(entry.participant_id, entry.erased_at) for entry in dict.fromkeys(erasures)]
    checksum = sum(map(row_hash, rows)) % _MODULUS
    copied_checksum = sum(row_hash((e.participant_id, e.erased_at)) for e in copied) % _MODULUS
    return TableCheck(
        LEDGER_TABLE, len(rows), len(copied), f"{checksum:032x}", f"{copied_checksum:032x}"
    )


def row_hash(row: Sequence[object]) -> int:
    """Hash one row's values with their types (1 and '1' differ), as a number to add up.

    Sums of row hashes do not depend on the order rows are read in (which differs between
    the two databases), and, unlike XOR, a row copied twice changes the sum.
    """
    digest = hashlib.blake2b(digest_size=16)
    for value in row:
        digest.update(_encoded(value))
    return int.from_bytes(digest.digest(), "big")


def _encoded(value: object) -> bytes:
    if value is None:
        return b"N;"
    if isinstance(value, bool | int):
        return b"i%d;" % int(value)
    if isinstance(value, float):
        return b"f" + float.hex(value).encode() + b";"
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        return b"b%d:" % len(data) + data
    text = str(value).encode("utf-8", "surrogatepass")
    return b"s%d:" % len(text) + text
