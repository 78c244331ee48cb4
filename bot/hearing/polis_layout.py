"""Pol.is's participants-votes layout with our `group-id`, and the groups' summary, as rows.

Shared by `hearing-bot groups` (any Pol.is conversation) and the hearing's Pol.is export; the
callers write the rows (the domain writes no files).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence

from bot.hearing.opinion_groups import OpinionGroups
from bot.hearing.opinion_matrix import Key
from bot.hearing.opinion_summary import Across, Direction, Share

PARTICIPANTS_VOTES = "participants-votes.csv"
PARTICIPANTS_HEADER = ("participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree")
GROUPS_SUMMARY = "opinion-groups.csv"
SUMMARY_HEADER = (
    "section", "group-id", "statement", "comment-id", "direction", "participants",
    "agrees", "disagrees", "votes", "others-agrees", "others-disagrees", "others-votes",
)  # fmt: skip

Row = Sequence[object]


def participants_header(comments: Sequence[int], rejected: Collection[int]) -> tuple[str, ...]:
    """Return participants-votes.csv's header: the counts, then one column per kept comment."""
    return (*PARTICIPANTS_HEADER, *(str(c) for c in comments if c not in rejected))


def participants_rows(
    comments: Sequence[int],
    rejected: Collection[int],
    authored: Mapping[int, int],
    votes: Mapping[tuple[int, int], int],
    groups: Mapping[int, int],
    voters: Iterable[int] = (),
) -> Iterator[Row]:
    """Yield one row per voter (and per id in `voters`), in id order, Pol.is's way.

    `votes` is the latest vote per (voter, comment), +1 / -1 / 0; `groups` maps a voter to
    their group (blank for those not clustered). Rejected comments get no column, but their
    votes count, as in Pol.is's own files.
    """
    columns = [c for c in comments if c not in rejected]
    by_voter: dict[int, dict[int, int]] = {voter: {} for voter in voters}
    for (voter, comment), value in votes.items():
        by_voter.setdefault(voter, {})[comment] = value
    for voter in sorted(by_voter):
        mine = by_voter[voter]
        group = groups.get(voter)
        yield [
            voter,
            "" if group is None else group,
            authored.get(voter, 0),
            len(mine),
            sum(1 for v in mine.values() if v > 0),
            sum(1 for v in mine.values() if v < 0),
            *(mine.get(c, "") for c in columns),
        ]  # fmt: skip


def summary_rows(groups: OpinionGroups, comment_id: Callable[[Key], object]) -> list[Row]:
    """Lay out what the groups say: sizes, distinctive statements, consensus, divisions.

    Every figure is one `find_groups` described, so none rests on fewer than its floor.
    `comment_id` gives a statement's comment id (blank for a statement that is no comment).
    """
    rows: list[Row] = [
        ("group", g.label, "", "", "", g.size, "", "", "", "", "", "") for g in groups.groups
    ]
    for g in groups.groups:
        for d in g.distinctive:
            rows.append((
                "distinctive", g.label, d.statement, comment_id(d.statement), d.direction, "",
                *_counts(d.inside), *_counts(d.outside),
            ))  # fmt: skip
    rows += _across("consensus", groups, groups.consensus, comment_id)
    rows += _across("divisive", groups, groups.divisive, comment_id)
    return rows


def _across(
    section: str,
    groups: OpinionGroups,
    statements: Iterable[Across],
    comment_id: Callable[[Key], object],
) -> list[Row]:
    rows: list[Row] = []
    for across in statements:
        direction: Direction | str = across.direction or ""
        # by_group follows the order of groups.groups.
        for g, share in zip(groups.groups, across.by_group, strict=True):
            rows.append((
                section, g.label, across.statement, comment_id(across.statement), direction, "",
                *_counts(share), "", "", "",
            ))  # fmt: skip
    return rows


def _counts(share: Share) -> tuple[int, int, int]:
    return share.agree, share.disagree, share.votes
