"""The erasure ledger: a file beside the database, one JSON object a line, synced to disk.

It holds only pseudonymous ids and times. It is written before the database is touched and
re-applied at start-up (bot/hearing/erasure.py), so a restored backup cannot bring an erased
person back.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

LEDGER_SUFFIX = ".erasures.jsonl"


def ledger_path(database_path: Path) -> Path:
    """Return where the erasure ledger of a database lives: beside it, never inside it."""
    return database_path.with_name(database_path.name + LEDGER_SUFFIX)


@dataclass(frozen=True)
class LedgerEntry:
    """One erasure: whose (pseudonymous id) and up to when."""

    participant_id: str
    erased_at: str


class ErasureLedger:
    """An append-only file of erasures, synced to disk before each erasure is carried out."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def record(self, entry: LedgerEntry) -> None:
        """Append an entry and make sure it is on disk."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        line = json.dumps({"participant": entry.participant_id, "erased_at": entry.erased_at})
        # Readable by its owner only, like the database beside it: it lists who left.
        with open(self.path, "a", encoding="utf-8", opener=_private) as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def entries(self) -> list[LedgerEntry]:
        """Read every entry; a line torn by a crash while it was written is skipped."""
        if not self.path.is_file():
            return []
        found = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                raw = json.loads(line)
                found.append(LedgerEntry(str(raw["participant"]), str(raw["erased_at"])))
            except (ValueError, KeyError, TypeError):
                log.warning("skipped an unreadable line of the erasure ledger")
        return found


def _private(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)
