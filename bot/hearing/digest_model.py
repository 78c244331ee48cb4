"""What a drafter's digest says: plain data, built by digest.py, rendered by handlers."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.hearing.opinion_statements import HearingGroups
from bot.hearing.oversight import AfterHearing
from bot.hearing.plan import Plan
from bot.model.reports import TalliedSuggestion


@dataclass(frozen=True)
class Participation:
    """How many took part, as published (bot/hearing/publishable.py); None: fewer than a group.

    The changes are since the last scheduled digest, shown only when both figures were.
    """

    total: int | None
    completed: int | None  # finished the plan
    active: int | None = None  # answered, suggested or voted in the period
    total_change: int | None = None
    completed_change: int | None = None
    joined: tuple[tuple[str, int], ...] = ()  # (ISO day, people) as published, for the page
    as_of: datetime | None = None  # when published, if before the period began


@dataclass(frozen=True)
class ItemStats:
    """Answers on one item, in total, with the change since the previous digest."""

    item_id: str
    number: str
    text: str
    support: int
    oppose: int
    unsure: int
    priority_score: float | None  # 0 (all low) .. 100 (all high); None without answers
    # Support, oppose, unsure since the last digest; None where either figure was not shown.
    change: tuple[int, int, int] | None = None
    withheld: bool = False  # too few answers to show how they split: every count is zero
    as_of: datetime | None = None  # when these figures were published, if before the period

    @property
    def answers(self) -> int:
        """Count every answer on the item."""
        return self.support + self.oppose + self.unsure

    def share(self, count: int) -> float:
        """Return a count as a share (0..1) of all answers on the item."""
        return count / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class SuggestionGroup:
    """A suggestion, with the near-duplicates grouped under it."""

    suggestion_id: int
    item_id: str
    text: str
    agree: int
    disagree: int
    passed: int
    similar: tuple[int, ...] = ()  # ids of the near-duplicates folded into this entry
    withheld: bool = False  # fewer than a group voted: every count is zero

    @property
    def score(self) -> int:
        """Agreement: agree minus disagree."""
        return self.agree - self.disagree

    @property
    def votes(self) -> int:
        """Count the votes for or against (passes are not counted)."""
        return self.agree + self.disagree

    @property
    def writers(self) -> int:
        """Count how many people wrote this idea (the entry and its near-duplicates)."""
        return 1 + len(self.similar)


@dataclass(frozen=True)
class Digest:
    """One digest: who took part, every item's answers, the best suggestions, proposals."""

    title: str
    period_start: datetime | None  # None: since the hearing began
    period_end: datetime
    participation: Participation
    items: tuple[ItemStats, ...]
    most_supported: tuple[str, ...]  # item ids, best first
    most_opposed: tuple[str, ...]
    most_contested: tuple[str, ...]
    best_suggestions: dict[str, tuple[SuggestionGroup, ...]] = field(default_factory=dict)
    proposals: tuple[SuggestionGroup, ...] = ()
    # Every suggestion first shown to citizens in the period, in the plan's order (proposals
    # last), and how many posted in the period still wait for a moderator.
    new_suggestions: tuple[TalliedSuggestion, ...] = ()
    new_waiting: int = 0
    awaiting_moderation: int = 0
    reported: int = 0
    after: AfterHearing = field(default_factory=AfterHearing)
    opinion: HearingGroups | None = None  # opinion groups (docs/opinion-groups.md)
    # Sub-items some citizens answered one by one, in plan order (item ids such as "9.3").
    sub_items: tuple[ItemStats, ...] = ()
    # Every suggestion shown to citizens, with its votes as published.
    suggestions: tuple[TalliedSuggestion, ...] = ()

    min_group: int = 1  # no figure about fewer people (but some) is shown

    def in_plan(self, plan: Plan) -> Digest:
        """Return this digest with the title and item texts of a translation of its plan."""

        def local(stats: ItemStats) -> ItemStats:
            item = plan.item(stats.item_id)
            return replace(stats, text=item.text) if item else stats

        items = tuple(local(stats) for stats in self.items)
        subs = tuple(local(stats) for stats in self.sub_items)
        return replace(self, title=plan.title, items=items, sub_items=subs)

    def item(self, item_id: str) -> ItemStats | None:
        """Return one item's statistics, or None."""
        return next((stats for stats in self.items if stats.item_id == item_id), None)

    def subs_of(self, item_id: str) -> tuple[ItemStats, ...]:
        """Return the answered sub-items of an item, in plan order."""
        return tuple(s for s in self.sub_items if s.item_id.split(".")[0] == item_id)
