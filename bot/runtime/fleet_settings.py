"""Settings every worker of a fleet must share: recorded by the first, compared by the others.

Two workers with different time zones would send two digests a day; with different secrets,
one citizen would be two participants. Each setting is recorded as a fingerprint (a hash, never
its value: staff ids are Telegram ids, and the pseudonym secret is an HMAC of a constant under
it), and a worker whose fingerprint differs refuses to start, naming the setting.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping

from storage.backend import Store
from storage.pg_fleet import FLEET_LOCK, FleetLink

log = logging.getLogger(__name__)

SECRET_SETTING = "PSEUDONYM_SECRET"
PLAN_SETTING = "PLAN_PATH"
# What the HMAC under the pseudonym secret is taken of: the same for every worker.
_SECRET_PROBE = b"hearing-bot: the fleet's pseudonym secret"


class SettingsMismatch(Exception):
    """This worker's setting differs from the one the running fleet recorded."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"{name} differs from the one the other workers on this database run with; "
            "start every worker with the same settings (or stop them all, then start them "
            "with the new ones)"
        )
        self.name = name


def fingerprints(values: Mapping[str, str], secret: str) -> dict[str, str]:
    """Fingerprint each setting's value, and the pseudonym secret, never keeping a value."""
    found = {name: _digest(name, value) for name, value in values.items()}
    found[SECRET_SETTING] = hmac.new(secret.encode(), _SECRET_PROBE, "sha256").hexdigest()[:24]
    return found


def plan_fingerprint(version: str) -> dict[str, str]:
    """The fingerprint of the plan served, by its version (what `publish-plan` records)."""
    return {PLAN_SETTING: _digest(PLAN_SETTING, version)}


def _digest(name: str, value: str) -> str:
    return hashlib.sha256(f"{name}={value}".encode()).hexdigest()[:24]


async def join_fleet(db: Store, link: FleetLink, mine: Mapping[str, str]) -> bool:
    """Take this worker's place in the fleet: record the settings if no other worker runs,
    else compare them with the recorded ones; SettingsMismatch names the first that differs.
    Return whether this worker is the only one running.

    Every running worker holds FLEET_LOCK shared, for as long as its link lives: a worker that
    can take it exclusively is alone, and records (a fleet restarted with new settings on
    purpose) and drops the claims dead workers left; otherwise it waits for any worker
    recording, then compares.
    """
    if await link.try_lock(FLEET_LOCK):
        try:
            async with db.transaction() as repos:
                await repos.fleet_settings.record(mine)
                # Claims left are dead workers': their chats need not wait out the leases
                # (a lone worker restarted after a kill would keep its citizens waiting 15 s).
                await repos.claims.forget_all()
            await link.lock_shared(FLEET_LOCK)
        finally:
            await link.unlock(FLEET_LOCK)
        log.info("first worker of the fleet: recorded the settings every worker must share")
        return True
    await link.lock_shared(FLEET_LOCK)
    async with db.transaction() as repos:
        recorded = await repos.fleet_settings.recorded()
        for name, value in mine.items():
            if name in recorded and recorded[name] != value:
                await link.unlock(FLEET_LOCK, shared=True)
                raise SettingsMismatch(name)
        # A setting an earlier version did not record: this worker's value stands for it.
        await repos.fleet_settings.record({n: v for n, v in mine.items() if n not in recorded})
    return False
