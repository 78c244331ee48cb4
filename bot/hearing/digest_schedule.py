"""When digests are due, and a ledger of what was built and sent, so none is missed or doubled."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.hearing.digest import DigestBuilder, stats_snapshot
from bot.hearing.digest_model import Digest
from storage.clock import iso
from storage.db import Database
from storage.digests import DigestPart

EPOCH_KEY = "digest_epoch"
CHART = "chart"
TEXT = "text"


@dataclass(frozen=True)
class RenderedDigest:
    """A digest as the drafters will receive it: HTML messages and a chart."""

    messages: list[str]
    chart: bytes | None


Renderer = Callable[[Digest], Awaitable[RenderedDigest]]


def latest_slot(now: datetime, at: time, zone: ZoneInfo) -> datetime:
    """Return the most recent scheduled digest time at or before `now`."""
    local = now.astimezone(zone)
    today = datetime.combine(local.date(), at, tzinfo=zone)
    return today if today <= local else today - timedelta(days=1)


class DigestLedger:
    """Decide which digest is due, record it with its rendered parts, and what was sent."""

    def __init__(self, db: Database, builder: DigestBuilder, at: time, zone: str) -> None:
        self.db = db
        self.builder = builder
        self.at = at
        self.zone = ZoneInfo(zone)
        # One sender at a time: a catch-up, the daily job and a retry must not interleave.
        self.sending = asyncio.Lock()

    async def start(self, now: datetime) -> None:
        """Remember when digests were first scheduled: no digest is due for a slot before it."""
        async with self.db.transaction() as repos:
            await repos.digests.set_state_once(EPOCH_KEY, iso(now))

    async def prepare_due(
        self, now: datetime, recipients: Sequence[int], render: Renderer
    ) -> int | None:
        """Record the latest slot's digest if due and not yet recorded; return its id."""
        slot = latest_slot(now, self.at, self.zone)
        async with self.db.reading() as repos:
            epoch = await repos.digests.state(EPOCH_KEY)
            if epoch is None or iso(slot) < epoch:
                return None
            existing = await repos.digests.by_slot(iso(slot))
            if existing is not None:
                return existing.id
            previous = await repos.digests.latest()
        start = datetime.fromisoformat(previous.period_end) if previous else None
        digest = await self.builder.build(start, now, previous.stats if previous else None)
        rendered = await render(digest)
        parts: list[tuple[int, int, str, str | None]] = []
        for recipient in recipients:
            parts += [(recipient, i, TEXT, body) for i, body in enumerate(rendered.messages)]
            if rendered.chart is not None:
                parts.append((recipient, len(rendered.messages), CHART, None))
        async with self.db.transaction() as repos:
            digest_id = await repos.digests.add(
                iso(slot), (iso(start) if start else None, iso(now)), stats_snapshot(digest),
                rendered.chart, parts,
            )  # fmt: skip
            if digest_id is None:  # recorded meanwhile by another run: keep that one
                row = await repos.digests.by_slot(iso(slot))
                return row.id if row else None
        return digest_id

    async def unfinished(self) -> list[int]:
        """Return the ids of recorded digests with parts still to send, oldest first."""
        async with self.db.reading() as repos:
            return [row.id for row in await repos.digests.unfinished()]

    async def unsent(self, digest_id: int) -> list[DigestPart]:
        """Return the parts of a digest Telegram has not accepted yet."""
        async with self.db.reading() as repos:
            return await repos.digests.unsent_parts(digest_id)

    async def chart(self, digest_id: int) -> bytes | None:
        """Return a recorded digest's chart."""
        async with self.db.reading() as repos:
            row = await repos.digests.get(digest_id)
        return row.chart if row else None

    async def mark_sent(self, part: DigestPart) -> None:
        """Record that Telegram accepted one part."""
        async with self.db.transaction() as repos:
            await repos.digests.mark_sent(part.digest_id, part.recipient, part.part)

    async def complete_if_sent(self, digest_id: int) -> bool:
        """Close a digest whose every part was sent; return whether it is complete."""
        async with self.db.transaction() as repos:
            if await repos.digests.unsent_parts(digest_id):
                return False
            await repos.digests.complete(digest_id)
        return True

    async def on_demand(self, now: datetime, render: Renderer) -> RenderedDigest:
        """Render the digest of everything since the last scheduled one, recording nothing."""
        async with self.db.reading() as repos:
            previous = await repos.digests.latest()
        start = datetime.fromisoformat(previous.period_end) if previous else None
        digest = await self.builder.build(start, now, previous.stats if previous else None)
        return await render(digest)
