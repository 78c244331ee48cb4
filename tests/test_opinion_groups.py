"""Tests for opinion groups: Pol.is's method, its stability and its privacy floor."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from scipy import sparse
from scipy.cluster.vq import kmeans2
from scipy.spatial.distance import cdist

from bot.hearing.opinion_clusters import modal_kmeans, silhouettes
from bot.hearing.opinion_groups import (
    GroupsOutcome,
    GroupsParams,
    GroupsState,
    OpinionGroups,
    find_groups,
)
from bot.hearing.opinion_matrix import OpinionMatrix, project
from bot.hearing.opinion_summary import Direction

Vote = tuple[str, str, int]


def camps(
    sizes: tuple[int, ...], statements: int = 12, seed: int = 3, noise: float = 0.1
) -> list[Vote]:
    """Make camps that vote their own way on every statement, each voter straying now and then."""
    rng = random.Random(seed)
    leanings = [[rng.choice((-1, 1)) for _ in range(statements)] for _ in sizes]
    leanings[0] = [1] * statements
    if len(sizes) > 1:
        leanings[1] = [-1] * (statements // 2) + [1] * (statements - statements // 2)
    votes = []
    for c, size in enumerate(sizes):
        for i in range(size):
            for s in range(statements):
                value = leanings[c][s] if rng.random() > noise else rng.choice((-1, 0, 1))
                votes.append((f"c{c}-p{i:03d}", f"s{s:02d}", value))
    return votes


def shares(result: OpinionGroups) -> list[int]:
    """Return the vote count behind every figure the result describes."""
    counts = [d.inside.votes for g in result.groups for d in g.distinctive]
    counts += [d.outside.votes for g in result.groups for d in g.distinctive]
    counts += [s.votes for a in (*result.consensus, *result.divisive) for s in a.by_group]
    return counts


def test_two_camps_become_two_groups_with_what_sets_them_apart() -> None:
    result = find_groups(camps((20, 15), noise=0.05))
    assert result.outcome is GroupsOutcome.GROUPS
    assert sorted(g.size for g in result.groups) == [15, 20]
    by_camp = {(p.split("-")[0], g) for p, g in result.membership.items()}
    assert len(by_camp) == 2, "each camp is one group"
    # The camps disagree on s00..s05 and agree on s06..s11.
    assert {a.statement for a in result.divisive} <= {f"s{s:02d}" for s in range(6)}
    assert result.divisive
    assert {a.statement for a in result.consensus} <= {f"s{s:02d}" for s in range(6, 12)}
    assert all(a.direction is Direction.AGREE for a in result.consensus)
    assert all(g.distinctive for g in result.groups)
    assert len(result.positions) == 35


def test_the_same_votes_in_any_order_give_the_same_result() -> None:
    votes = camps((20, 15, 9))
    first = find_groups(votes)
    shuffled = votes[:]
    random.Random(1).shuffle(shuffled)
    again = find_groups(shuffled)
    assert again.membership == first.membership
    assert again.positions == first.positions
    assert (again.groups, again.consensus, again.divisive) == (
        first.groups,
        first.consensus,
        first.divisive,
    )
    assert again.state == first.state


def test_group_names_follow_the_previous_run() -> None:
    votes = camps((20, 15))
    first = find_groups(votes)
    swapped = {p: 1 - g for p, g in first.membership.items()}
    again = find_groups(votes, state=GroupsState(membership=swapped))
    assert dict(again.membership) == swapped


def test_labels_stay_when_votes_are_added() -> None:
    votes = camps((20, 15), seed=5)
    first = find_groups(votes)
    more = votes + [v for v in camps((30, 25), seed=9) if v[0].endswith(("7", "8", "9"))]
    renamed = [(f"new-{p}", s, v) for p, s, v in more[len(votes) :]]
    second = find_groups(votes + renamed, state=first.state)
    stayed = [p for p in first.membership if second.membership.get(p) == first.membership[p]]
    assert len(stayed) == len(first.membership)


def test_a_new_number_of_groups_must_win_several_runs_in_a_row() -> None:
    votes = camps((20, 15), statements=16)
    params = GroupsParams(min_group_size=1, k_buffer=4)
    three = GroupsState(last_k=3, last_k_count=9, smoothed_k=3)
    seen = []
    state = three
    for _ in range(4):
        result = find_groups(votes, state=state, params=params)
        seen.append(len(result.groups))
        state = result.state
    assert seen == [3, 3, 3, 2]
    assert state.smoothed_k == 2


@pytest.mark.parametrize(
    ("votes", "outcome"),
    [
        ([(f"p{i}", f"s{s}", 1) for i in range(6) for s in range(10)], "too_few_participants"),
        ([(f"p{i}", f"s{(i + s) % 20}", 1) for i in range(40) for s in range(2)], "too_few_votes"),
        ([], "too_few_participants"),
    ],
    ids=["six participants", "two votes each", "no votes"],
)
def test_too_few_participants_or_votes_gives_no_groups(votes: list[Vote], outcome: str) -> None:
    result = find_groups(votes)
    assert result.outcome == outcome
    assert not (result.groups or result.membership or result.consensus or result.divisive)


@pytest.mark.parametrize("value", [1, -1, 0], ids=["all agree", "all disagree", "all pass"])
@pytest.mark.parametrize("everything", [True, False], ids=["every statement", "some each"])
def test_everybody_voting_the_same_way_is_one_group(value: int, everything: bool) -> None:
    votes = [
        (f"p{i:02d}", f"s{s}", value)
        for i in range(30)
        for s in range(10)
        if everything or (i + s) % 5  # each skips two statements
    ]
    result = find_groups(votes)
    assert result.outcome is GroupsOutcome.ONE_GROUP
    assert [g.size for g in result.groups] == [30]
    assert result.divisive == ()
    assert all(g.distinctive == () for g in result.groups)
    expected = {1: Direction.AGREE, -1: Direction.DISAGREE}.get(value)
    assert {a.direction for a in result.consensus} == ({expected} if expected else set())


def test_a_participant_who_passed_on_everything_is_placed() -> None:
    votes = camps((20, 15)) + [("passer", f"s{s:02d}", 0) for s in range(12)]
    result = find_groups(votes)
    assert result.outcome is GroupsOutcome.GROUPS
    assert "passer" in result.membership
    assert all(np.isfinite(result.positions["passer"]))


@pytest.mark.parametrize("floor", [1, 5, 8])
def test_no_group_or_figure_rests_on_fewer_than_min_group_size(floor: int) -> None:
    votes = camps((25, 18, 3, 2), statements=14)
    result = find_groups(votes, params=GroupsParams(min_group_size=floor))
    assert all(g.size >= floor for g in result.groups)
    assert all(count >= floor for count in shares(result))
    small = find_groups(votes, params=GroupsParams(min_group_size=1))
    assert result.merged == sum(1 for g in small.groups if g.size < floor)


def test_moderated_out_statements_count_as_votes_but_are_never_described() -> None:
    votes = camps((20, 15))
    # Ten participants with three real votes and five on removed statements: clustered.
    extra = [(f"x{i}", f"s{s:02d}", 1) for i in range(10) for s in range(3)]
    extra += [(f"x{i}", f"gone{s}", -1) for i in range(10) for s in range(5)]
    result = find_groups(votes + extra, moderated_out={f"gone{s}" for s in range(5)})
    assert all(f"x{i}" in result.membership for i in range(10))
    described = {d.statement for g in result.groups for d in g.distinctive}
    described |= {a.statement for a in (*result.consensus, *result.divisive)}
    assert not any(str(s).startswith("gone") for s in described)


def test_the_state_survives_json() -> None:
    result = find_groups([*camps((20, 15)), (7, "s00", 1)])
    text = json.dumps(result.state.to_json())
    assert GroupsState.from_json(json.loads(text)) == result.state


@pytest.mark.parametrize(
    "votes",
    [[("p", "s", 2)], [("p", "s", True)], [("p", "s", 1), ("p", "s", -1)]],
    ids=["not a vote", "a bool", "two votes on one pair"],
)
def test_bad_votes_are_refused(votes: list[tuple[str, str, int]]) -> None:
    with pytest.raises(ValueError):
        OpinionMatrix.from_votes(votes)


def test_the_map_is_exact_when_no_direction_stands_out() -> None:
    # Random votes: the leading directions nearly tie, where an iteration with a cap stops early.
    rng = np.random.default_rng(1)
    rows, cols = np.nonzero(rng.random((2000, 200)) < 0.2)
    values = rng.choice((-1, 0, 1), len(rows)).tolist()
    matrix = OpinionMatrix.from_votes(
        (f"p{r:04d}", f"s{c:03d}", v) for r, c, v in zip(rows, cols, values, strict=True)
    )
    projection = project(matrix)
    centred = matrix.values - projection.center[matrix.cols]
    x = sparse.csr_matrix((centred, (matrix.rows, matrix.cols)), shape=matrix.shape)
    for component, variance in zip(projection.components, projection.variance, strict=True):
        eigenvalue = variance * matrix.shape[0]
        residual = x.T @ (x @ component) - eigenvalue * component
        assert np.linalg.norm(residual) < 1e-9 * eigenvalue
    assert projection.variance[0] >= projection.variance[1] > 0


def test_the_groups_are_the_outcome_most_starts_reach() -> None:
    rng = np.random.default_rng(4)
    points = np.concatenate([rng.normal(c, 1.0, (12, 2)) for c in ((0, 0), (3, 0), (1, 4))])
    weights = np.ones(len(points))
    found = modal_kmeans(points, 3, weights, starts=300)
    assert found is not None
    # The same starts (k distinct points each), each run to the end by scipy's own k-means.
    seeds = np.argsort(np.random.default_rng(20240614).random((300, len(points))), axis=1)[:, :3]
    reached: dict[tuple[int, ...], int] = {}
    for seed in seeds:
        _, labels = kmeans2(points, points[seed], iter=100, minit="matrix", missing="warn")
        if len(set(labels.tolist())) == 3:
            first = {}
            key = tuple(first.setdefault(label, len(first)) for label in labels.tolist())
            reached[key] = reached.get(key, 0) + 1
    assert tuple(found.labels.tolist()) == max(reached, key=reached.__getitem__)
    assert modal_kmeans(points[:2], 3, weights[:2], starts=10) is None, "fewer points than k"


@pytest.mark.parametrize("most", [1000, 40], ids=["every point", "a sample"])
def test_silhouettes_follow_the_definition(most: int) -> None:
    rng = np.random.default_rng(2)
    points = rng.normal(0, 1, (70, 2))
    labelings = [rng.integers(0, 3, 70), (points[:, 0] > 0).astype(np.int64) * 2]
    labelings[0][0] = 3  # a point alone in its cluster scores 0; cluster 1 of the second is empty
    found = silhouettes(points, labelings, most)
    if most < len(points):
        kept = np.sort(np.random.default_rng(20240614).choice(len(points), most, replace=False))
        points, labelings = points[kept], [labels[kept] for labels in labelings]
    distances = cdist(points, points)
    for labels, score in zip(labelings, found, strict=True):
        expected = []
        for i, own in enumerate(labels):
            mates = (labels == own) & (np.arange(len(labels)) != i)
            if not mates.any():
                expected.append(0.0)
                continue
            a = distances[i, mates].mean()
            b = min(distances[i, labels == c].mean() for c in set(labels.tolist()) - {own})
            expected.append((b - a) / max(a, b))
        assert score == pytest.approx(np.mean(expected), abs=1e-12)
