"""Build the drafter's digest: participation, every item's answers, the best suggestions."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, field
from datetime import datetime
from typing import TypeVar

from bot.hearing.digest_model import Digest, ItemStats, Participation, SuggestionGroup
from bot.hearing.matching import group
from bot.hearing.oversight import after_hearing, local_day
from bot.hearing.plan import Plan
from bot.hearing.publishable import ByVersion, Participants, Publisher, Released, with_votes
from bot.model.reports import ItemCounts, TalliedSuggestion
from bot.model.values import NEW_ITEMS
from storage.backend import Store
from storage.clock import iso

# A suggestion needs this many votes for or against before it can be called one of the best.
MIN_VOTES = 2
BEST_PER_ITEM = 3
TOP_ITEMS = 3
# An item is "contested" with at least this many support + oppose answers, split at worst 60/40.
CONTESTED_MIN_ANSWERS = 5
CONTESTED_MIN_BALANCE = 0.8
PRIORITY_WEIGHTS = {"high": 100.0, "medium": 50.0, "low": 0.0}
F = TypeVar("F")


SNAPSHOT = 2  # the version of what a digest keeps for the next one to compare with


def stats_snapshot(digest: Digest) -> str:
    """Keep the figures the digest showed (None where withheld), for the next one's changes."""
    stats = (*digest.items, *digest.sub_items)
    shown = {s.item_id: None if s.withheld else [s.support, s.oppose, s.unsure] for s in stats}
    p = digest.participation
    return json.dumps({"v": SNAPSHOT, "items": shown, "participation": [p.total, p.completed]})


@dataclass(frozen=True)
class _Shown:
    """What the previous digest showed; nothing when there was none, or it kept counts raw."""

    items: dict[str, list[int] | None] = field(default_factory=dict)
    participation: list[int | None] = field(default_factory=lambda: [None, None])

    @classmethod
    def parse(cls, previous: str | None) -> _Shown:
        data = json.loads(previous) if previous else {}
        # A digest from before releases kept raw counts, some never shown: compare with none.
        if not isinstance(data, dict) or data.get("v") != SNAPSHOT:
            return cls()
        return cls(data["items"], data["participation"])


class DigestBuilder:
    """Read the hearing's figures for a period and shape them into a Digest.

    Every figure about people is published by the one rule (bot/hearing/publishable.py): too
    few people, withheld; no new figure until enough people changed it.
    """

    def __init__(self, db: Store, plan: Plan, zone: str = "UTC", min_group: int = 1) -> None:
        self.db = db
        self.plan = plan
        self.zone = zone
        self.min_group = min_group

    async def build(
        self, period_start: datetime | None, period_end: datetime, previous: str | None = None
    ) -> Digest:
        """Build the digest of the period, comparing items with a previous snapshot."""
        start = iso(period_start) if period_start else ""
        # Read on the reader, recorded in short transactions: the write lock is not held.
        publish = Publisher.over(self.db, self.min_group)
        answers = await publish.items()
        votes = await publish.votes()
        people = await publish.participation(self.zone)
        active = await publish.active(start, iso(period_end))
        async with self.db.reading() as repos:
            suggestions = [with_votes(r, votes) for r in await repos.digests.tallied_suggestions()]
            new = [
                with_votes(r, votes)
                for r in await repos.digests.new_suggestions(start, iso(period_end))
            ]
            new_waiting = await repos.digests.new_waiting(start, iso(period_end))
            pending = await repos.digests.awaiting_moderation()
            reported = await repos.digests.reported()
            after = await after_hearing(
                repos, self.plan, local_day(period_end, self.zone), answers
            )
        before = _Shown.parse(previous)
        items = tuple(self._item(i, answers, before, start) for i in self._item_ids())
        # Sub-items answered one by one (an optional step): shown under their item.
        sub_items = tuple(
            self._item(sub.id, answers, before, start)
            for item in self.plan.items for sub in item.children if sub.id in answers
        )  # fmt: skip
        by_item: dict[str, list[TalliedSuggestion]] = {}
        for suggestion in suggestions:
            by_item.setdefault(suggestion.item_id, []).append(suggestion)
        # Only suggestions whose votes are shown can be ranked: an order is a figure too.
        least = max(MIN_VOTES, self.min_group)
        best = {
            item_id: groups
            for item_id, rows in by_item.items()
            if item_id != NEW_ITEMS and (groups := best_groups(rows, least, BEST_PER_ITEM))
        }
        proposals = tuple(best_groups(by_item.get(NEW_ITEMS, []), 0, len(suggestions)))
        return Digest(
            title=self.plan.title,
            period_start=period_start,
            period_end=period_end,
            participation=self._participation(people, active, before, start),
            items=items,
            sub_items=sub_items,
            most_supported=_top(items, lambda s: (s.share(s.support), s.support)),
            most_opposed=_top(items, lambda s: (s.share(s.oppose), s.oppose)),
            most_contested=contested(items),
            best_suggestions=best,
            proposals=proposals,
            new_suggestions=in_plan_order(self.plan, new),
            new_waiting=new_waiting,
            awaiting_moderation=pending,
            reported=reported,
            after=after,
            suggestions=tuple(suggestions),
            min_group=self.min_group,
        )

    def snapshot(self, digest: Digest) -> str:
        """Serialise the digest's figures for the next one to compare with."""
        return stats_snapshot(digest)

    def _item_ids(self) -> list[str]:
        return [item.id for item in self.plan.items]

    def _item(
        self, item_id: str, answers: dict[str, Released[ByVersion]], before: _Shown, start: str
    ) -> ItemStats:
        item = self.plan.item(item_id)
        number = item.number if item else item_id
        text = item.text if item else ""
        released = answers.get(item_id, Released[ByVersion]({}))
        as_of = _as_of(released, start)
        if released.figures is None:
            return ItemStats(item_id, number, text, 0, 0, 0, None, withheld=True, as_of=as_of)
        c = _summed(released.figures)
        prioritised = c.high + c.medium + c.low
        score = (
            (c.high * PRIORITY_WEIGHTS["high"] + c.medium * PRIORITY_WEIGHTS["medium"])
            / prioritised
            if prioritised
            else None
        )
        old = before.items.get(item_id)
        change = (c.support - old[0], c.oppose - old[1], c.unsure - old[2]) if old else None
        return ItemStats(item_id, number, text, c.support, c.oppose, c.unsure, score, change,
                         as_of=as_of)  # fmt: skip

    def _participation(
        self, people: Released[Participants], active: Released[int], before: _Shown, start: str
    ) -> Participation:
        joined = people.figures
        total = joined.total if joined else None
        completed = joined.completed if joined else None
        was_total, was_completed = before.participation
        return Participation(
            total,
            completed,
            active.figures,
            _difference(was_total, total),
            _difference(was_completed, completed),
            joined.joined if joined else (),
            _as_of(people, start),
        )


def _summed(by_version: ByVersion) -> ItemCounts:
    rows = [astuple(c) for c in by_version.values()]
    totals = [sum(values) for values in zip(*rows, strict=True)]
    return ItemCounts(*totals) if totals else ItemCounts()


def _difference(before: int | None, now: int | None) -> int | None:
    return None if before is None or now is None else now - before


def _as_of(released: Released[F], start: str) -> datetime | None:
    """Return when a figure was published, if before the period: an older figure is dated."""
    if released.at is None or not released.older_than(start):
        return None
    return datetime.fromisoformat(released.at)


def in_plan_order(plan: Plan, rows: Sequence[TalliedSuggestion]) -> tuple[TalliedSuggestion, ...]:
    """Order suggestions by the plan's items, oldest first on each; proposals come last."""
    index = {item.id: i for i, item in enumerate(plan.items)}
    return tuple(sorted(rows, key=lambda row: (index.get(row.item_id, len(index)), row.id)))


def best_groups(
    rows: Sequence[TalliedSuggestion], min_votes: int, limit: int
) -> tuple[SuggestionGroup, ...]:
    """Group near-duplicates (best-scoring first) and return the best groups."""
    ordered = sorted(rows, key=lambda r: (-(r.agree - r.disagree), -(r.agree + r.disagree), r.id))
    # Best-scoring first, so each group is headed by its best suggestion; each is compared with
    # earlier heads only, and only those sharing rarer words (see matching.group).
    head_of = group([row.text for row in ordered])
    members: dict[int, list[int]] = {}
    for i, head in enumerate(head_of):
        if head != i:
            members.setdefault(head, []).append(ordered[i].id)
    heads = [(row, members.get(i, [])) for i, row in enumerate(ordered) if head_of[i] == i]
    groups = [
        SuggestionGroup(
            h.id, h.item_id, h.text, h.agree, h.disagree, h.passed, tuple(m), h.withheld
        )
        for h, m in heads
        if h.agree + h.disagree >= min_votes
    ]
    return tuple(groups[:limit])


def contested(items: Sequence[ItemStats]) -> tuple[str, ...]:
    """Return the items closest to an even split among many support and oppose answers."""
    scored = []
    for s in items:
        decided = s.support + s.oppose
        if decided < CONTESTED_MIN_ANSWERS:
            continue
        balance = 1 - abs(s.support - s.oppose) / decided
        if balance >= CONTESTED_MIN_BALANCE:
            scored.append((balance * decided, s.item_id))
    scored.sort(key=lambda pair: -pair[0])
    return tuple(item_id for _, item_id in scored[:TOP_ITEMS])


def _top(
    items: Sequence[ItemStats], key: Callable[[ItemStats], tuple[float, int]]
) -> tuple[str, ...]:
    ranked = sorted((s for s in items if s.answers), key=key, reverse=True)
    return tuple(s.item_id for s in ranked[:TOP_ITEMS] if key(s)[1] > 0)
