"""The hearing as opinion statements: items and suggestions, their votes, and the groups found.

Statements are the plan's items (support +1, oppose -1, unsure 0; answers on the item's
current wording) and suggestions (agree / disagree / pass). Visible suggestions are described;
hidden and withdrawn ones follow Pol.is's rule for moderated-out comments: their votes count
towards how many votes a participant cast, carry no opinion and are never described.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from bot.hearing.opinion_groups import (
    GroupsOutcome,
    GroupsParams,
    GroupsState,
    OpinionGroups,
    find_groups,
)
from bot.hearing.opinion_matrix import AGREE, DISAGREE, PASS
from bot.hearing.plan import Plan
from bot.model.values import Stance, Vote
from storage.repositories import Repositories
from storage.unit import in_thread

ITEM_KEY = "item-"
SUGGESTION_KEY = "s-"
STANCE_VALUES: dict[str, int] = {
    Stance.SUPPORT: AGREE,
    Stance.OPPOSE: DISAGREE,
    Stance.UNSURE: PASS,
}
VOTE_VALUES: dict[str, int] = {Vote.AGREE: AGREE, Vote.DISAGREE: DISAGREE, Vote.PASS: PASS}
FOUND = (GroupsOutcome.GROUPS, GroupsOutcome.ONE_GROUP)


def item_key(item_id: str) -> str:
    """Name an item as a statement: `item-5`."""
    return f"{ITEM_KEY}{item_id}"


def suggestion_key(suggestion_id: int) -> str:
    """Name a suggestion as a statement: `s-12`."""
    return f"{SUGGESTION_KEY}{suggestion_id}"


@dataclass(frozen=True)
class Statement:
    """What a statement key stands for: an item, or a suggestion (with its text) on an item."""

    key: str
    item_id: str  # the item, or the item a suggestion is on (`new` for a proposal)
    suggestion_id: int | None = None
    text: str = ""  # a suggestion's words as written; an item's come from the reader's plan


@dataclass(frozen=True)
class HearingVotes:
    """Every current vote as (participant, statement, +1/-1/0), and the moderated-out ones."""

    votes: tuple[tuple[str, str, int], ...]
    moderated_out: frozenset[str]


@dataclass(frozen=True)
class HearingGroups:
    """The hearing's opinion groups, the statements they name, and how they were found."""

    result: OpinionGroups
    statements: Mapping[str, Statement]  # every statement the result describes
    counted: Mapping[str, int]  # votes per participant, for telling one their own count
    enough: int  # participants with enough votes to be grouped
    params: GroupsParams
    computed_at: datetime

    @property
    def found(self) -> bool:
        """Tell whether there are groups to describe and draw (one group included)."""
        return self.result.outcome in FOUND

    @property
    def needed(self) -> int:
        """Return how many participants with enough votes groups need at least."""
        return 2 * self.params.min_group_size

    def place_of(self, pid: str) -> OwnPlace:
        """Return one participant's own place: their group and spot on the map, if any."""
        label = self.result.membership.get(pid) if self.found else None
        position = self.result.positions.get(pid) if label is not None else None
        return OwnPlace(self, label, position, self.counted.get(pid, 0))


@dataclass(frozen=True)
class OwnPlace:
    """What a citizen may learn of the groups: their own group, never anyone else's."""

    groups: HearingGroups
    label: int | None  # None: not in a group (too few votes, or no groups yet)
    position: tuple[float, float] | None
    counted: int  # their own votes that count

    @property
    def size(self) -> int:
        """Return the size of the citizen's group (0 if they are in none)."""
        return next((g.size for g in self.groups.result.groups if g.label == self.label), 0)


async def read_votes(repos: Repositories, plan: Plan) -> HearingVotes:
    """Read every current answer on the plan's items and vote on suggestions, as statements."""
    items = [item.id for item in plan.items]
    stances = await repos.opinions.stances(items, ITEM_KEY, STANCE_VALUES)
    on_suggestions = await repos.opinions.suggestion_votes(SUGGESTION_KEY, VOTE_VALUES)
    votes = (*stances, *((pid, key, value) for pid, key, value, _ in on_suggestions))
    moderated_out = frozenset(key for _, key, _, hidden in on_suggestions if hidden)
    return HearingVotes(votes, moderated_out)


async def saved_state(repos: Repositories) -> GroupsState:
    """Return the state the latest digest's groups left, or a fresh one."""
    run = await repos.opinions.latest_run()
    if run is None:
        return GroupsState()
    smoother, members = run
    return GroupsState.from_json({**json.loads(smoother), "membership": members})


def smoother_json(state: GroupsState) -> str:
    """Serialise the state's k-smoother (its membership is stored row by row)."""
    data = state.to_json()
    del data["membership"]
    return json.dumps(data, sort_keys=True)


async def group_hearing(
    repos: Repositories, plan: Plan, params: GroupsParams, now: datetime
) -> HearingGroups:
    """Find the hearing's groups from the votes as they stand, continuing the saved state."""
    votes = await read_votes(repos, plan)
    state = await saved_state(repos)
    # A few seconds of CPU at 50,000 participants: off the event loop.
    result, counted, enough = await in_thread(_group, votes, state, params)
    described = _described(result)
    ids = [int(key.removeprefix(SUGGESTION_KEY)) for key in described if _is_suggestion(key)]
    texts = await repos.opinions.suggestions(ids)
    statements: dict[str, Statement] = {}
    for key in described:
        if _is_suggestion(key):
            sid = int(key.removeprefix(SUGGESTION_KEY))
            item_id, text = texts.get(sid, ("", ""))
            statements[key] = Statement(key, item_id, sid, text)
        else:
            statements[key] = Statement(key, key.removeprefix(ITEM_KEY))
    return HearingGroups(result, MappingProxyType(statements), counted, enough, params, now)


def _group(
    votes: HearingVotes, state: GroupsState, params: GroupsParams
) -> tuple[OpinionGroups, Mapping[str, int], int]:
    result = find_groups(
        votes.votes, moderated_out=votes.moderated_out, state=state, params=params
    )
    counted = Counter(pid for pid, _, _ in votes.votes)
    statements = len({key for _, key, _ in votes.votes})
    enough = sum(1 for n in counted.values() if n >= min(params.min_votes, statements))
    return result, MappingProxyType(dict(counted)), enough


def _described(result: OpinionGroups) -> list[str]:
    keys: Iterable[object] = (
        *(d.statement for g in result.groups for d in g.distinctive),
        *(a.statement for a in result.consensus),
        *(a.statement for a in result.divisive),
    )
    return sorted({str(key) for key in keys})


def _is_suggestion(key: str) -> bool:
    return key.startswith(SUGGESTION_KEY)
