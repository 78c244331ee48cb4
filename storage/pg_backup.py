"""Backups on PostgreSQL: pg_dump's custom archive of the hearing, checked with pg_restore.

pg_dump takes one consistent snapshot while the bot goes on writing. The password is handed
to it in PGPASSWORD, never on its command line (which other users of the machine can read).
The archive leaves out the erasure ledger (the schema `ledger`), so that restoring it never
replaces the ledger; a copy of the ledger is written to a file of its own beside it, for a
restore into a new database (docs/postgres.md, Backups).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from storage.backup import BackupError
from storage.erasure_ledger import (
    LedgerEntry,
    LedgerError,
    ledger_path,
    write_ledger_file,
)
from storage.ledger import LedgerRepository
from storage.pg_connection import PgConnection
from storage.pg_url import describe, password, scrub, without_password

LEDGER_SCHEMA = "ledger"

TOOLS_MISSING = (
    "{tool} not found: install PostgreSQL's client tools (Debian: apt-get install "
    "postgresql-client, of the server's major version or newer), or back up with your "
    "provider's tools (docs/postgres.md, Backups)"
)


@dataclass(frozen=True)
class PgBackupResult:
    """A checked archive: where it is, how big, how many objects pg_restore lists in it, and
    the ledger's file beside it with its number of erasures."""

    path: Path
    size: int
    entries: int
    ledger: Path
    erasures: int


async def backup_postgres(url: str, target: Path) -> PgBackupResult:
    """Dump the database at `url` to a new file and check that pg_restore can read it."""
    dump, restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    if dump is None or restore is None:
        raise BackupError(TOOLS_MISSING.format(tool="pg_dump" if dump is None else "pg_restore"))
    ledger = ledger_path(target)
    if ledger.exists() or ledger.is_symlink():
        raise BackupError(f"{ledger} already exists; a backup never overwrites a file")
    partial = await asyncio.to_thread(_claim, target)
    kept = ledger.with_name(f".{ledger.name}.partial")
    try:
        await _run(url, dump, "--format=custom", "--no-owner", f"--file={partial}",
                   f"--exclude-schema={LEDGER_SCHEMA}",
                   f"--dbname={without_password(url)}")  # fmt: skip
        listing = await _run(url, restore, "--list", str(partial))
        # Read after the snapshot: the file holds every erasure the archive could hold, and more.
        erasures = await _ledger(url)
        await asyncio.to_thread(_write_ledger, kept, erasures)
        size = await asyncio.to_thread(_publish, partial, target)
        await asyncio.to_thread(os.replace, kept, ledger)
    except BaseException:
        for left in (partial, kept):
            with contextlib.suppress(OSError):
                left.unlink()
        raise
    entries = sum(1 for line in listing.splitlines() if line and not line.startswith(";"))
    return PgBackupResult(target, size, entries, ledger, len(erasures))


def _write_ledger(path: Path, erasures: list[LedgerEntry]) -> None:
    try:
        write_ledger_file(path, erasures)
    except LedgerError as exc:
        raise BackupError(str(exc)) from None


async def _ledger(url: str) -> list[LedgerEntry]:
    try:
        conn = await asyncpg.connect(url)
    except (OSError, asyncpg.PostgresError) as exc:
        raise BackupError(f"cannot read the erasure ledger of {describe(url)}: "
                          f"{scrub(exc, url)}") from None  # fmt: skip
    try:
        repository = LedgerRepository(PgConnection(conn))
        if not await repository.present():
            raise BackupError(f"{describe(url)} has no erasure ledger (schema `ledger`): "
                              "import it first (docs/postgres.md, Backups)")  # fmt: skip
        found = await repository.entries()
    finally:
        await conn.close()
    for entry in found:
        if (problem := entry.problem()) is not None:
            raise BackupError(f"an entry of the erasure ledger is damaged ({problem})")
    return found


def _claim(target: Path) -> Path:
    """Check the target is new, and create the file the archive is written to meanwhile."""
    if target.exists() or target.is_symlink():
        raise BackupError(f"{target} already exists; a backup never overwrites a file")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder")
    # Beside the target under another name, renamed into place only once checked, so a failed
    # backup never leaves something that looks like one.
    partial = target.with_name(f".{target.name}.partial")
    try:
        # Readable by its owner only: the archive holds the delivery table (chat ids).
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise BackupError(f"cannot write in {partial.parent}: {exc.strerror}") from exc
    return partial


def _publish(partial: Path, target: Path) -> int:
    os.replace(partial, target)
    return target.stat().st_size


async def _run(url: str, program: str, *args: str) -> str:
    environment = dict(os.environ)
    if (secret := password(url)) is not None:
        environment["PGPASSWORD"] = secret
    process = await asyncio.create_subprocess_exec(
        program, *args, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    if process.returncode != 0:
        lines = err.decode(errors="replace").strip().splitlines() or ["no message"]
        problem = scrub(RuntimeError(lines[-1]), url).removeprefix("RuntimeError: ")
        raise BackupError(f"{Path(program).name} failed on {describe(url)}: {problem}")
    return out.decode(errors="replace")
