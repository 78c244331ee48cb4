"""A citizen's erasure: recorded in a ledger outside the database, then carried out.

The ledger holds only pseudonymous ids and times, one JSON object a line, in a file beside the
database. It is written (and synced) before the database is touched, and every entry is
re-applied at start-up: an erasure interrupted by a crash is completed, and a restored backup
that predates an erasure cannot bring the person back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from bot.hearing.participants import Participants
from bot.model.clock import Clock
from storage.clock import iso
from storage.db import Database
from storage.erasure import Erased

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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"participant": entry.participant_id, "erased_at": entry.erased_at})
        with self.path.open("a", encoding="utf-8") as handle:
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


class Erasure:
    """Erase a participant on request, and re-apply every recorded erasure at start-up."""

    def __init__(
        self,
        db: Database,
        ledger: ErasureLedger,
        participants: Participants,
        clock: Clock | None = None,
    ) -> None:
        self.db = db
        self.ledger = ledger
        self.participants = participants
        # The cutoff is compared with the times storage wrote, so it must come from their clock.
        self.clock = db.now if clock is None else clock

    async def erase(self, pid: str) -> Erased:
        """Record the erasure in the ledger, then erase everything the participant stored."""
        entry = LedgerEntry(pid, iso(self.clock()))
        await asyncio.to_thread(self.ledger.record, entry)
        async with self.db.transaction() as repos:
            erased = await repos.personal.erase(pid, entry.erased_at)
        # Their chat is no longer stored: the next message from them must store it anew.
        self.participants.forget(pid)
        log.info("erased a participant's data on their request")
        return erased

    async def reapply(self) -> int:
        """Carry out every ledger entry the database does not reflect; return how many."""
        applied = 0
        for entry in await asyncio.to_thread(self.ledger.entries):
            async with self.db.transaction() as repos:
                marked = await repos.personal.erased_at(entry.participant_id)
                if marked is None or marked >= entry.erased_at:
                    continue
                await repos.personal.erase(entry.participant_id, entry.erased_at)
            self.participants.forget(entry.participant_id)
            applied += 1
        if applied:
            log.warning("re-applied %d recorded erasures the database did not reflect", applied)
        return applied
