"""Online backups: SQLite's backup API copies a live database, then the copy is checked."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

# Pages copied per step; between steps the bot may write (the backup then restarts its pass
# over changed pages), so a running hearing is never blocked for the whole copy.
PAGES_PER_STEP = 1024


class BackupError(RuntimeError):
    """The backup could not be made or failed its check; nothing is left at the target."""


@dataclass(frozen=True)
class BackupResult:
    """A checked copy: where it is, how big, and how many pages were copied."""

    path: Path
    size: int
    pages: int


async def backup_database(source: Path, target: Path) -> BackupResult:
    """Copy a (possibly running) database to a new file and integrity-check the copy."""
    # sqlite3's backup runs step by step in C; a thread keeps the event loop free meanwhile.
    return await asyncio.to_thread(_backup, source, target)


def _backup(source: Path, target: Path) -> BackupResult:
    if not source.is_file():
        raise BackupError(f"no database at {source} (set DATABASE_PATH)")
    if target.exists() or target.is_symlink():
        raise BackupError(f"{target} already exists; a backup never overwrites a file")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder")
    # Written beside the target under another name and renamed into place only once checked,
    # so a failed or interrupted backup never leaves something that looks like a backup.
    partial = target.with_name(f".{target.name}.partial")
    try:
        pages = _copy(source, partial)
        _check(partial)
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    return BackupResult(target, target.stat().st_size, pages)


def _copy(source: Path, partial: Path) -> int:
    try:
        # Created readable by its owner only: the copy holds the delivery table (chat ids).
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise BackupError(f"cannot write in {partial.parent}: {exc.strerror}") from exc
    # Read-only, so a mistyped DATABASE_PATH is never created as a new, empty database.
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=PAGES_PER_STEP)
            # The copy takes the source's WAL mode; a backup is better one self-contained file.
            dst.execute("PRAGMA journal_mode=DELETE")
            (pages,) = dst.execute("PRAGMA page_count").fetchone()
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise BackupError(f"cannot copy {source}: {exc}") from exc
    finally:
        src.close()
    return int(pages)


def _check(partial: Path) -> None:
    conn = sqlite3.connect(partial)
    try:
        problems = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.Error as exc:
        problems = [str(exc)]
    finally:
        conn.close()
    if problems != ["ok"]:
        raise BackupError(
            f"the copy failed its integrity check ({problems[0]}): the database itself is "
            "probably damaged; keep the last good backup"
        )
