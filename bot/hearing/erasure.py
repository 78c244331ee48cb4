"""A citizen's erasure: recorded in a ledger that no restored backup replaces, then carried out.

The ledger holds only pseudonymous ids and times: a file beside a SQLite database, written and
synced before the database is touched; on PostgreSQL, a schema that backups leave out, written
in the erasure's own transaction (storage/erasure_ledger.py). Every entry is re-applied at
start-up: an erasure interrupted by a crash is completed, and a restored backup that predates
an erasure cannot bring the person back.
"""

from __future__ import annotations

import logging

from bot.hearing.participants import Participants
from bot.model.clock import Clock
from storage.backend import Store
from storage.clock import iso
from storage.erasure import Erased
from storage.erasure_ledger import ErasureLedger, LedgerEntry

log = logging.getLogger(__name__)


class Erasure:
    """Erase a participant on request, and re-apply every recorded erasure at start-up."""

    def __init__(
        self,
        db: Store,
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
        await self.ledger.record(entry)
        async with self.db.transaction() as repos:
            # Their updates still pending are being handled now (this one among them): each
            # is forgotten once handled. Only those given up on are erased here.
            erased = await repos.personal.erase(pid, entry.erased_at, pending_updates=False)
        # Their chat is no longer stored: the next message from them must store it anew.
        self.participants.forget(pid)
        await self.db.checkpoint()  # what was erased must not stay behind in the WAL
        log.info("erased a participant's data on their request")
        return erased

    async def reapply(self) -> int:
        """Carry out every ledger entry the database does not reflect; return how many."""
        await self.ledger.prepare()
        applied = 0
        for entry in await self.ledger.entries():
            async with self.db.transaction() as repos:
                marked = await repos.personal.erased_at(entry.participant_id)
                if marked is None or marked >= entry.erased_at:
                    continue
                # Before any update is replayed: a restored backup's pending updates from
                # before the erasure must not bring back what they carried.
                await repos.personal.erase(
                    entry.participant_id, entry.erased_at, pending_updates=True
                )
            self.participants.forget(entry.participant_id)
            applied += 1
        if applied:
            await self.db.checkpoint()
            log.warning("re-applied %d recorded erasures the database did not reflect", applied)
        return applied
