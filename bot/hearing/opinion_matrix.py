"""The participant-by-statement vote matrix, and its principal components as Pol.is takes them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse.linalg import svds

# Pol.is's open-data convention, which the bot's stances and votes map onto.
AGREE = 1
DISAGREE = -1
PASS = 0

Key: TypeAlias = str | int
Floats: TypeAlias = npt.NDArray[np.float64]
Ints: TypeAlias = npt.NDArray[np.int64]

SEED = 20240614  # fixed: the same votes always give the same components


@dataclass(frozen=True, eq=False)
class OpinionMatrix:
    """Votes as a sparse matrix: participants and statements sorted, one entry per vote."""

    participants: tuple[Key, ...]
    statements: tuple[Key, ...]
    rows: Ints  # participant index of each vote
    cols: Ints  # statement index of each vote
    values: Floats  # +1 agree, -1 disagree, 0 pass

    @classmethod
    def from_votes(cls, votes: Iterable[tuple[Key, Key, int]]) -> OpinionMatrix:
        """Build the matrix from (participant, statement, +1/-1/0) triples, one per pair."""
        triples = list(votes)
        people, items, values = (tuple(map(itemgetter(i), triples)) for i in range(3))
        if any(t is bool or not issubclass(t, int | np.integer) for t in set(map(type, values))):
            raise ValueError("a vote must be a whole number: +1, -1 or 0")
        value = np.asarray(values, dtype=np.int64)
        if np.any((value < -1) | (value > 1)):
            raise ValueError(f"a vote must be +1, -1 or 0, not {int(value[np.abs(value) > 1][0])}")
        # Sorted ids, so that the order the votes came in never changes the result.
        participants = tuple(sorted(dict.fromkeys(people), key=_sort_key))
        statements = tuple(sorted(dict.fromkeys(items), key=_sort_key))
        rows = _indices(people, participants)
        cols = _indices(items, statements)
        pairs = np.sort(rows * max(1, len(statements)) + cols)
        if np.any(pairs[1:] == pairs[:-1]):
            raise ValueError("more than one vote for a participant and statement")
        return cls(participants, statements, rows, cols, value.astype(np.float64))

    @property
    def shape(self) -> tuple[int, int]:
        """Return (participants, statements)."""
        return len(self.participants), len(self.statements)

    def votes_per_participant(self) -> Ints:
        """Count each participant's votes, passes included."""
        return np.bincount(self.rows, minlength=len(self.participants))


@dataclass(frozen=True, eq=False)
class Projection:
    """Each participant's place on the two principal components, and how much they explain."""

    xy: Floats  # (participants, 2)
    components: Floats  # (2, statements)
    center: Floats  # column means
    variance: Floats  # the two eigenvalues


def project(matrix: OpinionMatrix, zeroed: npt.NDArray[np.bool_] | None = None) -> Projection:
    """Run Pol.is's PCA: mean-imputed columns, two components, sparsity-aware projection.

    Statements marked in `zeroed` (moderated out) are set to 0 for everyone, as Pol.is does:
    they carry no information, yet count as answered when a participant's place is scaled.
    """
    n, m = matrix.shape
    zeroed = np.zeros(m, dtype=bool) if zeroed is None else zeroed
    keep = ~zeroed[matrix.cols]
    rows, cols, values = matrix.rows[keep], matrix.cols[keep], matrix.values[keep]
    votes = np.bincount(cols, minlength=m)
    center = np.bincount(cols, weights=values, minlength=m) / np.maximum(votes, 1)
    # A missing vote imputed with its column's mean is zero once centred: the centred matrix
    # is as sparse as the votes.
    centred = values - center[cols]
    centred_matrix = sparse.csr_matrix((centred, (rows, cols)), shape=(n, m))
    if np.any(centred != 0):
        components, variance = _top_two(centred_matrix)
    else:  # everybody voted alike: there is no direction to find
        components, variance = np.zeros((2, m)), np.zeros(2)
    # Pol.is pushes those who voted on few statements out from the centre by sqrt(m / votes).
    answered = np.bincount(rows, minlength=n) + int(zeroed.sum())
    scale = np.sqrt(m / np.maximum(answered, 1))
    xy = np.asarray(centred_matrix @ components.T) * scale[:, None]
    return Projection(xy, components, center, variance)


def _top_two(x: sparse.csr_matrix) -> tuple[Floats, Floats]:
    """Return the two leading right singular vectors of x (as rows) and their eigenvalues.

    ARPACK's Lanczos method (scipy's svds) from a fixed start, to machine precision:
    deterministic, exact to rounding, and quick even when the two directions nearly tie.
    """
    n, m = x.shape
    keep = min(2, n, m)
    if min(n, m) <= 2:  # ARPACK needs more rows and columns than the directions it finds
        _, values, rows = np.linalg.svd(x.toarray(), full_matrices=False)
        values, vectors = values[:keep], rows[:keep].T
    else:
        start = np.random.default_rng(SEED).standard_normal(min(n, m))
        _, values, rows = svds(x, k=keep, v0=start, solver="arpack")
        order = np.argsort(values)[::-1]
        values, vectors = values[order], rows[order].T
    vectors = vectors * _signs(vectors)
    components = np.zeros((2, m))
    components[:keep] = vectors.T
    variance = np.zeros(2)
    variance[:keep] = values**2 / max(n, 1)
    return components, variance


def _signs(vectors: Floats) -> Floats:
    """Orient each component so that its largest loading is positive (a fixed convention)."""
    largest = np.argmax(np.abs(vectors), axis=0)
    signs = np.sign(vectors[largest, np.arange(vectors.shape[1])])
    return np.where(signs == 0, 1.0, signs)


def _indices(keys: tuple[Key, ...], ordered: tuple[Key, ...]) -> Ints:
    position = {key: i for i, key in enumerate(ordered)}
    return np.fromiter(map(position.__getitem__, keys), np.int64, len(keys))


def _sort_key(key: Key) -> tuple[int, int | str]:
    # Numbers in numeric order (Pol.is ids), then text; a mix still sorts.
    return (0, key) if isinstance(key, int) else (1, str(key))
