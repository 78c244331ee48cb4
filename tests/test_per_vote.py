"""The per-vote benchmark, short: both bots store every vote and show the same card.

The suite runs `benchmarks/per_vote.py` as a script, as an operator would (tests import nothing
from benchmarks/), and reads the figures it writes with `--json`. No timing is asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "per_vote.py"


def run_per_vote(tmp_path: Path, *options: str) -> tuple[int, dict[str, object], str]:
    """Run the benchmark script; return its exit status, its figures and what it printed."""
    figures = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, "-W", "error", str(SCRIPT), "--json", str(figures), *options],
        cwd=ROOT, capture_output=True, text=True, timeout=110, check=False,
    )  # fmt: skip
    output = done.stdout + done.stderr
    found = json.loads(figures.read_text(encoding="utf-8")) if figures.exists() else {}
    return done.returncode, found, output


@pytest.mark.parametrize(
    ("citizens_from", "welcomes"),
    # A deep link and a press per vote; by links alone, the hearing bot shows its short
    # welcome before a citizen's first card, and the citizen presses past it, once.
    [("begun", 0), ("links", 1)],
)
def test_both_bots_store_every_vote_behind_the_same_card(
    tmp_path: Path, citizens_from: str, welcomes: int
) -> None:
    options = ["--citizens", "3", "--votes-each", "2", "--runs", "1"]
    code, figures, output = run_per_vote(tmp_path, *options, "--citizens-from", citizens_from)
    assert code == 0, output
    runs = figures["runs"]
    assert isinstance(runs, list) and len(runs) == 1
    hearing, naive = runs[0]["hearing"], runs[0]["naive"]
    for bot in (hearing, naive):
        assert bot["stored_votes"] == bot["votes"]["votes"] == 3 * 2
        assert bot["votes"]["cpu_seconds"] > 0
    assert hearing["votes"]["updates"] == 2 * 3 * 2 + welcomes * 3
    assert naive["votes"]["updates"] == 2 * 3 * 2
    assert hearing["card"] == naive["card"], "the naive bot shows the hearing bot's card"
    assert "hearing / naive, CPU per vote" in output


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        (["--votes-each", "40"], "--votes-each is at most 39"),
        (["--citizens", "0"], "--citizens must be at least 1"),
    ],
)
def test_impossible_options_are_refused_before_any_bot_starts(
    tmp_path: Path, options: list[str], complaint: str
) -> None:
    code, figures, output = run_per_vote(tmp_path, *options)
    assert code != 0
    assert complaint in output
    assert figures == {}
