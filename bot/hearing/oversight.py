"""After the hearing in reports: overdue items, follow-up answers, answers per plan version."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.hearing.plan import Plan
from bot.hearing.privacy import StaffIds
from bot.hearing.publishable import ByVersion, Released
from bot.hearing.tracking import load_tracking
from bot.model.reports import HistoryRow, QuestionRow
from bot.model.tracking import ItemTracking
from storage.backend import Store
from storage.clock import iso
from storage.repositories import Repositories

OVERSIGHT = "oversight"
# The weekly report goes out on Mondays (date.weekday() == 0) at DIGEST_TIME.
REPORT_WEEKDAY = 0


@dataclass(frozen=True)
class VersionSplit:
    """Answers on an item changed in the served plan: on earlier wording, and on the current."""

    item_id: str
    kind: str
    earlier: tuple[int, int, int]  # support, oppose, all answers
    current: tuple[int, int, int]
    withheld: bool = False  # the item's answers are about too few people: all zero


@dataclass(frozen=True)
class AfterHearing:
    """The digest's after-the-hearing sections."""

    overdue: tuple[ItemTracking, ...] = ()
    questions: tuple[tuple[QuestionRow, tuple[tuple[int, str], ...]], ...] = ()
    versions: tuple[VersionSplit, ...] = ()


@dataclass(frozen=True)
class OversightReport:
    """The weekly oversight report: every item's tracking, what is overdue, what changed."""

    title: str
    period_start: datetime | None
    period_end: datetime
    today: date
    items: tuple[ItemTracking, ...]
    changes: tuple[HistoryRow, ...] = field(default=())

    @property
    def overdue(self) -> tuple[ItemTracking, ...]:
        """Return the items past their deadline and not done."""
        return tuple(item for item in self.items if item.overdue(self.today))


def local_day(moment: datetime, zone: str) -> date:
    """Return the calendar day of a moment in the hearing's time zone."""
    return moment.astimezone(ZoneInfo(zone)).date()


async def after_hearing(
    repos: Repositories, plan: Plan, today: date, answers: Mapping[str, Released[ByVersion]]
) -> AfterHearing:
    """Read the after-the-hearing sections of a digest within the caller's read.

    `answers` are the items' answers by plan version as published (publishable.py).
    """
    tracked = await load_tracking(repos, [item.id for item in plan.items])
    overdue = tuple(t for t in tracked.values() if t.overdue(today))
    questions = [
        (q, tuple(await repos.follow_ups.answers(q.id)))
        for q in await repos.follow_ups.sent_questions()
    ]
    return AfterHearing(overdue, tuple(questions), await _versions(repos, plan, answers))


async def _versions(
    repos: Repositories, plan: Plan, answers: Mapping[str, Released[ByVersion]]
) -> tuple[VersionSplit, ...]:
    changes = [c for c in await repos.plan_versions.changes(plan.version) if c.kind == "changed"]
    splits = []
    for change in changes:
        released = answers.get(change.item_id, Released[ByVersion]({}))
        if released.figures is None:
            splits.append(VersionSplit(change.item_id, change.kind, (0, 0, 0), (0, 0, 0), True))
            continue
        earlier, current = [0, 0, 0], [0, 0, 0]
        for version, c in released.figures.items():
            into = current if version == plan.version else earlier
            for i, figure in enumerate((c.support, c.oppose, c.support + c.oppose + c.unsure)):
                into[i] += figure
        splits.append(VersionSplit(change.item_id, change.kind, (earlier[0], earlier[1],
                                   earlier[2]), (current[0], current[1], current[2])))  # fmt: skip
    return tuple(splits)


class OversightBuilder:
    """Build the weekly oversight report; the digest ledger records and sends it."""

    def __init__(
        self, db: Store, plan: Plan, zone: str, staff: StaffIds = lambda pid: pid
    ) -> None:
        self.db = db
        self.plan = plan
        self.zone = zone
        self.staff = staff  # who changed what is shown under a staff pseudonym

    async def build(
        self, period_start: datetime | None, period_end: datetime, previous: str | None = None
    ) -> OversightReport:
        """Read every item's tracking and the changes made in the period."""
        start = iso(period_start) if period_start else ""
        async with self.db.reading() as repos:
            tracked = await load_tracking(repos, [item.id for item in self.plan.items])
            changes = await repos.tracking.history_between(start, iso(period_end))
        shown = tuple(replace(c, actor=self.staff(c.actor)) for c in changes)
        return OversightReport(self.plan.title, period_start, period_end,
                               local_day(period_end, self.zone), tuple(tracked.values()),
                               shown)  # fmt: skip

    def snapshot(self, report: OversightReport) -> str:
        """Keep which items were overdue when the report was made."""
        return json.dumps({"overdue": [item.item_id for item in report.overdue]})
