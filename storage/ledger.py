"""The erasure ledger's rows on PostgreSQL, in the schema `ledger` that backups leave out."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources

from storage.erasure_ledger import LedgerEntry
from storage.repository import Repository

# Oldest first, as the file is read: erased_at is UTC ISO text, which sorts as time does.
_ENTRIES = "SELECT participant, erased_at FROM ledger.erasures ORDER BY erased_at, participant"


# The migration that creates the schema (whatever number it has), run again by `create`.
_SCHEMA_MIGRATION = "_erasure_ledger.postgres.sql"


class LedgerRepository(Repository):
    """Record and read erasures (PostgreSQL only: on SQLite the ledger is a file)."""

    async def create(self) -> None:
        """Create the schema and its table where they are missing (the migration, run again)."""
        [script] = [
            entry.read_text(encoding="utf-8")
            for entry in resources.files("storage.migrations").iterdir()
            if entry.name.endswith(_SCHEMA_MIGRATION)
        ]
        await self.execute(script)

    async def present(self) -> bool:
        """Tell whether the ledger's table exists (a database restored without it has none)."""
        return await self.fetch_value("SELECT to_regclass('ledger.erasures') IS NOT NULL") is True

    async def record(self, entries: Iterable[LedgerEntry]) -> None:
        """Keep entries; one already kept is left as it is (importing twice adds nothing)."""
        await self.execute_many(
            "INSERT INTO ledger.erasures (participant, erased_at) VALUES (?, ?)"
            " ON CONFLICT DO NOTHING",
            [(entry.participant_id, entry.erased_at) for entry in entries],
        )

    async def entries(self) -> list[LedgerEntry]:
        """Return every entry, oldest first, as stored (pg_ledger.py checks each)."""
        return [LedgerEntry(str(row[0]), str(row[1])) for row in await self.fetch_all(_ENTRIES)]
