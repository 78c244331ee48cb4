"""When digests are due, and a ledger of what was built and sent, so none is missed or doubled.

The same ledger records the weekly oversight report: another kind of digest, with its own slots.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo

from bot.model.reports import DigestPart
from storage.backend import Store
from storage.clock import iso
from storage.repositories import Repositories

EPOCH_KEY = "digest_epoch"
CHART = "chart"
MAP = "map"  # the opinion map: its PNG in the part's body, as base64
TEXT = "text"
DAILY = "daily"
R = TypeVar("R")


@dataclass(frozen=True)
class RenderedDigest:
    """A digest as the drafters will receive it: HTML messages and a chart."""

    messages: list[str]
    chart: bytes | None
    opinion_map: bytes | None = None


Renderer = Callable[[Any], Awaitable[RenderedDigest]]
# Renders a report for one recipient (in their language); the chart is the same for all.
RecipientRenderer = Callable[[Any, int], Awaitable[RenderedDigest]]
# Called in the transaction that records a scheduled report, with its id and the report: the
# opinion groups keep there what the next digest continues from.
Recorder = Callable[[Repositories, int, Any], Awaitable[None]]


class ReportBuilder(Protocol[R]):
    """What the ledger needs of a builder: a report of a period, and its snapshot to compare."""

    async def build(
        self, period_start: datetime | None, period_end: datetime, previous: str | None = None
    ) -> R: ...

    def snapshot(self, report: R) -> str: ...


def latest_slot(now: datetime, at: time, zone: ZoneInfo, weekday: int | None = None) -> datetime:
    """Return the most recent scheduled time at or before `now` (on `weekday`, if given)."""
    local = now.astimezone(zone)
    today = datetime.combine(local.date(), at, tzinfo=zone)
    slot = today if today <= local else today - timedelta(days=1)
    while weekday is not None and slot.weekday() != weekday:
        slot -= timedelta(days=1)
    return slot


class DigestLedger(Generic[R]):
    """Decide which digest is due, record it with its rendered parts, and what was sent."""

    def __init__(
        self, db: Store, builder: ReportBuilder[R], at: time, zone: str,
        kind: str = DAILY, weekday: int | None = None, record: Recorder | None = None,
    ) -> None:  # fmt: skip
        self.db = db
        self.builder = builder
        self.at = at
        self.zone = ZoneInfo(zone)
        self.kind = kind
        self.weekday = weekday
        self.record = record
        self.epoch_key = EPOCH_KEY if kind == DAILY else f"{kind}_epoch"
        # One sender at a time: a catch-up, the daily job and a retry must not interleave.
        self.sending = asyncio.Lock()

    async def start(self, now: datetime) -> None:
        """Remember when digests were first scheduled: no digest is due for a slot before it."""
        async with self.db.transaction() as repos:
            await repos.digests.set_state_once(self.epoch_key, iso(now))

    async def prepare_due(
        self, now: datetime, recipients: Sequence[int], render: RecipientRenderer
    ) -> int | None:
        """Record the latest slot's digest if due and not yet recorded; return its id."""
        slot = latest_slot(now, self.at, self.zone, self.weekday)
        async with self.db.reading() as repos:
            epoch = await repos.digests.state(self.epoch_key)
            if epoch is None or iso(slot) < epoch:
                return None
            existing = await repos.digests.by_slot(self._key(slot))
            if existing is not None:
                return existing.id
            previous = await repos.digests.latest(self.kind)
        start = datetime.fromisoformat(previous.period_end) if previous else None
        digest = await self.builder.build(start, now, previous.stats if previous else None)
        parts: list[tuple[int, int, str, str | None]] = []
        chart: bytes | None = None
        for recipient in recipients:
            rendered = await render(digest, recipient)
            chart = chart or rendered.chart
            parts += [(recipient, i, TEXT, body) for i, body in enumerate(rendered.messages)]
            if rendered.chart is not None:
                parts.append((recipient, len(rendered.messages), CHART, None))
            if rendered.opinion_map is not None:
                png = base64.b64encode(rendered.opinion_map).decode("ascii")
                parts.append((recipient, len(rendered.messages) + 1, MAP, png))
        async with self.db.transaction() as repos:
            digest_id = await repos.digests.add(
                self._key(slot), (iso(start) if start else None, iso(now)),
                self.builder.snapshot(digest), chart, parts, self.kind,
            )  # fmt: skip
            if digest_id is None:  # recorded meanwhile by another run: keep that one
                row = await repos.digests.by_slot(self._key(slot))
                return row.id if row else None
            if self.record is not None:
                await self.record(repos, digest_id, digest)
        return digest_id

    async def unfinished(self) -> list[int]:
        """Return the ids of recorded digests with parts still to send, oldest first."""
        async with self.db.reading() as repos:
            return [row.id for row in await repos.digests.unfinished(self.kind)]

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

    async def withhold(self, part: DigestPart) -> None:
        """Record that a part is never to be sent: its recipient no longer holds the role."""
        async with self.db.transaction() as repos:
            await repos.digests.mark_withheld(part.digest_id, part.recipient, part.part)

    async def complete_if_sent(self, digest_id: int) -> bool:
        """Close a digest whose every part was sent (or withheld); return whether it is."""
        async with self.db.transaction() as repos:
            if await repos.digests.unsent_parts(digest_id):
                return False
            await repos.digests.complete(digest_id)
        return True

    async def on_demand(self, now: datetime, render: Renderer) -> RenderedDigest:
        """Render the digest of everything since the last scheduled one, recording nothing."""
        async with self.db.reading() as repos:
            previous = await repos.digests.latest(self.kind)
        start = datetime.fromisoformat(previous.period_end) if previous else None
        digest = await self.builder.build(start, now, previous.stats if previous else None)
        return await render(digest)

    def _key(self, slot: datetime) -> str:
        # Daily slots keep their plain time (as recorded before other kinds existed).
        return iso(slot) if self.kind == DAILY else f"{self.kind}:{iso(slot)}"
