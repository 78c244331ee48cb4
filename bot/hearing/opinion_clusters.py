"""Pol.is's two-level k-means on the participants' map: base clusters, then groups of them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from bot.hearing.opinion_matrix import Floats, Ints

MOVED = 0.01  # Pol.is: k-means has converged when no centre moves this far
MAX_ITERATIONS = 100  # Pol.is's base-iters and group-iters
SEED = 20240614


@dataclass(frozen=True, eq=False)
class Clustering:
    """A k-means outcome: each point's cluster (0..k-1) and the clusters' centres."""

    labels: Ints
    centres: Floats


def kmeans(
    points: Floats, k: int, weights: Floats | None = None, init: Floats | None = None
) -> Clustering:
    """Cluster points by k-means from the first k distinct points (or the given centres)."""
    weights = np.ones(len(points)) if weights is None else weights
    centres = first_distinct(points, k) if init is None else init
    labels = nearest(points, centres)
    for _ in range(MAX_ITERATIONS):
        # Pol.is drops a centre left without points, rather than reseeding it.
        labels, k = _compact(labels, len(centres))
        moved = _weighted_means(points, weights, labels, k)
        settled = k == len(centres) and np.all(np.linalg.norm(moved - centres, axis=1) < MOVED)
        centres = moved
        if settled:
            break
        labels = nearest(points, centres)
    labels, k = _compact(labels, len(centres))
    return Clustering(labels, _weighted_means(points, weights, labels, k))


def best_kmeans(points: Floats, k: int, weights: Floats, starts: int) -> Clustering:
    """Run k-means from Pol.is's seeding and `starts` k-means++ seedings; keep the tightest."""
    best = kmeans(points, k, weights)
    best_spread = spread(points, weights, best)
    rng = np.random.default_rng(SEED)
    for _ in range(starts):
        candidate = kmeans(points, k, weights, _plus_plus(points, weights, k, rng))
        candidate_spread = spread(points, weights, candidate)
        # Strictly tighter only, so that a tie keeps the earlier (Pol.is's own) clustering.
        if candidate_spread < best_spread - 1e-9 * max(best_spread, 1.0):
            best, best_spread = candidate, candidate_spread
    return best


def spread(points: Floats, weights: Floats, clustering: Clustering) -> float:
    """Return the weighted sum of squared distances to the cluster centres (k-means' inertia)."""
    offsets = points - clustering.centres[clustering.labels]
    return float(np.sum(weights * np.sum(offsets**2, axis=1)))


def first_distinct(points: Floats, k: int) -> Floats:
    """Return the first k distinct points, in order: Pol.is's deterministic seeding."""
    _, first = np.unique(points, axis=0, return_index=True)
    return points[np.sort(first)[:k]]


def nearest(points: Floats, centres: Floats) -> Ints:
    """Return each point's nearest centre."""
    if len(points) == 0:
        return np.zeros(0, dtype=np.int64)
    # A k-d tree over the centres: several times faster than all distances at 50,000 points.
    return np.asarray(cKDTree(centres).query(points)[1], dtype=np.int64)


def silhouette(points: Floats, labels: Ints) -> float:
    """Return the mean silhouette of a clustering of a few points (Pol.is: 0 for a singleton)."""
    k = int(labels.max()) + 1 if len(labels) else 0
    if k < 2:
        return 0.0
    distances = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=2)
    members = np.bincount(labels, minlength=k)
    sums = np.stack([distances[:, labels == c].sum(axis=1) for c in range(k)], axis=1)
    own = members[labels] - 1
    a = sums[np.arange(len(points)), labels] / np.maximum(own, 1)
    others = np.where(np.arange(k)[None, :] == labels[:, None], np.inf, sums / members)
    b = others.min(axis=1)
    scores = np.where(own == 0, 0.0, (b - a) / np.maximum(np.maximum(a, b), 1e-300))
    return float(scores.mean())


def _plus_plus(points: Floats, weights: Floats, k: int, rng: np.random.Generator) -> Floats:
    chosen = [int(rng.choice(len(points), p=weights / weights.sum()))]
    for _ in range(1, k):
        gaps = np.min(np.sum((points[:, None, :] - points[chosen][None]) ** 2, axis=2), axis=1)
        odds = gaps * weights
        if odds.sum() <= 0:
            break
        chosen.append(int(rng.choice(len(points), p=odds / odds.sum())))
    return points[chosen]


def _compact(labels: Ints, k: int) -> tuple[Ints, int]:
    """Renumber the clusters that have points 0..k'-1, in order."""
    used = np.bincount(labels, minlength=k) > 0
    if used.all():
        return labels, k
    return (np.cumsum(used) - 1)[labels], int(used.sum())


def _weighted_means(points: Floats, weights: Floats, labels: Ints, k: int) -> Floats:
    total = np.bincount(labels, weights=weights, minlength=k)
    return np.stack(
        [np.bincount(labels, weights=weights * points[:, d], minlength=k) / total for d in (0, 1)],
        axis=1,
    )
