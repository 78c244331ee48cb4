"""The flood load test, short: a flooding chat beside a few citizens walking the plan.

A functional check only (no timing is asserted: the figures go to BENCHMARKS.md). The suite runs
`benchmarks/flood.py` as a script, as an operator would (tests import nothing from benchmarks/),
and reads the figures it writes with `--json`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOOD = 1000


def test_a_flood_beside_citizens_loses_nothing_of_theirs(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    options = ["--citizens", "6", "--items", "1", "--flood", str(FLOOD), "--think", "0.3", "1"]
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", "benchmarks.flood", "--json", str(figures),
         *options],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert figures.exists(), f"the script wrote no figures:\n{output}"
    result = json.loads(figures.read_text(encoding="utf-8"))
    assert result["problems"] == [], output
    assert done.returncode == 0, output
    assert result["answers"] == 24 and (result["lost"], result["stuck"]) == (0, 0)
    assert [phase["name"] for phase in result["phases"]] == ["quiet", "flood", "quiet again"]
    assert result["slow_down_notices"] == 1, "asked once to slow down"
    # RATE_LIMIT_BURST (20) at once, then one a second and never more than CHAT_BACKLOG (10)
    # waiting: a few dozen at most of the thousand are ever stored.
    assert 0 < result["flood_stored"] <= 50, output
