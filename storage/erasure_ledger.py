"""The erasure ledger: who erased their data, and up to when, kept where no backup reaches.

It holds only pseudonymous ids and times. It is written before (or with) the erasure and
re-applied at start-up (bot/hearing/erasure.py), so a restored backup cannot bring an erased
person back. On SQLite it is a file beside the database, one JSON object a line, synced to disk;
on PostgreSQL, the database's schema `ledger` (storage/pg_ledger.py), which backups leave out.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from storage.clock import iso

log = logging.getLogger(__name__)

LEDGER_SUFFIX = ".erasures.jsonl"


def ledger_path(database_path: Path) -> Path:
    """Return where the erasure ledger of a database lives: beside it, never inside it."""
    return database_path.with_name(database_path.name + LEDGER_SUFFIX)


class LedgerError(RuntimeError):
    """The ledger cannot be read or written as it is (missing, damaged); the message says why."""


@dataclass(frozen=True)
class LedgerEntry:
    """One erasure: whose (pseudonymous id) and up to when."""

    participant_id: str
    erased_at: str

    def problem(self) -> str | None:
        """Say what makes the entry unusable (an empty id, a time not as storage writes it)."""
        if not self.participant_id.strip():
            return "its participant is empty"
        try:
            moment: datetime | None = datetime.fromisoformat(self.erased_at)
        except ValueError:
            moment = None
        # Compared as text with the times storage wrote: only their one format sorts right.
        if moment is None or moment.tzinfo is None or iso(moment) != self.erased_at:
            return (
                f"its erased_at {self.erased_at[:40]!r} is not a time as the bot writes them"
                " (UTC, ISO-8601 with milliseconds)"
            )
        return None

    def line(self) -> str:
        """Return the entry as one line of the ledger file."""
        return json.dumps({"participant": self.participant_id, "erased_at": self.erased_at})


class ErasureLedger(Protocol):
    """Where a backend keeps its erasures: a file beside SQLite, a schema of PostgreSQL."""

    async def prepare(self) -> None:
        """Check the ledger can be used; take in what an earlier version kept elsewhere."""

    async def record(self, entry: LedgerEntry) -> None:
        """Keep an entry durably, before (or with) the erasure it records."""

    async def entries(self) -> list[LedgerEntry]:
        """Return every entry, oldest first."""

    async def merge(self, entries: list[LedgerEntry]) -> int:
        """Add the entries not kept yet (another copy of the ledger); return how many were new."""


def parse_line(line: str) -> LedgerEntry | None:
    """Read one line of a ledger file; None if it is not an entry (torn, edited, foreign)."""
    try:
        raw = json.loads(line)
        entry = LedgerEntry(str(raw["participant"]), str(raw["erased_at"]))
    except (ValueError, KeyError, TypeError):
        return None
    return entry if entry.problem() is None else None


class FileLedger:
    """An append-only file of erasures, synced to disk before each erasure is carried out."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def prepare(self) -> None:
        """Nothing to check: a missing file is an empty ledger."""

    async def record(self, entry: LedgerEntry) -> None:
        """Append an entry and make sure it is on disk."""
        await asyncio.to_thread(self._append, [entry])

    async def entries(self) -> list[LedgerEntry]:
        """Read every entry; a line torn by a crash while it was written is skipped."""
        return await asyncio.to_thread(self.read)

    async def merge(self, entries: list[LedgerEntry]) -> int:
        """Append the entries the file does not hold yet; return how many."""
        return await asyncio.to_thread(self._merge, entries)

    def read(self) -> list[LedgerEntry]:
        """Read every entry now (on this thread)."""
        if not self.path.is_file():
            return []
        found = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if (entry := parse_line(line)) is not None:
                found.append(entry)
            elif line.strip():
                log.warning("skipped an unreadable line of the erasure ledger")
        return found

    def _merge(self, entries: list[LedgerEntry]) -> int:
        kept = set(self.read())
        new = [entry for entry in dict.fromkeys(entries) if entry not in kept]
        if new:
            self._append(new)
        return len(new)

    def _append(self, entries: list[LedgerEntry]) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Readable by its owner only, like the database beside it: it lists who left.
        with open(self.path, "a", encoding="utf-8", opener=private) as handle:
            handle.write("".join(entry.line() + "\n" for entry in entries))
            handle.flush()
            os.fsync(handle.fileno())


def private(path: str, flags: int) -> int:
    """Open a file the way `open` would, created readable by its owner only."""
    return os.open(path, flags, 0o600)


def read_ledger_file(path: Path) -> list[LedgerEntry]:
    """Read a ledger file another copy wrote, every line an entry; refuse it whole otherwise."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LedgerError(f"cannot read {path}: {type(exc).__name__}") from None
    found = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if (entry := parse_line(line)) is None:
            raise LedgerError(
                f'{path}, line {number}, is not an erasure ledger entry ({{"participant": ...,'
                ' "erased_at": ...}} with a time in ISO-8601, as the bot writes them)'
            )
        found.append(entry)
    return found


def write_ledger_file(path: Path, entries: list[LedgerEntry]) -> None:
    """Write entries to a new file (never over one), readable by its owner only, synced."""
    try:
        with open(path, "x", encoding="utf-8", opener=private) as handle:
            handle.write("".join(entry.line() + "\n" for entry in entries))
            handle.flush()
            os.fsync(handle.fileno())
    except FileExistsError:
        raise LedgerError(f"{path} already exists; a ledger is never written over one") from None
    except OSError as exc:
        raise LedgerError(f"cannot write {path}: {exc.strerror}") from None
