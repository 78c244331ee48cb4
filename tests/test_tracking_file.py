"""The tracking file: read into changes, every problem with its line, nothing half-imported."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest

from bot.hearing.plan import load_plan
from bot.hearing.tracking_file import read_tracking_file
from bot.model.tracking import ItemTracking
from tests.harness import query
from tests.test_cli import run_cli

EXAMPLE = Path(__file__).resolve().parents[1] / "content" / "tracking.md"
TODAY = date(2026, 11, 27)
IDS = {item.id for item in load_plan().items}


def problems(text: str, current: dict[str, ItemTracking] | None = None) -> list[str]:
    """Read a tracking file and return its problems as 'line N: message'."""
    return [str(p) for p in read_tracking_file(text, IDS, current or {}, TODAY)[1]]


def test_the_example_in_content_is_valid() -> None:
    changes, found = read_tracking_file(EXAMPLE.read_text(encoding="utf-8"), IDS, {}, TODAY)
    assert found == []
    assert {(c.item_id, c.field) for c in changes} >= {("18", "status"), ("19", "value")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("## Item 42\nstatus: done\n", "line 1: item 42 is not in the plan"),
        ("## Item 18\ndeadline: June\n", "line 2: 'June' is not a date"),
        ("## Item 18\nmetric: A | % | 1 | lots\n", "line 2: 'lots' is not a number"),
        ("## Item 18\nmetric: A | % | 1\n", "line 2: write a metric as 'name | unit"),
        ("## Item 18\nmetric: A | % | 1 | 5\nvalue: A | ten\n", "line 3: 'ten' is not a number"),
        ("## Item 18\nvalue: B | 10\n", "line 2: item 18 has no metric 'B'"),
        ("## Item 18\nvalue: B\n", "line 2: write a value as 'metric name | number'"),
        ("## Item 18\ntext: Protect judges too\n", "line 2: the plan's wording cannot be changed"),
        ("## Item 18\nstatus: finished\n", "line 2: unknown status 'finished'"),
        ("## Item 18\nowner: Ministry\n", "line 2: unknown field 'owner'"),
        ("status: done\n", "line 1: a field must come under an '## Item N' line"),
        ("## Item 18\nstatus done\n", "line 2: expected '## Item N' or 'field: value'"),
        ("## Item 18\n## Item 18\n", "line 2: item 18 appears twice in the file"),
    ],
)
def test_bad_lines_are_reported_with_their_number(text: str, expected: str) -> None:
    found = problems(text)
    assert len(found) == 1 and found[0].startswith(expected), found


def test_every_problem_is_reported_not_only_the_first() -> None:
    text = "# comment\n## Item 42\nstatus: done\n## Item 18\nstatus: nope\ndeadline: 2020-13-01\n"
    assert [p.split(":")[0] for p in problems(text)] == ["line 2", "line 5", "line 6"]


def test_a_deadline_already_missed_can_be_recorded() -> None:
    current = {"18": ItemTracking("18", deadline=date(2026, 11, 1))}
    assert problems("## Item 18\ndeadline: 2026-11-01\n", current) == []
    changes, found = read_tracking_file("## Item 18\ndeadline: 2026-10-02\n", IDS, {}, TODAY)
    assert found == [] and [(c.field, c.value) for c in changes] == [("deadline", "2026-10-02")]


def test_the_command_imports_all_or_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("## Item 18\nstatus: adopted\n## Item 99\nstatus: done\n", encoding="utf-8")
    env = {"DATABASE_PATH": str(tmp_path / "hearing.db")}
    result = run_cli(["tracking", "import", str(bad)], tmp_path, **env)
    assert result.returncode == 1
    assert "bad.md:line 3: item 99 is not in the plan" in result.stderr
    assert "nothing was changed" in result.stderr
    database = tmp_path / "hearing.db"
    count = "SELECT COUNT(*) FROM tracking_history"
    assert asyncio.run(query(database, count)) == [(0,)]
    result = run_cli(["tracking", "import", str(EXAMPLE)], tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert "14 change(s) recorded" in result.stdout
    rows = asyncio.run(query(database, "SELECT DISTINCT actor, source FROM tracking_history"))
    assert rows == [("tracking.md", "import")]
    again = run_cli(["tracking", "import", str(EXAMPLE)], tmp_path, **env)
    assert "0 change(s) recorded" in again.stdout, "importing the same file changes nothing"


def test_the_export_holds_the_tracking_and_its_history(tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "hearing.db")}
    assert run_cli(["tracking", "import", str(EXAMPLE)], tmp_path, **env).returncode == 0
    out = tmp_path / "export"
    result = run_cli(["export", "--out", str(out)], tmp_path, **env)
    assert result.returncode == 0, result.stderr
    history = (out / "tracking_history.csv").read_text(encoding="utf-8").splitlines()
    assert len(history) == 1 + 14, "a header and every recorded change"
    tracking = (out / "tracking.csv").read_text(encoding="utf-8")
    assert "\n18," in tracking
