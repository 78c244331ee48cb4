"""What the groups say: each group's distinctive statements, the consensus, the divisions."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from bot.hearing.opinion_matrix import Floats, Ints, Key, OpinionMatrix

Z_90 = 1.2816  # Pol.is: a one-sided z-test significant at 90%


class Direction(StrEnum):
    """Which way a group, or every group, leans on a statement."""

    AGREE = "agree"
    DISAGREE = "disagree"


@dataclass(frozen=True)
class Share:
    """How one set of people voted on one statement: agrees, disagrees, and all votes."""

    agree: int
    disagree: int
    votes: int  # passes included

    def share(self, direction: Direction) -> float:
        """Return the share (0..1) of the votes that went the given way."""
        count = self.agree if direction is Direction.AGREE else self.disagree
        return count / self.votes if self.votes else 0.0


@dataclass(frozen=True)
class Distinctive:
    """A statement that sets a group apart: how the group voted on it, and everyone else."""

    statement: Key
    direction: Direction
    inside: Share
    outside: Share
    score: float  # Pol.is's repness metric: larger sets the group further apart


@dataclass(frozen=True)
class Across:
    """A statement with every group's votes on it, in the order of the groups."""

    statement: Key
    by_group: tuple[Share, ...]
    score: float
    direction: Direction | None = None  # consensus: the way every group leans


@dataclass(frozen=True)
class Summaries:
    """Per group its distinctive statements; the consensus; the most divisive statements."""

    distinctive: tuple[tuple[Distinctive, ...], ...]
    consensus: tuple[Across, ...]
    divisive: tuple[Across, ...]


def summarise(
    matrix: OpinionMatrix,
    labels: Ints,
    described: np.ndarray,
    min_votes: int,
    shown: int,
) -> Summaries:
    """Describe groups 0..k-1 (label per participant, -1 if unclustered) on described statements.

    No figure rests on fewer than `min_votes` votes: a statement is left out of a group's
    description, or of the consensus and the divisions, where any side has fewer.
    """
    k = int(labels.max()) + 1 if len(labels) else 0
    if k == 0:
        return Summaries((), (), ())
    keep = described[matrix.cols] & (labels[matrix.rows] >= 0)
    group = labels[matrix.rows[keep]]
    cols, values = matrix.cols[keep], matrix.values[keep]
    m = len(matrix.statements)

    def tally(mask: np.ndarray) -> Floats:
        counts = np.bincount(group[mask] * m + cols[mask], minlength=k * m)
        return counts.reshape(k, m).astype(np.float64)

    agree, disagree = tally(values > 0), tally(values < 0)
    votes = tally(np.ones(len(values), dtype=bool))
    enough = (votes >= min_votes) & described[None, :]
    return Summaries(
        tuple(
            _distinctive(matrix, g, agree, disagree, votes, enough, min_votes, shown)
            for g in range(k)
        ),
        _consensus(matrix, agree, disagree, votes, enough, shown),
        _divisive(matrix, agree, disagree, votes, enough, shown),
    )


def _distinctive(
    matrix: OpinionMatrix,
    g: int,
    agree: Floats,
    disagree: Floats,
    votes: Floats,
    enough: np.ndarray,
    min_votes: int,
    shown: int,
) -> tuple[Distinctive, ...]:
    others = np.arange(len(votes)) != g
    na, nd, ns = agree[g], disagree[g], votes[g]
    ra_, rd_, rs = agree[others].sum(0), disagree[others].sum(0), votes[others].sum(0)
    eligible = enough[g] & (rs >= min_votes)
    pa, pd = (na + 1) / (ns + 2), (nd + 1) / (ns + 2)
    pat, pdt = _prop_test(na, ns), _prop_test(nd, ns)
    rat, rdt = _two_prop_test(na, ra_, ns, rs), _two_prop_test(nd, rd_, ns, rs)
    ra, rd = pa / ((ra_ + 1) / (rs + 2)), pd / ((rd_ + 1) / (rs + 2))
    agrees = rat > rdt  # Pol.is describes a statement by the stronger of its two tests
    passes = ((rat > Z_90) & (pat > Z_90)) | ((rdt > Z_90) & (pdt > Z_90))
    metric = np.where(agrees, ra * rat * pa * pat, rd * rdt * pd * pdt)
    chosen = _top(np.flatnonzero(eligible & passes), metric, shown)
    # Pol.is lists a group's agreements before its disagreements.
    chosen = sorted(chosen, key=lambda j: not agrees[j])
    return tuple(
        Distinctive(
            matrix.statements[j],
            Direction.AGREE if agrees[j] else Direction.DISAGREE,
            Share(int(na[j]), int(nd[j]), int(ns[j])),
            Share(int(ra_[j]), int(rd_[j]), int(rs[j])),
            float(metric[j]),
        )
        for j in chosen
    )


def _consensus(
    matrix: OpinionMatrix,
    agree: Floats,
    disagree: Floats,
    votes: Floats,
    enough: np.ndarray,
    shown: int,
) -> tuple[Across, ...]:
    everywhere = enough.all(axis=0)
    out: list[Across] = []
    for direction, count in ((Direction.AGREE, agree), (Direction.DISAGREE, disagree)):
        p = (count + 1) / (votes + 2)
        clear = (p > 0.5) & (_prop_test(count, votes) > Z_90)
        # Pol.is's group-aware consensus: the product of every group's (smoothed) share.
        score = np.prod(p, axis=0)
        chosen = _top(np.flatnonzero(everywhere & clear.all(axis=0)), score, shown)
        out.extend(_across(matrix, j, agree, disagree, votes, score[j], direction) for j in chosen)
    return tuple(out)


def _divisive(
    matrix: OpinionMatrix,
    agree: Floats,
    disagree: Floats,
    votes: Floats,
    enough: np.ndarray,
    shown: int,
) -> tuple[Across, ...]:
    if len(votes) < 2:
        return ()
    clear_agree = ((agree + 1) / (votes + 2) > 0.5) & (_prop_test(agree, votes) > Z_90) & enough
    clear_disagree = (
        ((disagree + 1) / (votes + 2) > 0.5) & (_prop_test(disagree, votes) > Z_90) & enough
    )
    # Divided: one group clearly agrees while another clearly disagrees.
    split = clear_agree.any(axis=0) & clear_disagree.any(axis=0) & enough.all(axis=0)
    p = (agree + 1) / (votes + 2)
    gap = p.max(axis=0) - p.min(axis=0)
    chosen = _top(np.flatnonzero(split), gap, shown)
    return tuple(_across(matrix, j, agree, disagree, votes, gap[j], None) for j in chosen)


def _across(
    matrix: OpinionMatrix,
    j: int,
    agree: Floats,
    disagree: Floats,
    votes: Floats,
    score: float,
    direction: Direction | None,
) -> Across:
    shares = tuple(
        Share(int(a), int(d), int(n))
        for a, d, n in zip(agree[:, j], disagree[:, j], votes[:, j], strict=True)
    )
    return Across(matrix.statements[j], shares, float(score), direction)


def _top(candidates: Ints, score: Floats, shown: int) -> list[int]:
    # Highest score first; a tie goes to the statement that sorts first.
    order = np.lexsort((candidates, -score[candidates]))
    return [int(j) for j in candidates[order][:shown]]


def _prop_test(successes: Floats, trials: Floats) -> Floats:
    """Pol.is's one-proportion z-test against one half, with a +1 prior."""
    return 2 * np.sqrt(trials + 1) * ((successes + 1) / (trials + 1) - 0.5)


def _two_prop_test(succ_in: Floats, succ_out: Floats, n_in: Floats, n_out: Floats) -> Floats:
    """Pol.is's two-proportion z-test (inside above outside), with +1 priors."""
    s1, s2, n1, n2 = succ_in + 1, succ_out + 1, n_in + 1, n_out + 1
    pooled = (s1 + s2) / (n1 + n2)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (s1 / n1 - s2 / n2) / spread
    return np.where(spread > 0, z, 0.0)
