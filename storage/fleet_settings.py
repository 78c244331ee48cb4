"""The fleet's recorded settings: a fingerprint per setting that every worker must share."""

from __future__ import annotations

from collections.abc import Mapping

from storage.repository import Repository

PREFIX = "fleet_setting:"


class FleetSettingsRepository(Repository):
    """Read and record the fingerprints of the settings that must match across workers."""

    async def recorded(self) -> dict[str, str]:
        """Return the recorded fingerprint of each setting, by the setting's name."""
        rows = await self.fetch_all(
            "SELECT key, value FROM app_state WHERE key LIKE ?", (f"{PREFIX}%",)
        )
        return {str(row[0]).removeprefix(PREFIX): str(row[1]) for row in rows}

    async def record(self, fingerprints: Mapping[str, str]) -> None:
        """Record (or replace) the fingerprint of each setting given."""
        await self.execute_many(
            "INSERT INTO app_state (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [(f"{PREFIX}{name}", value) for name, value in fingerprints.items()],
        )
