"""Read a Pol.is conversation (the compdemocracy/openData layout) and recount its votes.

The reader is shared by the tests, the benchmarks and the commands that take Pol.is data in;
the recount is what a replay through the hearing must store: the hearing's rules applied to the
conversation (the latest vote counts; nobody votes on their own suggestion).

Pol.is data is licensed CC BY 4.0. Data was gathered using the Polis software
(compdemocracy.org/polis) and is sub-licensed under CC BY 4.0 with Attribution to The
Computational Democracy Project. See datasets/polis/README.md.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.hearing.export import POLIS_VOTE
from bot.model.values import Vote

# Pol.is writes a vote as 1 (agree), -1 (disagree) or 0 (pass): the export's mapping, reversed.
VOTES = {str(code): vote for vote, code in POLIS_VOTE.items()}


@dataclass(frozen=True)
class Event:
    """A comment (its text in `value`) or a vote (1, -1 or 0), in the conversation's order."""

    timestamp: int
    kind: str
    comment_id: str
    person: str
    value: str

    @property
    def vote(self) -> Vote:
        """Return a vote event's vote."""
        if self.kind != "vote":
            raise ValueError(f"a {self.kind} carries no vote")
        return VOTES[self.value]


def events(folder: Path) -> list[Event]:
    """Read comments and votes as one stream ordered by time (comments first on ties)."""
    with (folder / "comments.csv").open(encoding="utf-8") as handle:
        comments = [
            Event(int(r["timestamp"]), "comment", r["comment-id"], r["author-id"], body)
            for r in csv.DictReader(handle)
            for body in [r["comment-body"]]
        ]
    with (folder / "votes.csv").open(encoding="utf-8") as handle:
        votes = [
            Event(int(r["timestamp"]), "vote", r["comment-id"], r["voter-id"], r["vote"])
            for r in csv.DictReader(handle)
        ]
    return sorted(comments + votes, key=lambda e: (e.timestamp, e.kind != "comment"))


def recount(stream: list[Event]) -> tuple[dict[str, Counter[Vote]], int]:
    """Count the latest vote per voter and comment, leaving out authors' votes on their own.

    Pol.is records an automatic "agree" from a comment's author a few milliseconds after the
    comment; the hearing, by design, lets no one vote on their own suggestion and refuses it.
    Returns the tallies and how many own votes were left out.
    """
    authors = {e.comment_id: e.person for e in stream if e.kind == "comment"}
    latest: dict[tuple[str, str], Vote] = {}
    own = 0
    for e in stream:
        if e.kind != "vote":
            continue
        if authors[e.comment_id] == e.person:
            own += 1
            continue
        latest[(e.comment_id, e.person)] = e.vote
    tallies: dict[str, Counter[Vote]] = {cid: Counter() for cid in authors}
    for (cid, _), vote in latest.items():
        tallies[cid][vote] += 1
    return tallies, own


def by_person(stream: list[Event]) -> dict[str, list[Event]]:
    """Split the stream into each person's own events, in order, people by first appearance."""
    people: dict[str, list[Event]] = {}
    for event in stream:
        people.setdefault(event.person, []).append(event)
    return people
