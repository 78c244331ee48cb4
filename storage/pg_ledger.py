"""The erasure ledger on PostgreSQL: the schema `ledger` of the hearing's own database.

Every worker of a fleet, on whatever machine, records into it and re-applies it, and
`hearing-bot backup` leaves it out, so a backup restored into the same database leaves it in
place (docs/postgres.md, Backups). An erasure's entry is written in the erasure's own
transaction: both commit, or neither.
"""

from __future__ import annotations

import contextlib
import logging
import os
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Protocol

from storage.erasure_ledger import FileLedger, LedgerEntry, LedgerError
from storage.repositories import Repositories

log = logging.getLogger(__name__)

IMPORTED_SUFFIX = ".imported"
MISSING = (
    "the erasure ledger (schema `ledger`) is missing from {where}: a backup restored into a new"
    " database comes without it. Before starting, import the old database's ledger with"
    " `hearing-bot ledger import FILE` (FILE from `hearing-bot ledger export` on the old"
    " database, or the newest backup's .erasures.jsonl beside it; docs/postgres.md, Backups)"
)
DAMAGED = (
    "an entry of the erasure ledger in {where} is damaged ({problem}): the bot cannot tell whom"
    " to erase again, so it does not start; mend the row in ledger.erasures (docs/privacy.md)"
)


class Transactions(Protocol):
    """What the ledger needs of the database: write transactions and reads."""

    def transaction(self) -> AbstractAsyncContextManager[Repositories]: ...

    def reading(self) -> AbstractAsyncContextManager[Repositories]: ...


class PostgresLedger:
    """The ledger in the database; the file an earlier version kept is taken in at start."""

    def __init__(self, db: Transactions, where: str, earlier_file: Path) -> None:
        self.db = db
        self.where = where
        self.earlier = FileLedger(earlier_file)

    async def prepare(self) -> None:
        """Refuse a database without its ledger; take in the file ledger left beside it, once."""
        async with self.db.reading() as repos:
            if not await repos.ledger.present():
                raise LedgerError(MISSING.format(where=self.where))
        found = await self.earlier.entries()
        if not found:
            return
        async with self.db.transaction() as repos:
            await repos.ledger.record(found)
        # Kept, not deleted (it is the operator's), under a name no version reads again; a
        # crash before the rename imports it again at the next start, which adds nothing. Two
        # workers of one machine starting at once both take it in: the second finds it gone.
        path = self.earlier.path
        with contextlib.suppress(FileNotFoundError):
            os.replace(path, path.with_name(path.name + IMPORTED_SUFFIX))
        log.warning("took %d erasures of the ledger file into the database's ledger", len(found))

    async def record(self, entry: LedgerEntry) -> None:
        """Keep an entry: with the erasure, in a unit of work; else committed on its own."""
        async with self.db.transaction() as repos:
            await repos.ledger.record([entry])

    async def entries(self) -> list[LedgerEntry]:
        """Return every entry, oldest first; refuse a ledger that is missing or damaged."""
        async with self.db.reading() as repos:
            if not await repos.ledger.present():
                raise LedgerError(MISSING.format(where=self.where))
            found = await repos.ledger.entries()
        for entry in found:
            if (problem := entry.problem()) is not None:
                raise LedgerError(DAMAGED.format(where=self.where, problem=problem))
        return found

    async def merge(self, entries: list[LedgerEntry]) -> int:
        """Add the entries not kept yet (creating a missing ledger); return how many were new."""
        async with self.db.transaction() as repos:
            await repos.ledger.create()
            before = len(await repos.ledger.entries())
            await repos.ledger.record(entries)
            return len(await repos.ledger.entries()) - before
