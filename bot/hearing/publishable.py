"""The one rule for every figure about people that leaves the bot (docs/privacy.md).

1. **Small groups stay hidden.** A figure about 1 to MIN_GROUP_SIZE - 1 people is not shown:
   "fewer than N". Zero is shown: it is about nobody.
2. **No differencing.** Each figure (an item's answers, a suggestion's votes, the
   participation, the people active in a period, a follow-up segment's size) is shown from its
   *release*, recorded in `releases`. A new release replaces it only once at least
   MIN_GROUP_SIZE people's part in the figure changed since (a new answer, a changed one, an
   erased one), so any two versions of a figure that anyone was ever shown (in the digest,
   `/digest`, the results page, `/suggestions`, a review card, `/mine`, `/ask`) are either the
   same or differ by at least that many people. The first release waits for that many people.
3. **Changes** are differences between two releases, shown only when both are shown.

Changes in answers and votes are counted exactly from their histories; for head counts
(participation, active, a segment) the figures' own differences give a lower bound.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from bot.model.records import Tally
from bot.model.reports import ItemCounts, TalliedSuggestion
from storage.backend import Store
from storage.releases import Answers, ReleaseRow
from storage.repositories import Repositories

ITEM = "item"
SUGGESTION = "suggestion"
PARTICIPATION = "participation"
ACTIVE = "active"
SEGMENT = "segment"
F = TypeVar("F")
ByVersion = dict[str, ItemCounts]  # an item's answers by the plan version they were given on


def shown(count: int, min_group: int) -> int | None:
    """Return a head count, or None for 1 to min_group - 1 people (0 says nothing of anyone)."""
    return None if 0 < count < min_group else count


@dataclass(frozen=True)
class Released(Generic[F]):
    """A figure as it may be shown: its latest release, or withheld while too few are in it."""

    figures: F | None  # None: withheld (1 to min_group - 1 people)
    at: str | None = None  # when it was released (stored time); None: never released
    fresh: bool = False  # released just now

    @property
    def withheld(self) -> bool:
        """Tell whether the figure is about too few people to be shown."""
        return self.figures is None

    def older_than(self, moment: str | None) -> bool:
        """Tell whether this release was made at or before a stored time (None: never)."""
        return moment is not None and self.at is not None and self.at <= moment


def with_votes(row: TalliedSuggestion, votes: Mapping[int, Released[Tally]]) -> TalliedSuggestion:
    """Give a suggestion its published votes (withheld if none were published yet)."""
    tally = votes.get(row.id, Released[Tally](None)).figures
    if tally is None:
        return replace(row, agree=0, disagree=0, passed=0, withheld=True)
    return replace(row, agree=tally.agree, disagree=tally.disagree, passed=tally.passed)


@dataclass(frozen=True)
class Participants:
    """Those who took part, by the local day they joined, and how many finished the plan."""

    joined: tuple[tuple[str, int], ...] = ()  # (ISO day, people), oldest first
    completed: int = 0

    @property
    def total(self) -> int:
        """Count everyone who took part."""
        return sum(count for _, count in self.joined)

    def days(self) -> dict[date, int]:
        """Return the joiners per local day."""
        return {date.fromisoformat(day): count for day, count in self.joined}


@dataclass(frozen=True)
class _Kind(Generic[F]):
    """How one kind of figure is stored, and how many people it is about."""

    name: str
    encode: Callable[[F], Any]
    decode: Callable[[Any], F]
    people: Callable[[F], int]
    # Head counts: a lower bound of the people who changed it, from two versions of it. None:
    # counted exactly from the answers' or votes' history instead.
    moved: Callable[[F, F], int] | None = None


def _answering(by_version: Mapping[str, ItemCounts]) -> int:
    return sum(c.support + c.oppose + c.unsure for c in by_version.values())


def _counts(data: Mapping[str, Sequence[int]]) -> ByVersion:
    return {version: ItemCounts(*values) for version, values in data.items()}


def _joined_moved(old: Participants, new: Participants) -> int:
    # Each person is in one day's count at most: a day's difference is that many people.
    before, after = old.days(), new.days()
    days = before.keys() | after.keys()
    moved = sum(abs(after.get(d, 0) - before.get(d, 0)) for d in days)
    return max(moved, abs(new.completed - old.completed))


_ITEMS: _Kind[ByVersion] = _Kind(
    ITEM,
    lambda by_version: {v: list(vars(c).values()) for v, c in sorted(by_version.items())},
    _counts,
    _answering,
)
_VOTES: _Kind[Tally] = _Kind(
    SUGGESTION,
    lambda t: [t.agree, t.disagree, t.passed],
    lambda data: Tally(*data),
    lambda t: t.agree + t.disagree + t.passed,
)
_PARTICIPANTS: _Kind[Participants] = _Kind(
    PARTICIPATION,
    lambda p: {"joined": [list(day) for day in p.joined], "completed": p.completed},
    lambda data: Participants(tuple((str(d), int(n)) for d, n in data["joined"]),
                              int(data["completed"])),
    lambda p: p.total,
    _joined_moved,
)  # fmt: skip


def _heads(name: str) -> _Kind[int]:
    return _Kind(name, int, int, int, lambda old, new: abs(new - old))


Reading = Callable[[], AbstractAsyncContextManager[Repositories]]


class Publisher:
    """Publish figures by the rule, recording every new release.

    Each figure is read in one statement with what changed in it since its release, so from
    one snapshot; a new release is then recorded only over the release it was decided against,
    so that two publishers at once (a digest and a `/digest`, say) never both release a figure.
    `over(db)` reads on the reader and writes in a short transaction of its own (the digest's
    large reads never hold the write lock); `within(repos)` does both in the caller's
    transaction (a few figures, where the caller decides within it).
    """

    def __init__(self, min_group: int, reading: Reading, writing: Reading) -> None:
        self.min_group = min_group
        self._reading = reading
        self._writing = writing

    @classmethod
    def over(cls, db: Store, min_group: int) -> Publisher:
        """Publish over an open database: read, then record in a transaction of its own."""
        return cls(min_group, db.reading, db.transaction)

    @classmethod
    def within(cls, repos: Repositories, min_group: int) -> Publisher:
        """Publish within the caller's transaction."""

        @asynccontextmanager
        async def same() -> AsyncIterator[Repositories]:
            yield repos

        return cls(min_group, same, same)

    async def items(self) -> dict[str, Released[ByVersion]]:
        """Publish every answered (or once published) item's answers, by plan version."""
        async with self._reading() as repos:
            stored = await repos.releases.of(ITEM)
            answers = await repos.releases.item_answers()
            # Read after the answers: a release's mark may be late (then some change is not
            # counted, and the figure waits longer), never early (a change counted twice).
            after = await repos.releases.mark(ITEM)
        mark = max([a.mark for a in answers.values()] or [after])
        current = {t: _counts(a.counts) if (a := answers.get(t)) else {}
                   for t in answers.keys() | stored.keys()}  # fmt: skip
        return await self._publish(_ITEMS, current, stored, answers, mark)

    async def votes(self, ids: Sequence[int] | None = None) -> dict[int, Released[Tally]]:
        """Publish the votes on the given suggestions (default: every one shown to citizens)."""
        async with self._reading() as repos:
            wanted = list(ids) if ids is not None else await repos.releases.visible_suggestions()
            stored = await repos.releases.of(SUGGESTION, [str(i) for i in wanted])
            # Every shown suggestion at once in one statement; a few by their ids.
            answers = await repos.releases.vote_answers(None if ids is None else wanted)
            after = await repos.releases.mark(SUGGESTION)  # after the votes: never too early
        current = {str(i): Tally(*a.counts[""]) if (a := answers.get(str(i))) else Tally()
                   for i in wanted}  # fmt: skip
        published = await self._publish(_VOTES, current, stored, answers, after)
        return {int(target): release for target, release in published.items()}

    async def participation(self, zone: str) -> Released[Participants]:
        """Publish who took part: joiners per local day, and how many finished the plan."""
        tz = ZoneInfo(zone)
        days: dict[str, int] = {}
        async with self._reading() as repos:
            stored = await repos.releases.of(PARTICIPATION, [""])
            for minute, count in await repos.results.joined():
                day = datetime.fromisoformat(minute).replace(tzinfo=UTC).astimezone(tz).date()
                days[day.isoformat()] = days.get(day.isoformat(), 0) + count
            completed = await repos.digests.completed_total()
        now = Participants(tuple(sorted(days.items())), completed)
        return (await self._publish(_PARTICIPANTS, {"": now}, stored))[""]

    async def active(self, start: str, end: str) -> Released[int]:
        """Publish how many took part in a period (keyed by its start)."""
        async with self._reading() as repos:
            stored = await repos.releases.of(ACTIVE, [start])
            count = await repos.digests.active(start, end)
        return (await self._publish(_heads(ACTIVE), {start: count}, stored))[start]

    async def segment(self, item_id: str, segment: str, size: int) -> Released[int]:
        """Publish the size of a follow-up segment (the citizens a question would reach)."""
        target = f"{item_id}:{segment}"
        async with self._reading() as repos:
            stored = await repos.releases.of(SEGMENT, [target])
        return (await self._publish(_heads(SEGMENT), {target: size}, stored))[target]

    async def _publish(
        self, kind: _Kind[F], current: Mapping[str, F], stored: Mapping[str, ReleaseRow],
        answers: Mapping[str, Answers] | None = None, mark: int = 0,
    ) -> dict[str, Released[F]]:  # fmt: skip
        new: list[tuple[str, str, int, int]] = []
        for target, figures in current.items():
            people = kind.people(figures)
            old = stored.get(target)
            if old is None:
                due = people >= self.min_group
            elif kind.moved is None:
                # Changed or new answers, and those present at the release that are gone.
                a = (answers or {}).get(target)
                present, changed = (a.present, a.changed) if a else (0, 0)
                due = changed + old.people - present >= self.min_group
            else:
                due = kind.moved(kind.decode(json.loads(old.figures)), figures) >= self.min_group
            if due:
                new.append((target, json.dumps(kind.encode(figures)), people, mark))
        async with self._writing() as repos:
            await repos.releases.save(kind.name, new, stored)
            # Read back: where another publisher released meanwhile, its release is shown.
            now = await repos.releases.of(kind.name, list(current))
        ours = {target: figures for target, figures, _, _ in new}
        shown_now: dict[str, Released[F]] = {}
        for target, figures in current.items():
            row = now.get(target)
            if row is None:  # never released: nobody, or too few so far
                shown_now[target] = self._shown(figures, kind.people(figures), None)
            else:
                fresh = ours.get(target) == row.figures and row.mark == mark
                decoded = kind.decode(json.loads(row.figures))
                shown_now[target] = self._shown(decoded, row.people, row.released_at, fresh)
        return shown_now

    def _shown(self, figures: F, people: int, at: str | None, fresh: bool = False) -> Released[F]:
        return Released(figures if shown(people, self.min_group) is not None else None, at, fresh)
