"""Measure the opinion groups: agreement with Pol.is's own groups, and time and memory at scale.

Run from the project root (see docs/opinion-groups.md and BENCHMARKS.md):

- `.venv/bin/python -m benchmarks.opinion_groups agreement [--orderings N]`: adjusted Rand
  index and number of groups against the group-id Pol.is gave each participant (with
  `--orderings`, also their spread over N random orders of the participants), on the three
  conversations in datasets/polis/ (CC BY 4.0: Data was gathered using the Polis software
  (compdemocracy.org/polis) and is sub-licensed under CC BY 4.0 with Attribution to The
  Computational Democracy Project). Run with a Python that has red-dwarf installed, red-dwarf
  is measured beside ours.
- `.venv/bin/python -m benchmarks.opinion_groups scale [STANCES ...]`: synthetic hearings shaped
  like benchmarks/digest_scale.py (20 items, one suggestion per 50 stances, one vote per two
  stances), with three camps and with every vote at random, each grouped in a fresh process
  so that its peak memory is its own.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from math import comb
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.commands.groups import read_conversation  # noqa: E402
from bot.hearing.opinion_groups import GroupsParams, find_groups  # noqa: E402

POLIS = ROOT / "datasets" / "polis"
CONVERSATIONS = ("london.youth.policing", "scoop-hivemind.biodiversity", "vtaiwan.uberx")
# The figures for red-dwarf 0.4, where it cannot be run here.
RED_DWARF_QUOTED = {
    "london.youth.policing": 0.12,
    "scoop-hivemind.biodiversity": 0.95,
    "vtaiwan.uberx": 0.83,
}
SIZES = (10_000, 100_000, 1_000_000)
ITEMS = 20
STANCES_PER_SUGGESTION = 50
STANCES_PER_VOTE = 2
LEANINGS = 3  # latent camps in the synthetic hearing, so that the clustering has work to do


def adjusted_rand_index(a: list[int], b: list[int]) -> float:
    """Return the adjusted Rand index of two labellings of the same items."""
    _, left = np.unique(a, return_inverse=True)
    _, right = np.unique(b, return_inverse=True)
    table = np.zeros((left.max() + 1, right.max() + 1), dtype=np.int64)
    np.add.at(table, (left, right), 1)
    pairs = sum(comb(int(x), 2) for x in table.ravel())
    rows = sum(comb(int(x), 2) for x in table.sum(axis=1))
    cols = sum(comb(int(x), 2) for x in table.sum(axis=0))
    expected = rows * cols / comb(len(a), 2)
    most = (rows + cols) / 2
    return 1.0 if most == expected else (pairs - expected) / (most - expected)


def polis_groups(name: str) -> dict[int, int]:
    """Return the group Pol.is put each clustered participant in."""
    with (POLIS / name / "participants-votes.csv").open(encoding="utf-8") as handle:
        return {
            int(row["participant"]): int(row["group-id"])
            for row in csv.DictReader(handle)
            if row["group-id"] != ""
        }


def agreement(ours: dict[int, int], theirs: dict[int, int]) -> tuple[float, int]:
    """Return the ARI over the participants both clustered, and how many those are."""
    both = sorted(set(ours) & set(theirs))
    return adjusted_rand_index([theirs[p] for p in both], [ours[p] for p in both]), len(both)


def red_dwarf(name: str) -> dict[int, int] | None:
    """Run red-dwarf as it comes (PCA + k-means, 7 votes, rejected comments out), if installed."""
    try:
        from reddwarf.implementations.base import run_pipeline  # type: ignore[import-not-found]
    except ImportError:
        return None
    conversation = read_conversation(POLIS / name)
    votes = [
        {"participant_id": p, "statement_id": c, "vote": v, "modified": 0}
        for (p, c), v in conversation.votes.items()
    ]
    result = run_pipeline(votes=votes, mod_out_statement_ids=sorted(conversation.rejected))
    labels = result.participants_df["cluster_id"].dropna()
    return {int(p): int(g) for p, g in labels.items()}


def run_agreement() -> None:
    """Print ARI and number of groups per conversation: ours (with and without the floor)."""
    print(
        "| conversation | clustered (ours / Pol.is) | Pol.is groups | ours: groups | ours: ARI "
        "| ours, min_group_size 5: groups | red-dwarf: groups | red-dwarf: ARI | seconds |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name in CONVERSATIONS:
        theirs = polis_groups(name)
        conversation = read_conversation(POLIS / name)
        votes = [(p, c, v) for (p, c), v in conversation.votes.items()]
        started = time.perf_counter()
        ours = find_groups(
            votes, moderated_out=conversation.rejected, params=GroupsParams(min_group_size=1)
        )
        seconds = time.perf_counter() - started
        floored = find_groups(votes, moderated_out=conversation.rejected)
        ari, _ = agreement(dict(ours.membership), theirs)
        other = red_dwarf(name)
        if other is None:
            dwarf = f"not run | {RED_DWARF_QUOTED[name]:.2f} (quoted from the issue)"
        else:
            dwarf = f"{len(set(other.values()))} | {agreement(other, theirs)[0]:.3f}"
        print(
            f"| {name} | {ours.clustered} / {len(theirs)} | {len(set(theirs.values()))} "
            f"| {len(ours.groups)} | {ari:.3f} | {len(floored.groups)} "
            f"(sizes {', '.join(str(g.size) for g in floored.groups)}) | {dwarf} "
            f"| {seconds:.2f} |",
            flush=True,
        )


def run_orderings(orderings: int) -> None:
    """Print how the figures move when the participants come in other orders.

    Each ordering renames the participants at random (as another pseudonym secret would in
    the bot), which changes only the order ids sort in, hence the base clusters' seeds.
    """
    print("| conversation | orderings | groups found (times) | ARI median | ARI lowest |")
    print("|---|---|---|---|---|")
    for name in CONVERSATIONS:
        theirs = polis_groups(name)
        conversation = read_conversation(POLIS / name)
        people = sorted({p for p, _ in conversation.votes})
        counts: dict[int, int] = {}
        scores = []
        for seed in range(orderings):
            renamed = np.random.default_rng(seed).permutation(len(people)).tolist()
            alias = dict(zip(people, renamed, strict=True))
            votes = [(alias[p], c, v) for (p, c), v in conversation.votes.items()]
            ours = find_groups(
                votes, moderated_out=conversation.rejected, params=GroupsParams(min_group_size=1)
            )
            original = {a: p for p, a in alias.items()}
            named = {original[a]: g for a, g in ours.membership.items()}
            scores.append(agreement(named, theirs)[0])
            counts[len(ours.groups)] = counts.get(len(ours.groups), 0) + 1
        found = ", ".join(f"{k} ({n})" for k, n in sorted(counts.items()))
        print(
            f"| {name} | {orderings} | {found} | {np.median(scores):.3f} | {min(scores):.3f} |",
            flush=True,
        )


def synthetic_votes(stances: int, seed: int = 7, camps: bool = True) -> list[tuple[str, str, int]]:
    """Make a hearing: everyone answers every item, votes fall mostly on popular suggestions.

    With camps, each participant mostly votes their camp's way; without, every vote is drawn
    at random (no structure at all: the slowest case for the PCA, no direction stands out).
    """
    rng = np.random.default_rng(seed)
    people = max(1, stances // ITEMS)
    suggestions = max(1, stances // STANCES_PER_SUGGESTION)
    camp = rng.integers(0, LEANINGS, people)
    # Each camp leans its own way on each statement; a participant votes their camp's way
    # with probability 0.7, else at random.
    leaning = rng.choice((-1, 0, 1), size=(LEANINGS, ITEMS + suggestions))
    who = np.repeat(np.arange(people), ITEMS)[:stances]
    what = np.tile(np.arange(ITEMS), people)[:stances]
    voters = rng.integers(0, people, stances // STANCES_PER_VOTE)
    # Popular suggestions get more votes, as on a real hearing.
    spread = rng.pareto(1.2, len(voters)) + rng.integers(0, suggestions, len(voters))
    popular = spread.astype(np.int64)
    who = np.concatenate([who, voters])
    what = np.concatenate([what, ITEMS + np.minimum(popular, suggestions - 1)])
    follows = (rng.random(len(who)) < 0.7) & camps
    value = np.where(follows, leaning[camp[who], what], rng.choice((-1, 0, 1), len(who)))
    # The latest vote per participant and statement counts.
    pair = who * (ITEMS + suggestions) + what
    _, last = np.unique(pair[::-1], return_index=True)
    keep = np.sort(len(pair) - 1 - last)
    name = [f"item-{s}" if s < ITEMS else f"s-{s - ITEMS}" for s in range(ITEMS + suggestions)]
    person = [f"p{p:07d}" for p in range(people)]
    return [
        (person[p], name[s], v)
        for p, s, v in zip(
            who[keep].tolist(), what[keep].tolist(), value[keep].tolist(), strict=True
        )
    ]


def memory_mib(field: str) -> float:
    """Return a memory figure of this process from /proc (VmHWM: peak, VmRSS: now) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(stances: int, camps: bool) -> dict[str, float]:
    """Group one synthetic hearing in this process; time it and read its peak memory."""
    votes = synthetic_votes(stances, camps=camps)
    # Reset the peak to what the process holds now (the votes included), so that the peak
    # read afterwards is the run's, not the generator's.
    Path("/proc/self/clear_refs").write_text("5")
    before = memory_mib("VmRSS")
    started, cpu = time.perf_counter(), time.process_time()
    result = find_groups(votes)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_mib": memory_mib("VmHWM"),
        "base_mib": before,
        "entries": len(votes),
        "participants": result.participants,
        "statements": len({s for _, s, _ in votes}),
        "groups": len(result.groups),
        "consensus": len(result.consensus),
        "divisive": len(result.divisive),
    }


def run_scale(sizes: list[int]) -> None:
    """Measure each size in a fresh process and print the table."""
    print(
        "| hearing | stances | suggestion votes | matrix entries | participants | statements "
        "| groups | seconds | CPU seconds | ratio to 10k (CPU) "
        "| peak MiB (process, during the run) | MiB added by the run |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    first: dict[str, float] = {}
    for size, kind in ((size, kind) for size in sizes for kind in ("camps", "random")):
        command = [sys.executable, "-m", "benchmarks.opinion_groups", "measure", str(size), kind]
        out = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        first.setdefault(kind, r["cpu"])
        print(
            f"| {kind} | {size:,} | {size // STANCES_PER_VOTE:,} | {int(r['entries']):,} "
            f"| {int(r['participants']):,} | {int(r['statements']):,} | {int(r['groups'])} "
            f"| {r['seconds']:.2f} | {r['cpu']:.2f} | {r['cpu'] / first[kind]:.0f} "
            f"| {r['peak_mib']:.0f} | {r['peak_mib'] - r['base_mib']:.0f} |",
            flush=True,
        )


def main() -> None:
    """Run the part of the benchmark named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="part", required=True)
    agree = sub.add_parser("agreement", help="ARI and groups against Pol.is's own")
    agree.add_argument(
        "--orderings", type=int, default=0, help="also rerun under N random orders of participants"
    )
    scale = sub.add_parser("scale", help="time and peak memory of synthetic hearings")
    scale.add_argument("sizes", nargs="*", type=int, default=list(SIZES))
    one = sub.add_parser("measure", help=argparse.SUPPRESS)
    one.add_argument("size", type=int)
    one.add_argument("kind", choices=("camps", "random"))
    args = parser.parse_args()
    if args.part == "agreement":
        run_agreement()
        if args.orderings:
            run_orderings(args.orderings)
    elif args.part == "scale":
        run_scale(args.sizes)
    else:
        print(json.dumps(measure(args.size, args.kind == "camps")))


if __name__ == "__main__":
    main()
