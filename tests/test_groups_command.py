"""Tests for `hearing-bot groups DIR --out FILE` on Pol.is open data (CC BY 4.0, datasets/)."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest
from scipy.special import comb

from bot.cli import main

POLIS = Path(__file__).resolve().parents[1] / "datasets" / "polis"
LONDON = POLIS / "london.youth.policing"
COUNTS = ("n-comments", "n-votes", "n-agree", "n-disagree")


def read(path: Path) -> tuple[list[str], dict[str, dict[str, str]]]:
    """Return a participants-votes.csv's header and its rows by participant."""
    with path.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = {row["participant"]: row for row in reader}
        return list(reader.fieldnames or ()), rows


def test_london_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "participants-votes.csv"
    assert main(["groups", str(LONDON), "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"{out}: 2 group(s)")
    header, rows = read(out)
    polis_header, polis_rows = read(LONDON / "participants-votes.csv")
    # Pol.is's layout (without the xid column some exports have), rejected comments left out.
    assert header == [c for c in polis_header if c != "xid"]
    assert rows.keys() == polis_rows.keys()
    for participant, row in rows.items():
        theirs = polis_rows[participant]
        assert [row[c] for c in header if c != "group-id"] == [
            theirs[c] for c in header if c != "group-id"
        ]
    groups = {row["group-id"] for row in rows.values()} - {""}
    assert groups == {"0", "1"}, "24 clustered in two groups, none under 5"
    assert sum(1 for row in rows.values() if row["group-id"]) == 24


def test_without_the_floor_groups_may_be_small(tmp_path: Path) -> None:
    out = tmp_path / "pv.csv"
    assert main(["groups", str(LONDON), "--out", str(out), "--min-group-size", "1"]) == 0
    _, rows = read(out)
    assert len({row["group-id"] for row in rows.values() if row["group-id"]}) >= 3


def adjusted_rand_index(a: list[str], b: list[str]) -> float:
    """Return the adjusted Rand index of two labellings of the same participants."""
    pairs = sum(comb(n, 2) for n in Counter(zip(a, b, strict=True)).values())
    rows = sum(comb(n, 2) for n in Counter(a).values())
    cols = sum(comb(n, 2) for n in Counter(b).values())
    expected = rows * cols / comb(len(a), 2)
    return float((pairs - expected) / ((rows + cols) / 2 - expected))


@pytest.mark.parametrize("name", ["scoop-hivemind.biodiversity", "vtaiwan.uberx"])
def test_the_large_conversations_get_polis_groups(tmp_path: Path, name: str) -> None:
    out = tmp_path / "pv.csv"
    assert main(["groups", str(POLIS / name), "--out", str(out), "--min-group-size", "1"]) == 0
    _, ours = read(out)
    _, theirs = read(POLIS / name / "participants-votes.csv")
    both = [p for p, row in ours.items() if row["group-id"] and theirs[p]["group-id"]]
    mine, polis = [ours[p]["group-id"] for p in both], [theirs[p]["group-id"] for p in both]
    assert len(set(mine)) == len(set(polis)) == 2
    # The target (docs/opinion-groups.md: 0.966 and 0.919 measured).
    assert adjusted_rand_index(mine, polis) >= 0.9


def broken(tmp_path: Path, file: str, edit: str) -> Path:
    """Copy the London folder and break one of its files."""
    folder = tmp_path / "conversation"
    shutil.copytree(LONDON, folder)
    path = folder / file
    if edit == "delete":
        path.unlink()
        return folder
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if edit == "drop moderated column":
        lines = [line.replace(",moderated,", ",state,", 1) for line in lines]
    else:
        row, column, value = edit.split(":")
        cells = lines[int(row)].rstrip("\n").split(",")
        cells[int(column)] = value
        lines[int(row)] = ",".join(cells) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("file", "edit", "expected"),
    [
        ("votes.csv", "delete", "votes.csv: cannot be read"),
        ("comments.csv", "delete", "comments.csv: cannot be read"),
        ("votes.csv", "3:4:2", "votes.csv: row 3: vote must be -1 or 0 or 1, not '2'"),
        ("votes.csv", "5:3:anna", "votes.csv: row 5: voter-id must be a whole number"),
        ("votes.csv", "2:0:", "votes.csv: row 2: timestamp must be a whole number, not ''"),
        ("votes.csv", "7:2:999", "votes.csv: row 7: comment-id 999 is not in comments.csv"),
        ("comments.csv", "4:6:7", "comments.csv: row 4: moderated must be -1 or 0 or 1"),
        ("comments.csv", "drop moderated column", "comments.csv: row 0 (header): no column"),
    ],
)
def test_a_bad_folder_is_one_line_naming_file_and_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], file: str, edit: str, expected: str
) -> None:
    folder = broken(tmp_path, file, edit)
    out = tmp_path / "pv.csv"
    assert main(["groups", str(folder), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err and str(folder / file) in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["conversation"], "nothing left behind"


@pytest.mark.parametrize("where", ["existing", "no folder"])
def test_out_is_never_overwritten_nor_made_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    out = tmp_path / "pv.csv" if where == "existing" else tmp_path / "missing" / "pv.csv"
    if where == "existing":
        out.write_text("mine\n", encoding="utf-8")
    assert main(["groups", str(LONDON), "--out", str(out)]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert where != "existing" or out.read_text(encoding="utf-8") == "mine\n"
