"""`hearing-bot groups DIR --out FILE`: opinion groups of a conversation in Pol.is's layout.

DIR holds Pol.is open data (`comments.csv`, `votes.csv`); FILE becomes a
`participants-votes.csv` with `group-id` filled in by bot.hearing.opinion_groups.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.hearing.opinion_groups import GroupsOutcome, GroupsParams, OpinionGroups, find_groups
from bot.hearing.polis_layout import participants_header, participants_rows
from bot.views.export_files import inert_rows

COMMENT_COLUMNS = ("comment-id", "author-id", "moderated")
VOTE_COLUMNS = ("timestamp", "comment-id", "voter-id", "vote")
REJECTED = -1


class ConversationError(Exception):
    """A conversation folder that cannot be read: one line naming the file and row."""


@dataclass(frozen=True)
class Conversation:
    """A Pol.is conversation: its comments, and the latest vote per voter and comment."""

    comments: tuple[int, ...]  # every comment id, in order
    rejected: frozenset[int]
    authored: dict[int, int]  # participant -> comments written
    votes: dict[tuple[int, int], int]  # (voter, comment) -> +1 / -1 / 0


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `groups` command to the CLI's subcommands."""
    parser = subparsers.add_parser(
        "groups", help="find opinion groups in a Pol.is conversation folder"
    )
    parser.add_argument("dir", help="a folder with Pol.is's comments.csv and votes.csv")
    parser.add_argument("--out", required=True, help="the participants-votes.csv to write (new)")
    parser.add_argument(
        "--min-group-size",
        type=int,
        default=GroupsParams().min_group_size,
        help="count smaller groups with their nearest (default %(default)s; 1 turns it off)",
    )


def run(args: argparse.Namespace) -> int:
    """Read the folder, find the groups, write FILE; one line on stderr and 2 if it cannot."""
    out = Path(args.out)
    if args.min_group_size < 1:
        return _refuse(f"--min-group-size must be at least 1, not {args.min_group_size}")
    if out.exists():
        return _refuse(f"{out} exists; nothing is overwritten")
    if not out.parent.is_dir():
        return _refuse(f"{out.parent} is not a folder")
    try:
        conversation = read_conversation(Path(args.dir))
    except ConversationError as exc:
        return _refuse(str(exc))
    groups = find_groups(
        ((voter, comment, value) for (voter, comment), value in conversation.votes.items()),
        moderated_out=conversation.rejected,
        params=GroupsParams(min_group_size=args.min_group_size),
    )
    try:
        write_participants_votes(out, conversation, groups)
    except OSError as exc:
        return _refuse(f"cannot write {out}: {exc}")
    print(f"{out}: {_summary(groups)}")
    return 0


def read_conversation(folder: Path) -> Conversation:
    """Read comments.csv and votes.csv; raise ConversationError naming the file and row."""
    comments: list[int] = []
    rejected: set[int] = set()
    authored: dict[int, int] = {}
    for row, line in _rows(folder / "comments.csv", COMMENT_COLUMNS):
        comment = _integer(line, "comment-id", row)
        author = _integer(line, "author-id", row)
        moderated = _integer(line, "moderated", row, allowed=(-1, 0, 1))
        comments.append(comment)
        authored[author] = authored.get(author, 0) + 1
        if moderated == REJECTED:
            rejected.add(comment)
    known = set(comments)
    latest: dict[tuple[int, int], tuple[int, int]] = {}
    for row, line in _rows(folder / "votes.csv", VOTE_COLUMNS):
        stamp = _integer(line, "timestamp", row)
        comment = _integer(line, "comment-id", row)
        voter = _integer(line, "voter-id", row)
        value = _integer(line, "vote", row, allowed=(-1, 0, 1))
        if comment not in known:
            raise ConversationError(f"{row}: comment-id {comment} is not in comments.csv")
        key = (voter, comment)
        # The latest vote counts; of two at the same instant, the later row.
        if key not in latest or stamp >= latest[key][0]:
            latest[key] = (stamp, value)
    votes = {key: value for key, (_, value) in latest.items()}
    return Conversation(tuple(sorted(known)), frozenset(rejected), authored, votes)


def write_participants_votes(out: Path, conversation: Conversation, groups: OpinionGroups) -> None:
    """Write Pol.is's participants-votes.csv (rejected comments left out) to a new file."""
    comments, rejected = conversation.comments, conversation.rejected
    membership = {int(voter): label for voter, label in groups.membership.items()}
    rows = participants_rows(
        comments, rejected, conversation.authored, conversation.votes, membership
    )
    handle, staging = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file, lineterminator="\n")
            writer.writerow(participants_header(comments, rejected))
            writer.writerows(inert_rows(rows))
        # A link refuses to replace a file that appeared meanwhile; rename would not.
        os.link(staging, out)
    finally:
        os.unlink(staging)


def _summary(groups: OpinionGroups) -> str:
    counted = f"{groups.clustered} of {groups.participants} participants clustered"
    if groups.outcome in (GroupsOutcome.TOO_FEW_PARTICIPANTS, GroupsOutcome.TOO_FEW_VOTES):
        return f"too few participants or votes for groups ({counted})"
    sizes = ", ".join(str(group.size) for group in groups.groups)
    merged = f"; {groups.merged} smaller group(s) counted with their nearest"
    return f"{len(groups.groups)} group(s) of {sizes} ({counted}){merged if groups.merged else ''}"


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield ("FILE: row N", row) for each data row; rows count from 1 after the header."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in required if c not in (reader.fieldnames or ())]
            if missing:
                raise ConversationError(f"{path}: row 0 (header): no column {missing[0]}")
            for number, line in enumerate(reader, start=1):
                yield f"{path}: row {number}", line
    except OSError as exc:
        raise ConversationError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ConversationError(f"{path}: not a readable CSV file ({exc})") from exc


def _integer(
    line: dict[str, str], column: str, row: str, allowed: tuple[int, ...] | None = None
) -> int:
    text = line.get(column)
    try:
        value = int(text) if text is not None else None
    except ValueError:
        value = None
    if value is None or (allowed is not None and value not in allowed):
        expected = " or ".join(map(str, allowed)) if allowed else "a whole number"
        raise ConversationError(f"{row}: {column} must be {expected}, not {text!r}")
    return value


def _refuse(reason: str) -> int:
    print(f"hearing-bot groups: {reason}", file=sys.stderr)
    return 2
