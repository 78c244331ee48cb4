"""What a hearing's export holds: plain tables with a manifest, or the Pol.is open-data layout.

Only pseudonymous participant ids leave the database: the export reads no table that holds a
Telegram id, a chat id or a name (see storage/exports.py). The domain says what the sheets
hold; writing them (a folder, a zip) is the export command's and the views' job.

Pol.is mapping (comments.csv, votes.csv, summary.csv as in the compdemocracy/openData files):
- every suggestion, proposals included, is a comment; comment-id is the suggestion id;
- author-id and voter-id are small integers, one per participant, numbered from 0 in order of
  first appearance (comments first, then votes), the same in both files;
- timestamp is milliseconds since the epoch; datetime the same instant written as Pol.is does,
  in the hearing's time zone ("Wed Jul 27 22:09:49 WIB 2022"); unless the operator asks for
  exact times, both are the start of the row's day (see Times below);
- agrees / disagrees count current votes; moderated is 1 for visible, -1 for hidden, 0 for
  pending and withdrawn suggestions;
- votes.csv holds every vote ever cast (agree 1, disagree -1, pass 0), oldest first, so that
  the latest vote per voter and comment recounts to the current votes;
- participants-votes.csv has one row per participant (voters, authors, and those who only
  answered items), with `group-id` from the hearing's opinion groups, which rest on the items'
  answers as well as the votes on comments: the comment columns alone do not reproduce them;
- opinion-groups.csv says what the groups say (bot/hearing/polis_layout.py), and summary.csv
  counts the groups.

The three files at the top are the whole hearing as one conversation. Each item with
suggestions also has a folder of its own in the same layout (`item-5/`, proposals in
`proposals/`), as Pol.is has one conversation per topic: a folder per item rather than an item
column keeps every file exactly in Pol.is's layout. Participant numbers are the same in every
folder, so one person can be followed across items.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum

from bot.hearing.opinion_groups import GroupsParams
from bot.hearing.opinion_matrix import Key
from bot.hearing.opinion_statements import SUGGESTION_KEY, HearingGroups, group_hearing
from bot.hearing.plan import Plan
from bot.hearing.polis_layout import (
    GROUPS_SUMMARY,
    PARTICIPANTS_VOTES,
    SUMMARY_HEADER,
    participants_header,
    participants_rows,
    summary_rows,
)
from bot.hearing.privacy import PSEUDONYM, StaffIds
from bot.model.values import NEW_ITEMS, SuggestionStatus, Vote
from storage.backend import Store
from storage.exports import (
    PAGE_ROWS,
    SUGGESTION_TALLIES,
    TABLES,
    VOTE_HISTORY,
    Dataset,
    ExportReader,
)

MANIFEST = "manifest.json"
STAFF = "staff"  # a person acting as staff, when the export has no secret to name them by
POLIS_COMMENT_COLUMNS = (
    "timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated",
    "comment-body",
)  # fmt: skip
POLIS_VOTE_COLUMNS = ("timestamp", "datetime", "comment-id", "voter-id", "vote")
POLIS_MODERATED = {
    SuggestionStatus.VISIBLE: 1,
    SuggestionStatus.HIDDEN: -1,
    SuggestionStatus.PENDING: 0,
    SuggestionStatus.WITHDRAWN: 0,
}
POLIS_VOTE = {Vote.AGREE: 1, Vote.DISAGREE: -1, Vote.PASS: 0}
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TIME_SUFFIX = "_at"  # every stored time is a column named so (created_at, recorded_at...)

Row = Sequence[object]
# Called with the file being written, rows written so far and rows expected in all.
Progress = Callable[[str, int, int], None]


class ExportFormat(StrEnum):
    """What shape the exported files take."""

    CSV = "csv"
    POLIS = "polis"


class Times(StrEnum):
    """How precisely an export dates its rows (docs/privacy.md, "Exports").

    A time to the millisecond can be matched with when someone was seen using their phone, and
    it tells apart answers the counts lump together; a day cannot, and is enough to read a
    hearing by. Rows keep their order, so Pol.is's "latest vote" still recounts.
    """

    DAY = "day"  # the calendar day in the hearing's time zone: every export, by default
    EXACT = "exact"  # as stored: only `hearing-bot export --exact-times`, run by the operator


@dataclass
class Sheet:
    """One file of the export: a CSV table given page by page, or a finished text document."""

    name: str
    header: tuple[str, ...] = ()
    pages: AsyncIterator[list[Row]] | None = None
    text: str | None = None


@dataclass
class HearingExport:
    """The sheets of one export, in order, counting each table's rows as they are read."""

    reader: ExportReader
    plan: Plan
    fmt: ExportFormat
    tz: tzinfo = UTC
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    rows: dict[str, int] = field(default_factory=dict)
    # The hearing's opinion groups, found when the Pol.is layout asks for them.
    grouping: Callable[[], Awaitable[HearingGroups]] | None = None
    # Staff pseudonyms (a keyed hash: needs the secret); without it staff are only "staff".
    staff: StaffIds | None = None
    times: Times = Times.DAY

    async def expected_rows(self) -> int:
        """Return how many table rows the export will hold (for a progress bar)."""
        if self.fmt == ExportFormat.CSV:
            return sum([await self.reader.count(d) for d in TABLES])
        # Pol.is: every comment and vote twice, in the whole hearing and in its item's folder.
        return 2 * sum([await self.reader.count(d) for d in (SUGGESTION_TALLIES, VOTE_HISTORY)])

    async def sheets(self) -> AsyncIterator[Sheet]:
        """Yield every sheet; read each one's pages before asking for the next."""
        if self.fmt == ExportFormat.CSV:
            for dataset in TABLES:
                convert = _chained(self._staff_columns(dataset), self._time_columns(dataset))
                yield Sheet(dataset.file_name, dataset.columns, self._counted(dataset, convert))
            yield Sheet(MANIFEST, text=await self._manifest())
        else:
            async for sheet in self._polis():
                yield sheet

    def _staff_columns(self, dataset: Dataset) -> Callable[[Row], Row] | None:
        """Show the people acting as staff under their staff pseudonyms (or only as staff)."""
        columns = [dataset.columns.index(name) for name in dataset.staff]
        if not columns:
            return None
        staff = self.staff or (lambda value: STAFF if PSEUDONYM.fullmatch(value) else value)

        def convert(row: Row) -> Row:
            return tuple(staff(str(v)) if i in columns and v is not None else v
                         for i, v in enumerate(row))  # fmt: skip

        return convert

    def _time_columns(self, dataset: Dataset) -> Callable[[Row], Row] | None:
        """Write each stored time as its day in the hearing's time zone (unless exact)."""
        columns = [i for i, name in enumerate(dataset.columns) if name.endswith(TIME_SUFFIX)]
        if not columns or self.times is Times.EXACT:
            return None

        def convert(row: Row) -> Row:
            return tuple(day_of(str(v), self.tz) if i in columns and v is not None else v
                         for i, v in enumerate(row))  # fmt: skip

        return convert

    async def _counted(
        self, dataset: Dataset, convert: Callable[[Row], Row] | None = None, name: str = "",
        item_id: str | None = None,
    ) -> AsyncIterator[list[Row]]:  # fmt: skip
        name = name or dataset.file_name
        self.rows[name] = 0
        async for page in self.reader.pages(dataset, item_id):
            lines: list[Row] = [convert(row) if convert else row for row in page]
            self.rows[name] += len(lines)
            yield lines

    async def _manifest(self) -> str:
        manifest = {
            "format": "hearing-bot csv export",
            "exported_at": self.now().astimezone(UTC).isoformat(timespec="seconds"),
            "plan": {"title": self.plan.title, "version": self.plan.version},
            "times": {"precision": self.times.value, "time_zone": str(self.tz)},
            "schema_version": await self.reader.schema_version(),
            "files": {
                d.file_name: {"rows": self.rows[d.file_name], "columns": list(d.columns)}
                for d in TABLES
            },
        }
        return json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"

    async def _polis(self) -> AsyncIterator[Sheet]:
        # One numbering of participants for the whole hearing and every item's folder.
        people: dict[object, int] = {}
        async for sheet in self._conversation("", self.plan.title, people, with_groups=True):
            yield sheet
        for item_id in await self._items():
            item = self.plan.item(item_id)
            if item_id == NEW_ITEMS:
                folder, topic = "proposals/", f"{self.plan.title} · proposed new items"
            else:
                text = f"{item.number}. {item.text}" if item else item_id
                folder, topic = f"item-{item_id}/", f"{self.plan.title} · item {text}"
            async for sheet in self._conversation(folder, topic, people, item_id):
                yield sheet

    async def _items(self) -> list[str]:
        """Return the items with suggestions: the plan's order, then proposals, then others."""
        order = {item.id: i for i, item in enumerate(self.plan.items)}
        order[NEW_ITEMS] = len(order)
        found = await self.reader.suggestion_items()
        return sorted(found, key=lambda i: (order.get(i, len(order) + 1), i))

    async def _conversation(
        self,
        folder: str,
        topic: str,
        people: dict[object, int],
        item_id: str | None = None,
        with_groups: bool = False,
    ) -> AsyncIterator[Sheet]:
        """Yield one Pol.is conversation's files: the hearing's (and its groups) or an item's."""
        commenters: set[int] = set()
        voters: set[int] = set()
        comment_ids: list[int] = []
        rejected: set[int] = set()
        authored: Counter[int] = Counter()
        latest: dict[tuple[int, int], int] = {}

        def comment(row: Row) -> Row:
            sid, pid, text, status, created, agrees, disagrees = row
            author = people.setdefault(pid, len(people))
            commenters.add(author)
            moderated = POLIS_MODERATED[SuggestionStatus(str(status))]
            comment_ids.append(int(str(sid)))
            authored[author] += 1
            if moderated == -1:
                rejected.add(int(str(sid)))
            return (*polis_time(str(created), self.tz, self.exact), sid, author, agrees,
                    disagrees, moderated, text)  # fmt: skip

        def vote(row: Row) -> Row:
            _, pid, sid, value, recorded = row
            voter = people.setdefault(pid, len(people))
            voters.add(voter)
            polis = POLIS_VOTE[Vote(str(value))]
            latest[(voter, int(str(sid)))] = polis  # oldest first: the last one stays
            return (*polis_time(str(recorded), self.tz, self.exact), sid, voter, polis)

        names = [f"{folder}{name}" for name in ("comments.csv", "votes.csv", "summary.csv")]
        comments = self._counted(SUGGESTION_TALLIES, comment, names[0], item_id)
        yield Sheet(names[0], POLIS_COMMENT_COLUMNS, comments)
        votes = self._counted(VOTE_HISTORY, vote, names[1], item_id)
        yield Sheet(names[1], POLIS_VOTE_COLUMNS, votes)
        groups = None
        if with_groups and self.grouping is not None:
            groups = await self.grouping()
        if groups is not None:
            # Those who only answered items are participants too: numbered after the others.
            for pid in sorted(map(str, groups.result.positions)):
                people.setdefault(pid, len(people))
            membership = {people[p]: label for p, label in groups.result.membership.items()}
            rows = participants_rows(
                comment_ids, rejected, authored, latest, membership, people.values()
            )
            header = participants_header(comment_ids, rejected)
            yield Sheet(PARTICIPANTS_VOTES, header, self._paged(PARTICIPANTS_VOTES, rows))
            described = summary_rows(groups.result, _comment_id)
            yield Sheet(GROUPS_SUMMARY, SUMMARY_HEADER, self._paged(GROUPS_SUMMARY, described))
        summary: list[Row] = [
            ("topic", topic),
            ("voters", len(voters)),
            ("commenters", len(commenters)),
            ("comments", self.rows[names[0]]),
        ]
        if groups is not None:
            summary.append(("groups", len(groups.result.groups) if groups.found else 0))
            if groups.result.merged:
                summary.append(("groups-merged", groups.result.merged))
        self.rows[names[2]] = len(summary)
        yield Sheet(names[2], pages=_one_page(summary))

    @property
    def exact(self) -> bool:
        """Tell whether rows keep their exact times (the operator asked for them)."""
        return self.times is Times.EXACT

    async def _paged(self, name: str, rows: Iterable[Row]) -> AsyncIterator[list[Row]]:
        """Give rows a page at a time, counting them under the file's name."""
        self.rows[name] = 0
        page: list[Row] = []
        for row in rows:
            page.append(row)
            if len(page) == PAGE_ROWS:
                self.rows[name] += len(page)
                yield page
                page = []
        self.rows[name] += len(page)
        yield page


async def _one_page(rows: Iterable[Row]) -> AsyncIterator[list[Row]]:
    yield list(rows)


def _chained(*converts: Callable[[Row], Row] | None) -> Callable[[Row], Row] | None:
    """Apply each conversion of a row in turn (None: there is none)."""
    chosen = [c for c in converts if c is not None]
    if not chosen:
        return None

    def convert(row: Row) -> Row:
        for one in chosen:
            row = one(row)
        return row

    return convert


def _comment_id(statement: Key) -> object:
    """Return a statement's Pol.is comment id: a suggestion's id; blank for an item."""
    key = str(statement)
    return int(key.removeprefix(SUGGESTION_KEY)) if key.startswith(SUGGESTION_KEY) else ""


@asynccontextmanager
async def open_export(
    db: Store,
    plan: Plan,
    fmt: ExportFormat,
    tz: tzinfo = UTC,
    now: Callable[[], datetime] | None = None,
    min_group_size: int = GroupsParams().min_group_size,
    staff: StaffIds | None = None,
    times: Times = Times.DAY,
) -> AsyncIterator[HearingExport]:
    """Give the export of the hearing as it stands, read in one session of the reader."""
    params = GroupsParams(min_group_size=min_group_size)
    async with db.reading() as repos:

        async def grouping() -> HearingGroups:
            return await group_hearing(repos, plan, params, db.now())

        yield HearingExport(
            ExportReader(repos.conn), plan, fmt, tz, now or db.now, grouping=grouping,
            staff=staff, times=times,
        )  # fmt: skip


def day_of(iso: str, tz: tzinfo) -> str:
    """Return the calendar day (YYYY-MM-DD) of a stored ISO-8601 time in a time zone."""
    return _moment(iso).astimezone(tz).date().isoformat()


def polis_time(iso: str, tz: tzinfo, exact: bool = True) -> tuple[int, str]:
    """Turn a stored ISO-8601 time into Pol.is's epoch milliseconds and human datetime.

    Not `exact`: the start of that day in the time zone, as Times.DAY asks.
    """
    local = _moment(iso).astimezone(tz)
    if not exact:
        local = datetime(local.year, local.month, local.day, tzinfo=tz)
    # Fixed English names: strftime's %a and %b follow the locale.
    text = (
        f"{_DAYS[local.weekday()]} {_MONTHS[local.month - 1]} {local:%d %H:%M:%S}"
        f" {local.tzname()} {local.year}"
    )
    return (local - _EPOCH) // timedelta(milliseconds=1), text


def _moment(iso: str) -> datetime:
    moment = datetime.fromisoformat(iso)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
