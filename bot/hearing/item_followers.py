"""Citizens follow items; changes reach them batched, at most one message a day each."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.hearing.plan import Plan
from bot.model.refusals import Refusal, Refused
from storage.backend import Store
from storage.clock import iso

# At most one message a day per citizen, however many followed items change.
BATCH_INTERVAL = timedelta(days=1)


@dataclass(frozen=True)
class Batch:
    """The followed items that changed since a citizen was last told, up to change `seen`."""

    participant_id: str
    item_ids: tuple[str, ...]
    seen: int


class Following:
    """Follow and unfollow items; gather and record the batched notices for followers."""

    def __init__(self, db: Store, plan: Plan) -> None:
        self.db = db
        self.plan = plan
        # One batching run at a time: the hourly job and a run after a change must not overlap.
        self.batching = asyncio.Lock()

    async def follow(self, pid: str, item_ids: Sequence[str]) -> int:
        """Follow items from now on; return how many were not followed already."""
        if not item_ids or any(self.plan.index_of(i) is None for i in item_ids):
            raise Refused(Refusal.UNKNOWN_ITEM)
        async with self.db.transaction() as repos:
            since = await repos.tracking.last_history_id()
            return await repos.follows.follow(pid, list(item_ids), since)

    async def unfollow(self, pid: str, item_id: str) -> None:
        """Stop following an item."""
        if self.plan.index_of(item_id) is None:
            raise Refused(Refusal.UNKNOWN_ITEM)
        async with self.db.transaction() as repos:
            await repos.follows.unfollow(pid, item_id)

    async def followed(self, pid: str) -> set[str]:
        """Return the items the citizen follows."""
        async with self.db.reading() as repos:
            return await repos.follows.followed(pid)

    async def due(self, now: datetime) -> list[Batch]:
        """Return a batch for every follower with unseen changes, not told in the last day."""
        async with self.db.reading() as repos:
            rows = await repos.follows.unseen(iso(now - BATCH_INTERVAL))
        grouped: dict[str, list[tuple[str, int]]] = {}
        for pid, item_id, change_id in rows:
            grouped.setdefault(pid, []).append((item_id, change_id))
        order = {item.id: i for i, item in enumerate(self.plan.items)}
        return [
            Batch(pid, tuple(sorted((i for i, _ in found), key=lambda i: order.get(i, 0))),
                  max(c for _, c in found))
            for pid, found in grouped.items()
        ]  # fmt: skip

    async def record(self, batch: Batch, body: str, now: datetime) -> None:
        """Queue a batch's message and move the follower's watermark, in one transaction."""
        async with self.db.transaction() as repos:
            await repos.outbox.add(batch.participant_id, "followers", body)
            await repos.follows.told(batch.participant_id, batch.seen, iso(now))
