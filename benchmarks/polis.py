"""Read a Pol.is conversation (the compdemocracy/openData layout) and recount its votes.

Pol.is data is licensed CC BY 4.0. Data was gathered using the Polis software
(compdemocracy.org/polis) and is sub-licensed under CC BY 4.0 with Attribution to The
Computational Democracy Project. See datasets/polis/README.md.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

VOTE_CODES = {"1": "a", "-1": "d", "0": "p"}
VOTE_NAMES = {"1": "agree", "-1": "disagree", "0": "pass"}


@dataclass(frozen=True)
class Event:
    """A comment or a vote, in the conversation's timestamp order."""

    timestamp: int
    kind: str
    comment_id: str
    person: str
    value: str


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


def recount(stream: list[Event]) -> tuple[dict[str, Counter[str]], int]:
    """Count the latest vote per voter and comment, leaving out authors' votes on their own.

    Pol.is records an automatic "agree" from a comment's author a few milliseconds after the
    comment; the bot, by design, lets no one vote on their own suggestion and refuses it.
    Returns the tallies and how many own votes were left out.
    """
    authors = {e.comment_id: e.person for e in stream if e.kind == "comment"}
    latest: dict[tuple[str, str], str] = {}
    own = 0
    for e in stream:
        if e.kind != "vote":
            continue
        if authors[e.comment_id] == e.person:
            own += 1
            continue
        latest[(e.comment_id, e.person)] = VOTE_NAMES[e.value]
    tallies: dict[str, Counter[str]] = {cid: Counter() for cid in authors}
    for (cid, _), vote in latest.items():
        tallies[cid][vote] += 1
    return tallies, own


def by_person(stream: list[Event]) -> dict[str, list[Event]]:
    """Split the stream into each person's own events, in order, people by first appearance."""
    people: dict[str, list[Event]] = {}
    for event in stream:
        people.setdefault(event.person, []).append(event)
    return people
