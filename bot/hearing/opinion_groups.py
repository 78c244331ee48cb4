"""Opinion groups: who votes alike, what sets each group apart, what unites and divides them.

Pol.is's method (compdemocracy/polis, math/src/polismath/math): PCA of the vote matrix, 100
base clusters on the map, then 2 to 5 groups of base clusters chosen by silhouette, with the
number of groups smoothed from one run to the next. See docs/opinion-groups.md.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from bot.hearing.opinion_clusters import kmeans, modal_kmeans, silhouettes
from bot.hearing.opinion_matrix import Floats, Ints, Key, OpinionMatrix, project
from bot.hearing.opinion_summary import Across, Distinctive, summarise


class GroupsOutcome(StrEnum):
    """Whether groups were found, and if not, why."""

    GROUPS = "groups"  # two groups or more
    ONE_GROUP = "one_group"  # the votes show no division (or none large enough to describe)
    TOO_FEW_PARTICIPANTS = "too_few_participants"
    TOO_FEW_VOTES = "too_few_votes"


@dataclass(frozen=True)
class GroupsParams:
    """The method's parameters: Pol.is's published values, and the privacy floor."""

    min_votes: int = 7  # to be clustered (or every statement, when there are fewer)
    fill_to: int = 15  # Pol.is clusters the most active voters up to this many
    base_clusters: int = 100
    max_groups: int = 5
    k_buffer: int = 4  # a new number of groups must win this many runs in a row
    starts: int = 1000  # random starts of the group k-means; the most frequent outcome wins
    scored: int = 4000  # participants the silhouette is computed over (a fixed sample if more)
    min_group_size: int = 5
    shown: int = 5  # statements listed per group, for the consensus and for the divisions


@dataclass(frozen=True)
class GroupsState:
    """What one run hands the next: the k-smoother and who was in which group."""

    last_k: int | None = None
    last_k_count: int = 0
    smoothed_k: int | None = None
    membership: Mapping[Key, int] = field(default_factory=lambda: MappingProxyType({}))

    def to_json(self) -> dict[str, Any]:
        """Return the state as JSON-ready data (membership as pairs, keeping id types)."""
        return {
            "last_k": self.last_k,
            "last_k_count": self.last_k_count,
            "smoothed_k": self.smoothed_k,
            "membership": [[key, label] for key, label in self.membership.items()],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GroupsState:
        """Rebuild a state saved with to_json."""
        membership = {key: int(label) for key, label in data.get("membership", [])}
        return cls(
            data.get("last_k"),
            int(data.get("last_k_count", 0)),
            data.get("smoothed_k"),
            MappingProxyType(membership),
        )


@dataclass(frozen=True)
class GroupSummary:
    """One opinion group: its stable label, its size, and the statements that set it apart."""

    label: int
    size: int
    distinctive: tuple[Distinctive, ...]


@dataclass(frozen=True)
class OpinionGroups:
    """The outcome of one run: groups, everyone's place on the map, consensus and divisions."""

    outcome: GroupsOutcome
    participants: int  # everyone who voted
    clustered: int  # those with enough votes to be placed in a group
    groups: tuple[GroupSummary, ...]  # by label; never one smaller than min_group_size
    membership: Mapping[Key, int]  # clustered participant -> group label
    positions: Mapping[Key, tuple[float, float]]  # every participant's place on the map
    consensus: tuple[Across, ...]  # every group agrees (or disagrees) by a clear majority
    divisive: tuple[Across, ...]  # a group clearly agrees while another clearly disagrees
    merged: int  # groups under min_group_size counted with their nearest group
    state: GroupsState  # to pass to the next run


def find_groups(
    votes: Iterable[tuple[Key, Key, int]],
    *,
    moderated_out: Collection[Key] = (),
    state: GroupsState | None = None,
    params: GroupsParams | None = None,
) -> OpinionGroups:
    """Group participants by their votes (+1 agree, -1 disagree, 0 pass), one per pair.

    Votes on `moderated_out` statements count towards a participant's number of votes but
    say nothing about opinions (Pol.is zeroes them), and such statements are never described.
    """
    params = params or GroupsParams()
    state = state or GroupsState()
    matrix = OpinionMatrix.from_votes(votes)
    n, m = matrix.shape
    zeroed = np.array([s in moderated_out for s in matrix.statements], dtype=bool)
    projection = project(matrix, zeroed)
    positions = MappingProxyType(
        {
            p: (float(x), float(y))
            for p, (x, y) in zip(matrix.participants, projection.xy, strict=True)
        }
    )
    counts = matrix.votes_per_participant()
    chosen, reached = _clusterable(counts, m, params)
    floor = 2 * params.min_group_size  # fewer cannot make two groups large enough to describe
    labels = np.full(n, -1)

    def result(outcome: GroupsOutcome, next_state: GroupsState, merged: int = 0) -> OpinionGroups:
        names, dense = np.unique(labels, return_inverse=True)
        if len(names) and names[0] < 0:  # the unclustered are not a group
            names, dense = names[1:], dense - 1
        summaries = summarise(matrix, dense, ~zeroed, params.min_group_size, params.shown)
        groups = tuple(
            GroupSummary(int(label), int(np.sum(labels == label)), summaries.distinctive[g])
            for g, label in enumerate(names)
        )
        membership = MappingProxyType(
            {matrix.participants[i]: int(labels[i]) for i in np.flatnonzero(labels >= 0)}
        )
        return OpinionGroups(
            outcome,
            n,
            int(np.sum(labels >= 0)),
            groups,
            membership,
            positions,
            summaries.consensus,
            summaries.divisive,
            merged,
            next_state,
        )

    if n < floor:
        return result(GroupsOutcome.TOO_FEW_PARTICIPANTS, state)
    if reached < floor or len(chosen) < floor or m - int(zeroed.sum()) < 2:
        return result(GroupsOutcome.TOO_FEW_VOTES, state)
    found, next_state = _cluster(projection.xy[chosen], state, params)
    found, merged = _merge_small(projection.xy[chosen], found, params.min_group_size)
    labels[chosen] = _stable_labels([matrix.participants[i] for i in chosen], found, state)
    membership = {matrix.participants[i]: int(labels[i]) for i in chosen}
    next_state = GroupsState(
        next_state.last_k,
        next_state.last_k_count,
        next_state.smoothed_k,
        MappingProxyType(membership),
    )
    outcome = GroupsOutcome.GROUPS if labels.max() >= 1 else GroupsOutcome.ONE_GROUP
    return result(outcome, next_state, merged)


def _clusterable(counts: Ints, statements: int, params: GroupsParams) -> tuple[Ints, int]:
    """Pick who is clustered: enough votes, else (Pol.is) the most active, up to fill_to."""
    enough = counts >= min(params.min_votes, statements)
    reached = int(enough.sum())
    if reached < params.fill_to:
        # Most votes first, then the participant who sorts first.
        order = np.lexsort((np.arange(len(counts)), -counts))
        extra = [i for i in order if not enough[i] and counts[i] > 0]
        enough[extra[: params.fill_to - reached]] = True
    return np.flatnonzero(enough), reached


def _cluster(points: Floats, state: GroupsState, params: GroupsParams) -> tuple[Ints, GroupsState]:
    """Return each point's group (0..k-1) and the updated k-smoother."""
    base = kmeans(points, params.base_clusters)
    centres = base.centres
    weights = np.bincount(base.labels, minlength=len(centres)).astype(np.float64)
    # Pol.is: at most 2 + (base clusters / 12) groups, and never more than max_groups.
    top = min(params.max_groups, 2 + len(centres) // 12, len(centres))
    options: dict[int, Ints] = {}
    for k in range(2, top + 1):
        groups = modal_kmeans(centres, k, weights, params.starts)
        if groups is not None:
            options[k] = groups.labels[base.labels]
    # Each k is scored by the participants' silhouette (a fixed sample of a large crowd's).
    scores = dict(
        zip(options, silhouettes(points, list(options.values()), params.scored), strict=True)
    )
    # The smaller number of groups wins a tie; no options means the votes show no division.
    this_k = max(options, key=lambda k: (scores[k], -k)) if options else 1
    same = state.last_k == this_k
    count = state.last_k_count + 1 if same else 1
    smoothed = this_k if count >= params.k_buffer else (state.smoothed_k or this_k)
    next_state = GroupsState(this_k, count, smoothed)
    k = smoothed if smoothed in options else this_k
    if k not in options:
        return np.zeros(len(points), dtype=np.int64), next_state
    return options[k], next_state


def _merge_small(points: Floats, labels: Ints, min_size: int) -> tuple[Ints, int]:
    """Count each group under min_size with the group whose centre is nearest; say how many."""
    labels = labels.copy()
    merged = 0
    while True:
        present = np.unique(labels)
        sizes = np.array([np.sum(labels == g) for g in present])
        if len(present) < 2 or sizes.min() >= min_size:
            break
        small = present[np.argmin(sizes)]
        centres = np.array([points[labels == g].mean(axis=0) for g in present])
        gaps = np.linalg.norm(centres - points[labels == small].mean(axis=0), axis=1)
        gaps[present == small] = np.inf
        labels[labels == small] = present[np.argmin(gaps)]
        merged += 1
    return np.unique(labels, return_inverse=True)[1], merged


def _stable_labels(people: list[Key], groups: Ints, state: GroupsState) -> Ints:
    """Name groups after the previous run's groups they overlap most; new ones get new names."""
    k = int(groups.max()) + 1
    previous = sorted(set(state.membership.values()))
    overlap = np.zeros((k, len(previous)), dtype=np.int64)
    column = {label: j for j, label in enumerate(previous)}
    for person, g in zip(people, groups, strict=True):
        if (old := state.membership.get(person)) is not None:
            overlap[g, column[old]] += 1
    names: dict[int, int] = {}
    if previous:
        # Hungarian assignment: the pairing of new and old groups that keeps the most people.
        for g, j in zip(*linear_sum_assignment(overlap, maximize=True), strict=True):
            if overlap[g, j] > 0:
                names[int(g)] = previous[j]
    # Groups without a predecessor: largest first, the lowest free labels.
    sizes = np.bincount(groups, minlength=k)
    fresh = (label for label in itertools.count() if label not in names.values())
    for g in sorted(range(k), key=lambda g: (-sizes[g], g)):
        if g not in names:
            names[g] = next(fresh)
    return np.array([names[g] for g in groups], dtype=np.int64)
