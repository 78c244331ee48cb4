"""Tracking what became of each item: status, responsible body, deadline, metrics, history."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from bot.hearing.plan import Plan
from bot.hearing.refusals import Refusal, Refused
from bot.hearing.values import Awaiting
from storage.clock import iso
from storage.db import Database
from storage.repositories import Repositories
from storage.tracking import HistoryRow, MetricRow

MAX_RESPONSIBLE_CHARS = 200
MAX_METRIC_NAME_CHARS = 80
MAX_UNIT_CHARS = 20
TELEGRAM = "telegram"
IMPORT = "import"
_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")


class TrackingStatus(StrEnum):
    """Where an item stands after the hearing."""

    PROPOSED = "proposed"
    ADOPTED = "adopted"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


@dataclass(frozen=True)
class Metric:
    """A measure of success: from a baseline toward a target, with its latest value."""

    name: str
    unit: str
    baseline: float
    target: float
    current: float | None = None
    measured_on: date | None = None

    @property
    def progress(self) -> float:
        """Return how far the latest value is from the baseline toward the target, 0..1."""
        value = self.baseline if self.current is None else self.current
        if self.target == self.baseline:
            return 1.0 if self.current is not None else 0.0
        return min(1.0, max(0.0, (value - self.baseline) / (self.target - self.baseline)))


@dataclass(frozen=True)
class ItemTracking:
    """An item's tracking as it stands (an untracked item is simply proposed)."""

    item_id: str
    status: TrackingStatus = TrackingStatus.PROPOSED
    responsible: str | None = None
    deadline: date | None = None
    metrics: tuple[Metric, ...] = field(default=())

    def overdue(self, today: date) -> bool:
        """Tell whether the deadline has passed with the item neither done nor dropped."""
        open_ = self.status not in (TrackingStatus.DONE, TrackingStatus.DROPPED)
        return open_ and self.deadline is not None and self.deadline < today

    @property
    def progress(self) -> float | None:
        """Return the mean progress of the item's metrics, or None without metrics."""
        if not self.metrics:
            return None
        return sum(m.progress for m in self.metrics) / len(self.metrics)


@dataclass(frozen=True)
class Change:
    """One field to set on one item: status, responsible, deadline, a metric or its value."""

    item_id: str
    field: str  # status | responsible | deadline | metric | value
    value: str
    metric: Metric | None = None


def parse_deadline(text: str, today: date) -> date:
    """Read a deadline written YYYY-MM-DD; refuse other shapes and days already past."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise Refused(Refusal.BAD_DATE, text=text.strip()[:40]) from None
    if day < today:
        raise Refused(Refusal.DEADLINE_PAST, day=day.isoformat(), today=today.isoformat())
    return day


def parse_number(text: str) -> float:
    """Read a number such as 35, 12.5 or 12,5; refuse anything else."""
    cleaned = text.strip().replace(" ", "")
    if not _NUMBER.fullmatch(cleaned):
        raise Refused(Refusal.NOT_A_NUMBER, text=text.strip()[:40])
    value = float(cleaned.replace(",", "."))
    if not math.isfinite(value):
        raise Refused(Refusal.NOT_A_NUMBER, text=text.strip()[:40])
    return value


def parse_metric(text: str) -> Metric:
    """Read `name | unit | baseline | target` (unit may be empty) into a metric."""
    parts = [part.strip() for part in text.split("|")]
    if len(parts) != 4 or not parts[0]:
        raise Refused(Refusal.BAD_METRIC)
    name, unit, baseline, target = parts
    if len(name) > MAX_METRIC_NAME_CHARS or len(unit) > MAX_UNIT_CHARS:
        raise Refused(Refusal.BAD_METRIC)
    return Metric(name, unit, parse_number(baseline), parse_number(target))


def check_responsible(text: str) -> str:
    """Return a responsible body's name, refusing an empty or overlong one."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise Refused(Refusal.EMPTY_RESPONSE)
    if len(cleaned) > MAX_RESPONSIBLE_CHARS:
        raise Refused(Refusal.RESPONSE_TOO_LONG, limit=MAX_RESPONSIBLE_CHARS, length=len(cleaned))
    return cleaned


class Tracking:
    """Commands that set items' tracking (the caller checks the role) and read it back."""

    def __init__(self, db: Database, plan: Plan) -> None:
        self.db = db
        self.plan = plan

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
        """Return an item's tracking changes, oldest first."""
        self.check_item(item_id)
        async with self.db.reading() as repos:
            return await repos.tracking.history(item_id)

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

    async def receive_text(self, pid: str, text: str, now: datetime, today: date) -> str:
        """Apply an awaited field's text (refused politely if invalid); return the item id."""
        async with self.db.reading() as repos:
            awaited = await repos.tracking_inputs.get(pid)
        if awaited is None:
            raise Refused(Refusal.NOT_WAITING_FOR_TEXT)
        item_id, field, metric = awaited
        if field == "responsible":
            change = Change(item_id, field, check_responsible(text))
        elif field == "deadline":
            change = Change(item_id, field, parse_deadline(text, today).isoformat())
        elif field == "metric_new":
            change = Change(item_id, "metric", text, parse_metric(text))
        else:
            value = Metric(metric or "", "", 0, 0, parse_number(text), today)
            change = Change(item_id, "value", text, value)
        await self.change([change], pid, TELEGRAM, now, done_waiting=pid)
        return item_id


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
