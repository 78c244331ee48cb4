"""Write an export's sheets: CSV files into a folder, or one zip archive in memory."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from bot.hearing.export import HearingExport, Progress, Row, Sheet

# A spreadsheet takes a cell that starts with one of these for a formula (OWASP, "CSV
# Injection"; ASVS 1.2.10 adds NUL): `=HYPERLINK(...)` in a suggestion would become a live link.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


def inert(cell: object) -> object:
    """Return a text cell a spreadsheet would run as a formula with a `'` before it, as text.

    Only text: a number (a Pol.is vote of -1, say) stays a number.
    """
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def inert_rows(rows: Iterable[Row]) -> list[list[object]]:
    """Return rows with every text cell made inert."""
    return [[inert(cell) for cell in row] for row in rows]


async def write_sheet(sheet: Sheet, handle: TextIO, advance: Progress | None = None) -> None:
    """Write one sheet to an open text file: a CSV table page by page, or its text."""
    if sheet.text is not None:
        handle.write(sheet.text)
        return
    writer = csv.writer(handle, lineterminator="\n")
    if sheet.header:
        writer.writerow(sheet.header)
    if sheet.pages is None:
        return
    async for page in sheet.pages:
        writer.writerows(inert_rows(page))
        if advance is not None:
            advance(sheet.name, len(page), 0)


async def write_folder(export: HearingExport, folder: Path, progress: Progress | None) -> None:
    """Write every sheet as a file of an existing folder, reporting rows written."""
    total = await export.expected_rows()
    done = 0

    def advance(name: str, rows: int, _: int) -> None:
        nonlocal done
        done += rows
        if progress is not None:
            progress(name, done, max(total, done))

    advance("", 0, 0)
    async for sheet in export.sheets():
        path = folder / sheet.name
        path.parent.mkdir(mode=0o700, exist_ok=True)  # a Pol.is export has a folder per item
        # Readable by its owner only, whatever the umask: an export is raw, pseudonymous data.
        created = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(created, "w", encoding="utf-8", newline="") as handle:
            await write_sheet(sheet, handle, advance)


async def zip_export(export: HearingExport) -> bytes:
    """Pack every sheet, by name, into a zip archive held in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as packed:
        async for sheet in export.sheets():
            text = io.StringIO(newline="")
            await write_sheet(sheet, text)
            packed.writestr(sheet.name, text.getvalue().encode("utf-8"))
    return buffer.getvalue()
