"""Pol.is's two-level k-means on the participants' map: base clusters, then groups of them,
and the silhouette that chooses how many groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

from bot.hearing.opinion_matrix import Floats, Ints

MOVED = 0.01  # Pol.is: k-means has converged when no centre moves this far
MAX_ITERATIONS = 100  # Pol.is's base-iters and group-iters
SEED = 20240614
SILHOUETTE_BLOCK = 512  # rows of distances computed at a time


@dataclass(frozen=True, eq=False)
class Clustering:
    """A k-means outcome: each point's cluster (0..k-1) and the clusters' centres."""

    labels: Ints
    centres: Floats


def kmeans(points: Floats, k: int) -> Clustering:
    """Cluster points by k-means from the first k distinct points: Pol.is's base clusters."""
    weights = np.ones(len(points))
    centres = first_distinct(points, k)
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


def modal_kmeans(points: Floats, k: int, weights: Floats, starts: int) -> Clustering | None:
    """Run weighted k-means from `starts` random starts; return the outcome most of them reach.

    Each start is k distinct points drawn at random, as Pol.is seeds from the k points it
    happens to meet first; the outcome reached from the most starts is the one Pol.is is most
    likely to show, and unlike a single start's it barely depends on the order the points
    come in. None if no start keeps k clusters (fewer distinct points than k).
    """
    rng = np.random.default_rng(SEED)
    if k > len(points):
        return None
    seeds = np.argsort(rng.random((starts, len(points))), axis=1)[:, :k]
    labels, kept = _lloyd(points, weights, points[seeds])
    if not kept.any():
        return None
    outcomes, counts = np.unique(_first_seen_order(labels[kept], k), axis=0, return_counts=True)
    # Equally frequent outcomes: the tightest (least weighted spread) wins, then the first.
    tied = [_clustering(points, weights, o, k) for o in outcomes[counts == counts.max()]]
    return min(tied, key=lambda c: spread(points, weights, c))


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


def silhouettes(points: Floats, labelings: Sequence[Ints], most: int) -> list[float]:
    """Return the mean silhouette of each labelling of the points (0 for a point alone).

    Exact over at most `most` points (a fixed random sample of them when there are more, as
    scikit-learn's silhouette_score samples), a block of rows at a time: the distances are
    computed once for every labelling, and never held all at once.
    """
    if len(points) > most:
        sample = np.sort(np.random.default_rng(SEED).choice(len(points), most, replace=False))
        points, labelings = points[sample], [labels[sample] for labels in labelings]
    totals = np.zeros(len(labelings))
    # One column per cluster, 1 for its members: distances @ members sums them per cluster.
    members = [
        (labels[:, None] == np.arange(labels.max() + 1)).astype(float) for labels in labelings
    ]
    for start in range(0, len(points), SILHOUETTE_BLOCK):
        rows = slice(start, start + SILHOUETTE_BLOCK)
        distances = cdist(points[rows], points)
        for j, labels in enumerate(labelings):
            if members[j].shape[1] >= 2:
                totals[j] += np.sum(_silhouette_rows(distances @ members[j], labels, rows))
    return [float(t / max(len(points), 1)) for t in totals]


def _silhouette_rows(sums: Floats, labels: Ints, rows: slice) -> Floats:
    """Return the silhouettes of a block of rows, from their summed distances to each cluster."""
    k = sums.shape[1]
    size = np.bincount(labels, minlength=k)
    own = labels[rows]
    others_inside = size[own] - 1
    a = sums[np.arange(len(own)), own] / np.maximum(others_inside, 1)
    # The nearest other cluster; one with no members here (left out of a sample) is none.
    elsewhere = (np.arange(k)[None, :] == own[:, None]) | (size == 0)[None, :]
    b = np.where(elsewhere, np.inf, sums / np.maximum(size, 1)).min(axis=1)
    alone = (others_inside == 0) | np.isinf(b)
    return np.where(alone, 0.0, (b - a) / np.maximum(np.maximum(a, b), 1e-300))


def _lloyd(points: Floats, weights: Floats, starts: Floats) -> tuple[Ints, npt.NDArray[np.bool_]]:
    """Run weighted k-means from each start (starts, k, 2) at once, until no label changes.

    Returns each run's labels and whether it kept all k clusters (Pol.is drops a centre left
    without points; such a run is no longer a k-clustering).
    """
    runs, k, _ = starts.shape
    centres = starts.copy()
    labels = np.full((runs, len(points)), -1)
    active = np.arange(runs)  # the runs still moving
    for _ in range(MAX_ITERATIONS):
        nearest_centre = _nearest_batch(points, centres[active])
        moving = np.any(nearest_centre != labels[active], axis=1)
        active, nearest_centre = active[moving], nearest_centre[moving]
        if len(active) == 0:
            break
        labels[active] = nearest_centre
        # Weighted means per run and cluster, through one bincount over (run, cluster) cells.
        cell = (np.arange(len(active))[:, None] * k + nearest_centre).ravel()
        mass = np.bincount(cell, weights=np.tile(weights, len(active)), minlength=len(active) * k)
        for d in (0, 1):
            moment = np.bincount(
                cell, np.tile(weights * points[:, d], len(active)), len(active) * k
            )
            centres[active, :, d] = (moment / np.maximum(mass, 1e-300)).reshape(-1, k)
    kept = np.all(np.stack([np.any(labels == c, axis=1) for c in range(k)], axis=1), axis=1)
    return labels, kept


def _nearest_batch(points: Floats, centres: Floats) -> Ints:
    """Return each run's nearest centre for every point: centres (runs, k, 2) -> (runs, n)."""
    gaps = (points[None, :, None, 0] - centres[:, None, :, 0]) ** 2
    gaps += (points[None, :, None, 1] - centres[:, None, :, 1]) ** 2
    return np.argmin(gaps, axis=2)


def _first_seen_order(labels: Ints, k: int) -> Ints:
    """Renumber each run's clusters by their first point, so that equal partitions match."""
    first = np.argmax(labels[:, :, None] == np.arange(k), axis=1)  # (runs, k)
    rank = np.argsort(np.argsort(first, axis=1), axis=1)
    return np.take_along_axis(rank, labels, axis=1)


def _clustering(points: Floats, weights: Floats, labels: Ints, k: int) -> Clustering:
    return Clustering(labels, _weighted_means(points, weights, labels, k))


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
