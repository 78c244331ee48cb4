"""Reading a Pol.is conversation and recounting it under the hearing's rules.

Data: the `london.youth.policing` conversation from the Pol.is open data, licensed CC BY 4.0.
Data was gathered using the Polis software (compdemocracy.org/polis) and is sub-licensed under
CC BY 4.0 with Attribution to The Computational Democracy Project.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.commands.polis_data import Event, by_person, events, recount
from bot.model.values import Vote
from tests.harness import DATASETS

LONDON = DATASETS / "polis" / "london.youth.policing"


def comment(at: int, cid: str, person: str) -> Event:
    """A comment event."""
    return Event(at, "comment", cid, person, f"comment {cid}")


def vote(at: int, cid: str, person: str, value: str) -> Event:
    """A vote event (1, -1 or 0)."""
    return Event(at, "vote", cid, person, value)


def test_a_conversation_reads_as_one_stream_in_time_order() -> None:
    stream = events(LONDON)
    assert sum(e.kind == "comment" for e in stream) == 39
    assert sum(e.kind == "vote" for e in stream) == 640
    assert [e.timestamp for e in stream] == sorted(e.timestamp for e in stream)
    first_vote = {}
    for n, e in enumerate(stream):
        if e.kind == "vote":
            first_vote.setdefault(e.comment_id, n)
    positions = {e.comment_id: n for n, e in enumerate(stream) if e.kind == "comment"}
    assert all(positions[cid] < n for cid, n in first_vote.items()), "no vote before its comment"


def test_a_comment_comes_before_a_vote_at_the_same_moment(tmp_path: Path) -> None:
    (tmp_path / "comments.csv").write_text(
        "timestamp,comment-id,author-id,comment-body\n5,0,1,Same moment\n", encoding="utf-8"
    )
    (tmp_path / "votes.csv").write_text(
        "timestamp,comment-id,voter-id,vote\n5,0,2,-1\n", encoding="utf-8"
    )
    assert [(e.kind, e.value) for e in events(tmp_path)] == [
        ("comment", "Same moment"), ("vote", "-1")
    ]  # fmt: skip


@pytest.mark.parametrize(("value", "expected"), [("1", Vote.AGREE), ("-1", Vote.DISAGREE),
                                                  ("0", Vote.PASS)])  # fmt: skip
def test_pol_is_vote_values_are_the_hearings_votes(value: str, expected: Vote) -> None:
    assert vote(1, "0", "2", value).vote is expected


def test_a_comment_carries_no_vote() -> None:
    with pytest.raises(ValueError, match="no vote"):
        _ = comment(1, "0", "1").vote


def test_the_recount_keeps_the_latest_vote_and_leaves_out_authors_own() -> None:
    stream = [
        comment(1, "0", "a"),
        vote(2, "0", "a", "1"),  # the author's automatic agree: refused by the hearing
        vote(3, "0", "b", "1"),
        vote(4, "0", "b", "-1"),  # b changed their mind: only this one counts
        vote(5, "0", "c", "0"),
        comment(6, "1", "b"),
    ]
    tallies, own = recount(stream)
    assert own == 1
    assert tallies == {"0": Counter({Vote.DISAGREE: 1, Vote.PASS: 1}), "1": Counter()}


def test_the_london_recount_matches_its_known_figures() -> None:
    tallies, own = recount(events(LONDON))
    assert own == 24 and len(tallies) == 39
    assert all(set(counts) <= set(Vote) for counts in tallies.values())


def test_by_person_keeps_each_persons_events_in_order() -> None:
    stream = [comment(1, "0", "a"), vote(2, "0", "b", "1"), vote(3, "0", "a", "0")]
    people = by_person(stream)
    assert list(people) == ["a", "b"]
    assert [e.timestamp for e in people["a"]] == [1, 3]
