"""The public results page: what people said and what became of it, safe to publish."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from bot.hearing.digest import DigestBuilder, best_groups
from bot.hearing.digest_model import Digest, ItemStats, SuggestionGroup
from bot.hearing.opinion_groups import GroupsOutcome
from bot.hearing.opinion_service import Opinions
from bot.hearing.opinion_statements import HearingGroups, Statement
from bot.hearing.opinion_summary import Across, Direction, Share
from bot.hearing.oversight import VersionSplit, local_day
from bot.hearing.plan import Plan
from bot.hearing.plan_revision import (
    ChangeKind,
    ItemChange,
    recorded_translations,
    translated_wording,
)
from bot.hearing.publishable import shown
from bot.hearing.responses import Decision
from bot.hearing.tracking import load_tracking
from bot.hearing.turnout import Turnout, turnout
from bot.model.records import ResponseRecord, Tally
from bot.model.reports import TalliedSuggestion, VersionRow
from bot.model.tracking import ItemTracking
from bot.model.values import NEW_ITEMS, Language
from storage.backend import Store
from storage.repositories import Repositories

BEST_SHOWN = 5
PROPOSALS_SHOWN = 30


@dataclass(frozen=True)
class Outcome:
    """What the drafters said and decided about a suggestion ("you said, we did")."""

    decision: Decision | None = None  # adopted, merged or declined; None: not decided
    merged_into: str | None = None  # the item number it was merged into
    reason: str | None = None  # why it was declined
    reply: str | None = None  # the drafters' latest reply to its author


@dataclass(frozen=True)
class SuggestionResult:
    """A suggestion as the public sees it: its words, its votes, and what became of it."""

    text: str
    votes: Tally | None  # None: fewer than a group voted on it, so the votes are withheld
    writers: int | None  # people who wrote it or something similar; None: a few (withheld)
    outcome: Outcome = field(default_factory=Outcome)


@dataclass(frozen=True)
class ItemResult:
    """One item: how it was received, what people suggested, and where it stands."""

    stats: ItemStats  # withheld (no counts) when fewer than a group answered
    suggestions: tuple[SuggestionResult, ...]
    tracking: ItemTracking
    overdue: bool
    versions: VersionSplit | None = None  # answers on earlier and current wording

    @property
    def item_id(self) -> str:
        """Return the item's id."""
        return self.stats.item_id


@dataclass(frozen=True)
class Quote:
    """Wording quoted from a version of the plan, and the language it is worded in."""

    text: str
    language: Language


@dataclass(frozen=True)
class QuotedChange:
    """An item's change with its wording before and after, as one language reads it."""

    change: ItemChange
    old: Quote | None
    new: Quote | None


@dataclass(frozen=True)
class Revision:
    """A published version of the plan and what changed in it."""

    version: str
    previous: str | None
    published: date
    changes: tuple[ItemChange, ...]
    # The plan's translations before and after this revision, where they were published.
    before: Mapping[Language, Plan] = field(default_factory=dict)
    after: Mapping[Language, Plan] = field(default_factory=dict)

    def quoted(self, language: Language) -> tuple[QuotedChange, ...]:
        """Return the changes with their wording in a language where it was published, else
        in the English plan's."""
        quoted = []
        for change in self.changes:
            old, new = translated_wording(
                change, self.before.get(language), self.after.get(language)
            )
            quoted.append(QuotedChange(change, _quote(change.old_text, old, language),
                                       _quote(change.new_text, new, language)))  # fmt: skip
        return tuple(quoted)


def borrows_english(changes: Iterable[QuotedChange], language: Language) -> bool:
    """Tell whether changes read in a language quote some wording from the English plan."""
    quotes = [quote for q in changes for quote in (q.old, q.new) if quote is not None]
    return language is not Language.ENGLISH and any(
        quote.language is Language.ENGLISH for quote in quotes
    )


def _quote(english: str | None, local: str | None, language: Language) -> Quote | None:
    if local is not None:
        return Quote(local, language)
    return Quote(english, Language.ENGLISH) if english is not None else None


@dataclass(frozen=True)
class GroupStatement:
    """A statement the groups are described by: an item, or a visible suggestion's words."""

    item_id: str  # the item, or the item a suggestion is on (`new` for a proposal)
    suggestion_id: int | None = None  # None: the item itself
    text: str = ""  # a suggestion's words; an item's come from the page's plan


@dataclass(frozen=True)
class GroupPosition:
    """What sets a group apart: how it voted on a statement, and how everyone else did."""

    statement: GroupStatement
    direction: Direction
    inside: Share  # the group's votes (at least a group of them)
    outside: Share  # everyone else's


@dataclass(frozen=True)
class PublicGroup:
    """An opinion group as published: its stable label (A, B...), size and positions."""

    label: int
    size: int  # never under min_group
    distinctive: tuple[GroupPosition, ...]


@dataclass(frozen=True)
class AcrossGroups:
    """A statement with each group's votes on it: (group label, its votes), by label."""

    statement: GroupStatement
    shares: tuple[tuple[int, Share], ...]
    direction: Direction | None = None  # consensus: the way every group leans


@dataclass(frozen=True)
class GroupsResult:
    """The opinion groups as the digest shows them, without anyone's group or place.

    No count of voters is kept when there are too few for groups (it could be under
    min_group): only how many would be needed.
    """

    outcome: GroupsOutcome
    clustered: int  # those with enough votes to be grouped (0 without groups)
    min_votes: int  # votes a participant needs to be grouped
    needed: int  # grouped participants needed for groups at all
    merged: int  # groups under min_group counted with their nearest, not described
    groups: tuple[PublicGroup, ...] = ()
    consensus: tuple[AcrossGroups, ...] = ()
    divisive: tuple[AcrossGroups, ...] = ()

    @property
    def found(self) -> bool:
        """Tell whether there are groups to describe (one group included)."""
        return self.outcome in (GroupsOutcome.GROUPS, GroupsOutcome.ONE_GROUP)


def public_groups(found: HearingGroups) -> GroupsResult:
    """Keep what the digest says of the groups; leave out who is in which and the map."""
    result = found.result
    base = GroupsResult(
        result.outcome,
        result.clustered if found.found else 0,
        found.params.min_votes,
        found.needed,
        result.merged,
    )
    if not found.found:
        return base

    def statement(key: object) -> GroupStatement:
        s = found.statements.get(str(key)) or Statement(str(key), "")
        return GroupStatement(s.item_id, s.suggestion_id, s.text)

    labels = [g.label for g in result.groups]

    def across(a: Across) -> AcrossGroups:
        # Across.by_group follows the order of result.groups (by label).
        shares = tuple(zip(labels, a.by_group, strict=True))
        return AcrossGroups(statement(a.statement), shares, a.direction)

    groups = tuple(
        PublicGroup(
            g.label,
            g.size,
            tuple(
                GroupPosition(statement(d.statement), d.direction, d.inside, d.outside)
                for d in g.distinctive
            ),
        )
        for g in result.groups
    )
    divisive = tuple(across(a) for a in result.divisive) if len(groups) > 1 else ()
    return replace(
        base,
        groups=groups,
        consensus=tuple(across(a) for a in result.consensus),
        divisive=divisive,
    )


@dataclass(frozen=True)
class ResultsPage:
    """Everything the public results page says, already cleared for publication."""

    title: str
    version: str
    as_of: date
    min_group: int
    turnout: Turnout
    items: tuple[ItemResult, ...]
    most_supported: tuple[str, ...] = ()
    most_opposed: tuple[str, ...] = ()
    most_contested: tuple[str, ...] = ()
    proposals: tuple[SuggestionResult, ...] = ()
    more_proposals: int = 0
    revisions: tuple[Revision, ...] = ()
    # Opinion groups (issue 14): each group's size and distinctive positions, the consensus
    # and the divisions, or why there are none yet. None: not looked for (no votes at all).
    groups: GroupsResult | None = None

    @property
    def answered(self) -> bool:
        """Tell whether anyone has answered anything yet."""
        return any(i.stats.answers or i.stats.withheld for i in self.items) or bool(
            self.turnout.total or self.turnout.withheld
        )

    def in_plan(self, plan: Plan) -> ResultsPage:
        """Return the page with the title and item texts of a translation of its plan."""
        items = tuple(
            replace(i, stats=replace(i.stats, text=local.text))
            if (local := plan.item(i.item_id))
            else i
            for i in self.items
        )
        return replace(self, title=plan.title, items=items)

    def item(self, item_id: str) -> ItemResult | None:
        """Return one item's result, or None."""
        return next((i for i in self.items if i.item_id == item_id), None)


async def build_results(
    db: Store, plan: Plan, zone: str, min_group: int, now: datetime,
    opinions: Opinions | None = None,
) -> ResultsPage:  # fmt: skip
    """Read the hearing and shape what may be published about it.

    `opinions`: the running hearing's groups, so that the page shows what the digest does.
    """
    # Every figure as published (bot/hearing/publishable.py): the page can be made at will,
    # and two pages never differ by fewer than min_group people.
    digest = await DigestBuilder(db, plan, zone, min_group).build(None, now)
    today = local_day(now, zone)
    async with db.reading() as repos:
        outcomes = _outcomes(await repos.results.responses(), plan)
        tracked = await load_tracking(repos, [item.id for item in plan.items])
        revisions = await _revisions(repos, await repos.results.versions(), zone)
    # The saved state of the latest digest is continued, so the groups keep their letters.
    found = await (opinions or Opinions(db, plan, min_group)).current(fresh=True)
    public = Publication(min_group, outcomes, digest.suggestions)
    versions = {v.item_id: v for v in digest.after.versions if public.enough_on_both(v)}
    items = tuple(
        ItemResult(
            stats,
            public.item_suggestions(stats.item_id),
            tracked[stats.item_id],
            tracked[stats.item_id].overdue(today),
            None if stats.withheld else versions.get(stats.item_id),
        )
        for stats in digest.items
    )
    proposals = public.proposals(digest)
    return ResultsPage(
        title=plan.title,
        version=plan.version,
        as_of=today,
        min_group=min_group,
        turnout=_turnout(digest, today),
        items=items,
        most_supported=digest.most_supported,
        most_opposed=digest.most_opposed,
        most_contested=digest.most_contested,
        proposals=tuple(proposals[:PROPOSALS_SHOWN]),
        more_proposals=max(0, len(proposals) - PROPOSALS_SHOWN),
        revisions=revisions,
        groups=public_groups(found) if found.result.participants else None,
    )


def _turnout(digest: Digest, today: date) -> Turnout:
    people = digest.participation
    if people.total is None:
        return Turnout(None, None)
    days = {date.fromisoformat(day): count for day, count in people.joined}
    return turnout(days, people.completed, today, digest.min_group)


class Publication:
    """The privacy rules of the page applied to suggestions: no small group's votes."""

    def __init__(
        self, min_group: int, outcomes: dict[int, Outcome], tallied: Sequence[TalliedSuggestion]
    ) -> None:
        self.min_group = min_group
        self.outcomes = outcomes
        self.by_item: dict[str, list[TalliedSuggestion]] = {}
        for row in tallied:
            self.by_item.setdefault(row.item_id, []).append(row)

    def item_suggestions(self, item_id: str) -> tuple[SuggestionResult, ...]:
        """Return an item's best suggestions (enough votes), then any others drafters answered."""
        rows = self.by_item.get(item_id, [])
        best = best_groups(rows, self.min_group, BEST_SHOWN)
        return tuple(self._shown(best, rows))

    def proposals(self, digest: Digest) -> list[SuggestionResult]:
        """Return the proposed new items, best first, with those drafters answered."""
        return self._shown(digest.proposals, self.by_item.get(NEW_ITEMS, []))

    def enough_on_both(self, split: VersionSplit) -> bool:
        """Tell whether both wordings of a changed item had at least a group of answers."""
        return min(split.earlier[2], split.current[2]) >= self.min_group

    def _shown(
        self, groups: Iterable[SuggestionGroup], rows: Sequence[TalliedSuggestion]
    ) -> list[SuggestionResult]:
        shown_ids: set[int] = set()
        results = []
        for g in groups:
            # A near-duplicate folded into this entry is listed again if the drafters answered
            # it: their answer to its author is part of what became of the idea.
            shown_ids.add(g.suggestion_id)
            votes = Tally(g.agree, g.disagree, g.passed)
            results.append(self._result(g.suggestion_id, g.text, votes, g.writers))
        for row in rows:
            if row.id in self.outcomes and row.id not in shown_ids:
                votes = Tally(row.agree, row.disagree, row.passed)
                results.append(self._result(row.id, row.text, votes, 1))
        return results

    def _result(self, sid: int, text: str, votes: Tally, writers: int) -> SuggestionResult:
        counted = votes.agree + votes.disagree + votes.passed
        return SuggestionResult(
            text,
            votes if counted >= self.min_group else None,
            writers if writers == 1 else shown(writers, self.min_group),
            self.outcomes.get(sid, Outcome()),
        )


def _outcomes(responses: Sequence[ResponseRecord], plan: Plan) -> dict[int, Outcome]:
    """Fold replies and decisions (oldest first) into each suggestion's latest outcome."""
    outcomes: dict[int, Outcome] = {}
    for r in responses:
        current = outcomes.get(r.suggestion_id, Outcome())
        if r.kind == Decision.REPLY:
            outcomes[r.suggestion_id] = replace(current, reply=r.text)
            continue
        item = plan.item(r.item_id) if r.item_id else None
        merged_into = item.number if item else r.item_id
        outcomes[r.suggestion_id] = Outcome(Decision(r.kind), merged_into, r.text, current.reply)
    return outcomes


async def _revisions(
    repos: Repositories, versions: Sequence[VersionRow], zone: str
) -> tuple[Revision, ...]:
    revisions = []
    for row in versions:
        if row.previous is None:
            continue  # the first version: the plan as the hearing began
        changes = tuple(
            ItemChange(c.item_id, ChangeKind(c.kind), c.old_text, c.new_text, c.into_item)
            for c in await repos.plan_versions.changes(row.version)
        )
        published = local_day(datetime.fromisoformat(row.published_at), zone)
        before = await recorded_translations(repos, row.previous)
        after = await recorded_translations(repos, row.version)
        revisions.append(Revision(row.version, row.previous, published, changes, before, after))
    return tuple(reversed(revisions))  # the latest first
