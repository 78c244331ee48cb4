"""Export a hearing's data: plain CSV tables with a manifest, or the Pol.is open-data layout.

Only pseudonymous participant ids leave the database: the export reads no table that holds a
Telegram id, a chat id or a name (see storage/exports.py).

Pol.is mapping (comments.csv, votes.csv, summary.csv as in the compdemocracy/openData files):
- every suggestion, proposals included, is a comment; comment-id is the suggestion id;
- author-id and voter-id are small integers, one per participant, numbered from 0 in order of
  first appearance (comments first, then votes), the same in both files;
- timestamp is milliseconds since the epoch; datetime the same instant written as Pol.is does,
  in the hearing's time zone ("Wed Jul 27 22:09:49 WIB 2022");
- agrees / disagrees count current votes; moderated is 1 for visible, -1 for hidden, 0 for
  pending and withdrawn suggestions;
- votes.csv holds every vote ever cast (agree 1, disagree -1, pass 0), oldest first, so that
  the latest vote per voter and comment recounts to the current votes.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import TextIO

from bot.hearing.plan import Plan
from bot.model.values import SuggestionStatus, Vote
from storage.db import Database
from storage.exports import SUGGESTION_TALLIES, TABLES, VOTE_HISTORY, Dataset, ExportReader

MANIFEST = "manifest.json"
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

# Called with the file being written, rows written so far and rows expected in all.
Progress = Callable[[str, int, int], None]


class ExportFormat(StrEnum):
    """What shape the exported files take."""

    CSV = "csv"
    POLIS = "polis"


class ExportError(Exception):
    """The export cannot be written where asked; the message says why, in one line."""


@dataclass(frozen=True)
class ExportResult:
    """Where the export was written, the files in it, and the data rows of each table."""

    folder: Path
    files: tuple[str, ...]
    rows: dict[str, int]


async def export_hearing(
    db: Database,
    plan: Plan,
    fmt: ExportFormat,
    out: Path,
    *,
    tz: tzinfo = UTC,
    progress: Progress | None = None,
) -> ExportResult:
    """Write an export into a new folder `out`, all or nothing (staged, then renamed)."""
    target, staging = _stage(out)
    try:
        async with db.reading() as repos:
            reader = ExportReader(repos.conn)
            if fmt == ExportFormat.CSV:
                rows = await _write_tables(reader, staging, plan, progress, db.now())
            else:
                rows = await _write_polis(reader, staging, plan, tz, progress)
        files = _publish(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportResult(target, files, rows)


def polis_time(iso: str, tz: tzinfo) -> tuple[int, str]:
    """Turn a stored ISO-8601 time into Pol.is's epoch milliseconds and human datetime."""
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(tz)
    # Fixed English names: strftime's %a and %b follow the locale.
    text = (
        f"{_DAYS[local.weekday()]} {_MONTHS[local.month - 1]} {local:%d %H:%M:%S}"
        f" {local.tzname()} {local.year}"
    )
    return (moment - _EPOCH) // timedelta(milliseconds=1), text


def zip_folder(folder: Path, archive: Path) -> Path:
    """Pack every file of a folder, by name, into a zip archive."""
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as packed:
        for path in sorted(folder.iterdir()):
            packed.write(path, arcname=path.name)
    return archive


def _stage(out: Path) -> tuple[Path, Path]:
    target = out.resolve()
    try:
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise ExportError(f"{target} already exists and is not an empty folder")
        if not target.parent.is_dir():
            raise ExportError(f"cannot write {target}: {target.parent} is not a folder")
        # Beside the target, so that publishing it is one rename on the same file system.
        return target, Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from exc


def _publish(staging: Path, target: Path) -> tuple[str, ...]:
    files = tuple(sorted(path.name for path in staging.iterdir()))
    try:
        # Replaces the target only if it is an empty folder (or absent).
        os.replace(staging, target)
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return files


class _CsvFile:
    """A CSV file being written, counting its data rows."""

    def __init__(self, path: Path, header: Iterable[str]) -> None:
        self.handle: TextIO = path.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.handle, lineterminator="\n")
        self.writer.writerow(header)
        self.rows = 0

    def write(self, rows: Iterable[Iterable[object]]) -> None:
        """Append rows."""
        for row in rows:
            self.writer.writerow(row)
            self.rows += 1

    def __enter__(self) -> _CsvFile:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.handle.close()


class _Tracker:
    """Report rows written against rows expected, if anyone is listening."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0

    def advance(self, file_name: str, rows: int) -> None:
        """Count rows just written to a file."""
        self.done += rows
        if self.progress is not None:
            self.progress(file_name, self.done, max(self.total, self.done))


async def _tracker(
    reader: ExportReader, datasets: Iterable[Dataset], p: Progress | None
) -> _Tracker:
    tracker = _Tracker(p, sum([await reader.count(d) for d in datasets]))
    tracker.advance("", 0)
    return tracker


async def _write_tables(
    reader: ExportReader, folder: Path, plan: Plan, progress: Progress | None, now: datetime
) -> dict[str, int]:
    tracker = await _tracker(reader, TABLES, progress)
    rows: dict[str, int] = {}
    for dataset in TABLES:
        with _CsvFile(folder / dataset.file_name, dataset.columns) as out:
            async for page in reader.pages(dataset):
                out.write(page)
                tracker.advance(dataset.file_name, len(page))
        rows[dataset.file_name] = out.rows
    manifest = {
        "format": "hearing-bot csv export",
        "exported_at": now.astimezone(UTC).isoformat(timespec="seconds"),
        "plan": {"title": plan.title, "version": plan.version},
        "schema_version": await reader.schema_version(),
        "files": {
            d.file_name: {"rows": rows[d.file_name], "columns": list(d.columns)} for d in TABLES
        },
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (folder / MANIFEST).write_text(text, encoding="utf-8")
    return rows


async def _write_polis(
    reader: ExportReader, folder: Path, plan: Plan, tz: tzinfo, progress: Progress | None
) -> dict[str, int]:
    tracker = await _tracker(reader, (SUGGESTION_TALLIES, VOTE_HISTORY), progress)
    people: dict[object, int] = {}
    commenters: set[int] = set()
    voters: set[int] = set()
    with _CsvFile(folder / "comments.csv", POLIS_COMMENT_COLUMNS) as comments:
        async for page in reader.pages(SUGGESTION_TALLIES):
            lines: list[tuple[object, ...]] = []
            for sid, pid, text, status, created, agrees, disagrees in page:
                author = people.setdefault(pid, len(people))
                commenters.add(author)
                moderated = POLIS_MODERATED[SuggestionStatus(str(status))]
                lines.append((*polis_time(str(created), tz), sid, author, agrees, disagrees,
                              moderated, text))  # fmt: skip
            comments.write(lines)
            tracker.advance("comments.csv", len(page))
    with _CsvFile(folder / "votes.csv", POLIS_VOTE_COLUMNS) as votes:
        async for page in reader.pages(VOTE_HISTORY):
            lines = []
            for _, pid, sid, vote, recorded in page:
                voter = people.setdefault(pid, len(people))
                voters.add(voter)
                lines.append(
                    (*polis_time(str(recorded), tz), sid, voter, POLIS_VOTE[Vote(str(vote))])
                )
            votes.write(lines)
            tracker.advance("votes.csv", len(page))
    summary = [
        ("topic", plan.title),
        ("voters", len(voters)),
        ("commenters", len(commenters)),
        ("comments", comments.rows),
    ]
    with (folder / "summary.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(summary)
    return {"comments.csv": comments.rows, "votes.csv": votes.rows, "summary.csv": len(summary)}
