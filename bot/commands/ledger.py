"""`hearing-bot ledger export|import FILE`: carry the erasure ledger to another database.

On PostgreSQL the ledger lives in the database (the schema `ledger`), which a backup leaves
out; a backup restored into a new database needs the old one's ledger imported before the bot
starts (docs/postgres.md, Backups). Importing only adds: an older copy never removes an entry.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.config import Settings
from storage.backend import DATABASE_ERRORS, open_database
from storage.erasure_ledger import (
    LedgerEntry,
    LedgerError,
    read_ledger_file,
    write_ledger_file,
)

NAME = "hearing-bot ledger"
# The database failed, or its ledger is missing or damaged.
FAILURES: tuple[type[BaseException], ...] = (LedgerError, *DATABASE_ERRORS)


def ledger(
    settings: Settings, action: str, path: Path, out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:  # fmt: skip
    """Export the ledger to a new file, or import a file into it: 0 done, 1 the database failed
    (its ledger missing or damaged), 2 bad input (the file); nothing is changed unless 0."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        entries = read_ledger_file(path) if action == "import" else _none_yet(path)
    except LedgerError as exc:
        print(f"{NAME} {action}: {exc}", file=err)
        return 2
    try:
        if action == "import":
            new = asyncio.run(_merge(settings, entries))
        else:
            entries = asyncio.run(_entries(settings))
    except FAILURES as exc:
        print(f"{NAME} {action}: {exc}", file=err)
        return 1
    if action == "import":
        print(f"{new} erasures added to the ledger of {settings.database_where}"
              f" ({len(entries) - new} of the file's {len(entries)} were in it already)",
              file=out)  # fmt: skip
        return 0
    try:
        write_ledger_file(path, entries)
    except LedgerError as exc:
        print(f"{NAME} {action}: {exc}", file=err)
        return 2
    print(f"{path}: {len(entries)} erasures (after a restore into a new database, `hearing-bot"
          " ledger import` it: docs/postgres.md, Backups)", file=out)  # fmt: skip
    return 0


def _none_yet(path: Path) -> list[LedgerEntry]:
    """Refuse an export over an existing file before the database is opened."""
    if path.exists() or path.is_symlink():
        raise LedgerError(f"{path} already exists; a ledger is never written over one")
    return []


async def _entries(settings: Settings) -> list[LedgerEntry]:
    async with open_database(settings.database_url, settings.database_path) as db:
        return await db.erasure_ledger().entries()


async def _merge(settings: Settings, entries: list[LedgerEntry]) -> int:
    async with open_database(settings.database_url, settings.database_path) as db:
        return await db.erasure_ledger().merge(entries)
