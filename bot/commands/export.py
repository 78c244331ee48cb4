"""`hearing-bot export`: write the hearing's data to a folder, with a progress bar."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, tzinfo
from functools import partial
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.commands.inputs import stored_hearing_plan
from bot.config import Settings
from bot.hearing.export import ExportFormat, Progress, Times, open_export
from bot.hearing.opinion_groups import GroupsParams
from bot.hearing.plan import Plan
from bot.hearing.plan_revision import PlanRevisions
from bot.hearing.privacy import StaffIds, staff_pseudonym
from bot.views.export_files import write_folder
from storage.backend import DATABASE_ERRORS, Store, open_database


class ExportError(Exception):
    """The export cannot be written where asked; the message says why, in one line."""


@dataclass(frozen=True)
class ExportResult:
    """Where the export was written, the files in it, and the data rows of each table."""

    folder: Path
    files: tuple[str, ...]
    rows: dict[str, int]


def export(settings: Settings, fmt: str, out: Path, exact_times: bool = False) -> int:
    """Export the hearing's data into a new folder; one line on stderr and 2 if it cannot.

    Rows are dated by the day unless the operator asks for `exact_times` (`--exact-times`).
    """
    if fmt not in set(ExportFormat):
        return _refuse(f"--format must be csv or polis, not {fmt!r}")
    plan = stored_hearing_plan(settings)
    if isinstance(plan, str):
        return _refuse(plan)
    bar = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    try:
        times = Times.EXACT if exact_times else Times.DAY
        result = asyncio.run(_export(settings, plan, ExportFormat(fmt), out, bar, times))
    except ExportError as exc:
        return _refuse(str(exc), bar)
    except DATABASE_ERRORS as exc:
        return _refuse(f"cannot read {settings.database_where}: {exc}", bar)
    finally:
        if bar is not None:
            bar.close()
    rows = sum(result.rows.values())
    print(f"{result.folder}: {len(result.files)} files, {rows} rows")
    return 0


async def _export(
    settings: Settings, plan: Plan, fmt: ExportFormat, out: Path, bar: ProgressBar | None,
    times: Times,
) -> ExportResult:  # fmt: skip
    async with open_database(settings.database_url, settings.database_path) as db:
        tz = ZoneInfo(settings.timezone)
        plan = await PlanRevisions(db).served(plan)  # a revised plan, if one was published
        secret = settings.pseudonym_secret
        staff = partial(staff_pseudonym, secret) if secret else None
        return await export_hearing(
            db, plan, fmt, out, tz=tz, progress=bar, staff=staff,
            min_group_size=settings.min_group_size, times=times,
        )  # fmt: skip


async def export_hearing(
    db: Store,
    plan: Plan,
    fmt: ExportFormat,
    out: Path,
    *,
    tz: tzinfo = UTC,
    progress: Progress | None = None,
    min_group_size: int = GroupsParams().min_group_size,
    staff: StaffIds | None = None,
    times: Times = Times.DAY,
) -> ExportResult:
    """Write an export into a new folder `out`, all or nothing (staged, then renamed)."""
    target, staging = _stage(out)
    try:
        async with open_export(
            db, plan, fmt, tz, min_group_size=min_group_size, staff=staff, times=times
        ) as export:
            await write_folder(export, staging, progress)
        files = _publish(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportResult(target, files, dict(export.rows))


def _stage(out: Path) -> tuple[Path, Path]:
    target = out.resolve()
    try:
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise ExportError(f"{target} already exists and is not an empty folder")
        if not target.parent.is_dir():
            raise ExportError(f"cannot write {target}: {target.parent} is not a folder")
        # Beside the target, so that publishing it is one rename on the same file system;
        # mkdtemp makes it readable by its owner only.
        return target, Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from exc


def _publish(staging: Path, target: Path) -> tuple[str, ...]:
    files = tuple(sorted(str(p.relative_to(staging)) for p in staging.rglob("*") if p.is_file()))
    try:
        # Replaces the target only if it is an empty folder (or absent).
        os.replace(staging, target)
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return files


def _refuse(reason: str, bar: ProgressBar | None = None) -> int:
    if bar is not None:
        bar.close()
    print(f"hearing-bot export: {reason}", file=sys.stderr)
    return 2


class ProgressBar:
    """Draw `[#####-----]  50% votes.csv` on one terminal line, redrawn only when it changes."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = ("", -1)
        self.drawn = False

    def __call__(self, file_name: str, done: int, total: int) -> None:
        """Show how far the export is: rows written of rows expected, and the current file."""
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        if (file_name, percent) == self.shown:
            return
        self.shown = (file_name, percent)
        filled = percent * self.WIDTH // 100
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        # \033[K clears what a longer file name left on the line.
        self.stream.write(f"\r[{bar}] {percent:3d}% {file_name}\033[K")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        """End the bar's line, so that what follows starts on a fresh one."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False
