"""Opinion groups in the running hearing: found when asked, kept by each scheduled digest.

The digest's groups continue from the previous digest's (the k-smoother and the stable group
names of bot/hearing/opinion_groups.py); what a scheduled digest found is stored in the same
transaction as the digest, for the next one. A citizen's `/groups` and `/digest` on demand use
the same saved state and store nothing.

Groups are published by the rule of bot/hearing/publishable.py: once found, they are found
anew only when at least MIN_GROUP_SIZE people have answered or voted since (or after an
erasure, or a moderator's decision that changes which suggestions are shown), so that two
showings of the groups cannot be compared to tell how one person answered.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from datetime import datetime

from bot.hearing.digest import DigestBuilder
from bot.hearing.digest_model import Digest
from bot.hearing.opinion_groups import GroupsParams
from bot.hearing.opinion_statements import HearingGroups, OwnPlace, group_hearing, smoother_json
from bot.hearing.plan import Plan
from storage.backend import Store
from storage.clock import iso
from storage.repositories import Repositories

# Finding the groups of a large hearing takes seconds: once it took longer than this, a result
# is reused for REUSE_FACTOR times as long even if votes came in meanwhile (never for a digest).
SLOW_SECONDS = 1.0
REUSE_FACTOR = 30


@dataclass(frozen=True)
class _Found:
    mark: tuple[object, ...]  # the storage fingerprint the groups were found at
    groups: HearingGroups
    at: float  # time.monotonic() when found
    took: float


class Opinions:
    """Find the hearing's opinion groups, reuse them while nothing changed, keep a digest's."""

    def __init__(self, db: Store, plan: Plan, min_group_size: int) -> None:
        self.db = db
        self.plan = plan
        self.params = GroupsParams(min_group_size=min_group_size)
        self._found: _Found | None = None
        # One run at a time: people asking together share it rather than start their own.
        self._lock = asyncio.Lock()

    async def current(self, *, fresh: bool = False) -> HearingGroups:
        """Return the groups as the votes stand; `fresh` never reuses an out-of-date result."""
        async with self._lock:
            async with self.db.reading() as repos:
                mark = await repos.opinions.fingerprint()
                found = self._found
                if found is not None and (
                    found.mark == mark
                    or (not fresh and self._recent(found, mark))
                    or await self._few_changed(repos, found, mark)
                ):
                    return found.groups
                started = time.monotonic()
                groups = await group_hearing(repos, self.plan, self.params, self.db.now())
            took = time.monotonic() - started
            self._found = _Found(mark, groups, time.monotonic(), took)
            return groups

    async def place_of(self, pid: str) -> OwnPlace:
        """Return a participant's own place among the groups (only theirs is ever read)."""
        return (await self.current()).place_of(pid)

    async def record(self, repos: Repositories, digest_id: int, digest: Digest) -> None:
        """Keep the groups a scheduled digest showed, in its transaction, for the next one."""
        groups = digest.opinion
        if groups is None or not groups.found:
            return  # nothing found: the saved state is still the one to continue from
        state = groups.result.state
        await repos.opinions.save_run(
            digest_id,
            smoother_json(state),
            sorted((str(pid), label) for pid, label in state.membership.items()),
            iso(groups.computed_at),
        )

    async def _few_changed(
        self, repos: Repositories, found: _Found, mark: tuple[object, ...]
    ) -> bool:
        """Tell whether fewer than a group of people answered or voted since `found`.

        Only answers and votes: an erasure, or a moderator's decision on which suggestions are
        shown (fingerprint fields 4, 5 and the last), always makes the groups be found anew.
        """
        if mark[4:6] != found.mark[4:6] or mark[-1:] != found.mark[-1:]:
            return False
        stances, votes = (int(str(found.mark[i] or 0)) for i in (1, 3))
        changed = await repos.opinions.changed_since(stances, votes)
        return changed < self.params.min_group_size

    @staticmethod
    def _recent(found: _Found, mark: tuple[object, ...]) -> bool:
        # Never after an erasure: the erased person must leave the map at once.
        if found.took < SLOW_SECONDS or mark[-1:] != found.mark[-1:]:
            return False
        return time.monotonic() - found.at < REUSE_FACTOR * found.took


class GroupsDigestBuilder:
    """Build the digest with its opinion groups section (a ReportBuilder for the ledger)."""

    def __init__(self, digests: DigestBuilder, opinions: Opinions) -> None:
        self.digests = digests
        self.opinions = opinions

    async def build(
        self, period_start: datetime | None, period_end: datetime, previous: str | None = None
    ) -> Digest:
        """Build the digest of the period, with the groups as the votes stand now."""
        digest = await self.digests.build(period_start, period_end, previous)
        return replace(digest, opinion=await self.opinions.current(fresh=True))

    def snapshot(self, digest: Digest) -> str:
        """Serialise the digest's figures for the next one to compare with."""
        return self.digests.snapshot(digest)
