"""`hearing-bot move-to-postgres`: a hearing outgrows SQLite and keeps its data."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.config import Settings
from storage.db import DatabaseError
from storage.moving import MoveError, move_to_postgres
from storage.pg_url import describe, url_problem

NAME = "hearing-bot move-to-postgres"


def move(
    settings: Settings, url: str | None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Copy DATABASE_PATH's hearing into the empty PostgreSQL database at `url` and verify it.

    Exit 0 when every table's rows and checksum match, 1 when the copy fails or differs, 2 when
    the move is refused before anything is written (bad input, a target that is not empty).
    """
    out, err = out or sys.stdout, err or sys.stderr
    url = url or settings.database_url
    if url is None:
        print(f"{NAME}: say where to: --to postgresql://... or DATABASE_URL", file=err)
        return 2
    if (problem := url_problem(url)) is not None:
        print(f"{NAME}: the target URL {problem}", file=err)
        return 2

    if not settings.database_path.is_file():
        print(f"{NAME}: no database at {settings.database_path} (set DATABASE_PATH)", file=err)
        return 2

    def copied(table: str, rows: int) -> None:
        print(f"copied {table}: {rows} rows", file=err)

    try:
        source = settings.database_path.resolve()
        checks = asyncio.run(move_to_postgres(source, url, copied))
    except MoveError as exc:
        print(f"{NAME}: {exc}", file=err)
        return 2
    except DatabaseError as exc:
        print(f"{NAME}: {exc}", file=err)
        return 1
    for check in checks:
        copy = f"{check.copied_rows} rows, checksum {check.copied_checksum[:16]}"
        verdict = "same" if check.matches else f"DIFFERENT: {copy}"
        print(f"{check.table}: {check.rows} rows, checksum {check.checksum[:16]}: {verdict}",
              file=out)  # fmt: skip
    different = [check.table for check in checks if not check.matches]
    if different:
        print(f"{NAME}: {len(different)} table(s) differ after the copy: "
              f"{', '.join(different)}", file=err)  # fmt: skip
        return 1
    print(f"{len(checks)} tables copied and verified into {describe(url)}. Stop the bot, set "
          "DATABASE_URL, and start it again.", file=out)  # fmt: skip
    return 0
