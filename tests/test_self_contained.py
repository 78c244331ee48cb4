"""The repository is self-contained: nothing it ships reads outside its own clone."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
THIS = Path(__file__).resolve()
# A line may name such a path on purpose (a bad input the bot must refuse) if it says so.
ALLOWED = "outside-ok"
SCANNED = (".py", ".md", ".toml", ".sh", ".cfg", ".ini", ".txt", ".example")
# A path that climbs out of the clone: a parent folder in a string, a parent past the root, or
# the workplace's own folders (a clone elsewhere has neither).
# The outside names are assembled from parts, so that this file does not name them itself.
UP, SHARED, WORK = ".." + "/", "sha" + "red", "/" + "work" + "/"
OUTSIDE = re.compile(
    r"\.\./(?!\.)\w|" + re.escape(WORK) + rf"|\b{SHARED}/(?:seed|polis|DESIGN)"
    r"|(?:ROOT|REPO)\.parent\b|\.parents\[(?P<depth>\d+)\]"
)


def tracked_files() -> list[Path]:
    """Return every file git tracks (or, outside a checkout, every file under the root)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return [p for p in ROOT.rglob("*") if p.is_file() and ".venv" not in p.parts]
    return [ROOT / name for name in listed if name]


def escapes(path: Path, line: str) -> bool:
    """Tell whether a line names a place outside the repository."""
    for match in OUTSIDE.finditer(line):
        depth = match.group("depth")
        if depth is None:
            return True
        # parents[N] of a file N folders below the root is the root; a larger N climbs out.
        if int(depth) >= len(path.relative_to(ROOT).parts):
            return True
    return False


def offending_lines() -> list[str]:
    """List `file:line` for every reference to a path outside the clone."""
    found = []
    for path in tracked_files():
        if path.suffix not in SCANNED and path.name != "run":
            continue
        # The datasets' READMEs say where they came from, benchmarks/results holds recorded
        # output, and this file holds examples: none of them is read as a path.
        top = path.relative_to(ROOT).parts
        if not path.is_file() or top[0] == "datasets" or top[:2] == ("benchmarks", "results"):
            continue
        if path == THIS:
            continue
        for number, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1):
            if escapes(path, line) and ALLOWED not in line:
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_nothing_refers_to_a_path_outside_the_repository() -> None:
    assert offending_lines() == []


@pytest.mark.parametrize(
    ("relative", "line", "outside"),
    [
        ("tests/harness.py", f'SEED = Path(__file__).parents[2] / "{SHARED}"', True),
        ("tests/harness.py", 'SEED = Path(__file__).parents[1] / "datasets"', False),
        ("scripts/x.py", f'SEED = ROOT.parent / "{SHARED}" / "seed"', True),
        ("README.md", f"the design is in `{UP}{SHARED}/DESIGN.md`", True),
        ("bot/x.py", f'open("{WORK}{SHARED}/seed/plan.txt")', True),
        ("bot/x.py", "if not target.parent.is_dir():", False),
        ("README.md", f"export --out {UP}results", True),
    ],
)
def test_the_scan_tells_inside_from_outside(relative: str, line: str, outside: bool) -> None:
    assert escapes(ROOT / relative, line) is outside


def test_the_datasets_ship_with_their_attribution() -> None:
    polis = ROOT / "datasets" / "polis"
    for name in ("london.youth.policing", "scoop-hivemind.biodiversity", "vtaiwan.uberx"):
        for file in ("comments.csv", "votes.csv", "participants-votes.csv", "summary.csv"):
            assert (polis / name / file).is_file(), f"{name}/{file}"
    assert "CC BY 4.0" in (polis / "README.md").read_text("utf-8")
    assert "Computational Democracy Project" in (ROOT / "datasets" / "README.md").read_text(
        "utf-8"
    )
    assert (ROOT / "datasets" / "seed" / "comments.jsonl").is_file()
