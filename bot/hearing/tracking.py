"""Tracking what became of each item: status, responsible body, deadline, metrics, history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from bot.hearing.plan import Plan
from bot.hearing.privacy import StaffIds
from bot.hearing.typed_text import clean_typed
from bot.model.refusals import Refusal, Refused
from bot.model.reports import HistoryRow, MetricRow
from bot.model.tracking import (
    Change,
    ItemTracking,
    Metric,
    TrackingStatus,
    check_responsible,
    parse_deadline,
    parse_metric,
    parse_number,
)
from bot.model.values import Awaiting
from storage.backend import Store
from storage.clock import iso
from storage.repositories import Repositories

TELEGRAM = "telegram"
IMPORT = "import"


@dataclass(frozen=True)
class Received:
    """A tracking value set from a message: the item, and whether it set a missed deadline."""

    item_id: str
    past_deadline: bool = False


class Tracking:
    """Commands that set items' tracking (the caller checks the role) and read it back."""

    def __init__(self, db: Store, plan: Plan, staff: StaffIds = lambda pid: pid) -> None:
        self.db = db
        self.plan = plan
        self.staff = staff  # who changed what is shown under a staff pseudonym

    def check_item(self, item_id: str) -> str:
        """Return a top-level item's id, refusing ids the plan does not have."""
        if self.plan.index_of(item_id) is None:
            raise Refused(Refusal.UNKNOWN_ITEM)
        return item_id

    async def all(self) -> dict[str, ItemTracking]:
        """Return every top-level item's tracking, keyed by item id, in plan order."""
        async with self.db.reading() as repos:
            return await load_tracking(repos, [item.id for item in self.plan.items])

    async def get(self, item_id: str) -> ItemTracking:
        """Return one item's tracking."""
        self.check_item(item_id)
        async with self.db.reading() as repos:
            return (await load_tracking(repos, [item_id]))[item_id]

    async def history(self, item_id: str) -> list[HistoryRow]:
        """Return an item's tracking changes, oldest first, people as staff pseudonyms."""
        self.check_item(item_id)
        async with self.db.reading() as repos:
            rows = await repos.tracking.history(item_id)
        return [replace(row, actor=self.staff(row.actor)) for row in rows]

    async def overdue(self, today: date) -> list[ItemTracking]:
        """Return the items past their deadline and not done, in plan order."""
        return [t for t in (await self.all()).values() if t.overdue(today)]

    async def change(
        self, changes: Sequence[Change], actor: str, source: str, now: datetime,
        done_waiting: str | None = None,
    ) -> int:  # fmt: skip
        """Apply changes in one transaction, each kept in the history; return how many took."""
        for change in changes:
            self.check_item(change.item_id)
        applied = 0
        async with self.db.transaction() as repos:
            for change in changes:
                applied += await _apply(repos, change, actor, source, now)
            if done_waiting is not None:
                await repos.participants.set_awaiting(done_waiting, None)
        return applied

    async def await_text(self, pid: str, item_id: str, field: str, metric: str | None) -> None:
        """Make the next message of a drafter or overseer the value of one field."""
        self.check_item(item_id)
        async with self.db.transaction() as repos:
            if metric is not None:
                known = (await load_tracking(repos, [item_id]))[item_id].metrics
                if all(m.name != metric for m in known):
                    raise Refused(Refusal.UNKNOWN_METRIC, name=metric)
            await repos.tracking_inputs.set(pid, item_id, field, metric)
            await repos.participants.set_awaiting(pid, Awaiting.TRACKING, int(item_id))

    async def receive_text(self, pid: str, text: str, now: datetime, today: date) -> Received:
        """Apply an awaited field's text (refused politely if invalid); say what was set."""
        text = clean_typed(text)
        async with self.db.reading() as repos:
            awaited = await repos.tracking_inputs.get(pid)
        if awaited is None:
            raise Refused(Refusal.NOT_WAITING_FOR_TEXT)
        item_id, field, metric = awaited
        past = False
        if field == "responsible":
            change = Change(item_id, field, check_responsible(text))
        elif field == "deadline":
            deadline = parse_deadline(text)
            change = Change(item_id, field, deadline.isoformat())
            past = deadline < today
        elif field == "metric_new":
            change = Change(item_id, "metric", text, parse_metric(text))
        else:
            value = Metric(metric or "", "", 0, 0, parse_number(text), today)
            change = Change(item_id, "value", text, value)
        await self.change([change], pid, TELEGRAM, now, done_waiting=pid)
        return Received(item_id, past)


async def load_tracking(repos: Repositories, item_ids: list[str]) -> dict[str, ItemTracking]:
    """Read items' tracking within the caller's transaction or read."""
    rows = {row.item_id: row for row in await repos.tracking.all()}
    metrics: dict[str, list[Metric]] = {}
    for m in await repos.tracking.metrics():
        metrics.setdefault(m.item_id, []).append(_metric(m))
    found = {}
    for item_id in item_ids:
        row = rows.get(item_id)
        if row is None:
            found[item_id] = ItemTracking(item_id)
            continue
        deadline = date.fromisoformat(row.deadline) if row.deadline else None
        found[item_id] = ItemTracking(item_id, TrackingStatus(row.status), row.responsible,
                                      deadline, tuple(metrics.get(item_id, ())))  # fmt: skip
    return found


def _metric(m: MetricRow) -> Metric:
    measured = date.fromisoformat(m.measured_on) if m.measured_on else None
    return Metric(m.name, m.unit, m.baseline, m.target, m.current, measured)


def metric_value_text(value: float | None, measured_on: date | None) -> str | None:
    """Show a metric's value with its date, as the history keeps it."""
    if value is None:
        return None
    shown = f"{value:g}"
    return f"{shown} ({measured_on.isoformat()})" if measured_on else shown


def _definition(m: Metric) -> str:
    return f"{m.unit} | {m.baseline:g} | {m.target:g}"


async def _apply(
    repos: Repositories, change: Change, actor: str, source: str, now: datetime
) -> int:
    """Apply one change unless it changes nothing; record the old and new values."""
    at = iso(now)
    item_id = change.item_id
    before = (await load_tracking(repos, [item_id]))[item_id]
    await repos.tracking.ensure(item_id, at)
    old: str | None
    if change.field in ("status", "responsible", "deadline"):
        current = getattr(before, change.field)
        old = current.isoformat() if isinstance(current, date) else current
        if old == change.value:
            return 0
        await repos.tracking.set_field(item_id, change.field, change.value, at)
        await repos.tracking.add_history(
            item_id, change.field, old, change.value, actor, source, at
        )
        return 1
    metric = change.metric
    if metric is None:
        raise ValueError("a metric change without its metric")
    known = next((m for m in before.metrics if m.name == metric.name), None)
    who = (actor, source, at)
    applied = 0
    if change.field == "metric":
        old = _definition(known) if known else None
        if old != _definition(metric):
            await repos.tracking.define_metric(
                item_id, metric.name, metric.unit, metric.baseline, metric.target
            )
            await repos.tracking.add_history(
                item_id, f"metric:{metric.name}", old, _definition(metric), *who
            )
            applied = 1
    elif known is None:
        raise Refused(Refusal.UNKNOWN_METRIC, name=metric.name)
    return applied + await _measure(repos, item_id, metric, known, who)


async def _measure(
    repos: Repositories, item_id: str, metric: Metric, known: Metric | None,
    who: tuple[str, str, str],
) -> int:  # fmt: skip
    """Record a metric's new value, if the change carries one that differs."""
    if metric.current is None or metric.measured_on is None:
        return 0
    old = metric_value_text(known.current, known.measured_on) if known else None
    new = metric_value_text(metric.current, metric.measured_on)
    if old == new:
        return 0
    await repos.tracking.measure(
        item_id, metric.name, metric.current, metric.measured_on.isoformat()
    )
    await repos.tracking.add_history(item_id, f"value:{metric.name}", old, new, *who)
    return 1
