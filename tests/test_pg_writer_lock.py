"""The writer-lock benchmark refuses options it cannot run, in one line, before it starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--modes", "alone,fast"], "--modes: alone or concurrent, not fast"),
        (["--delay-ms", "-1"], "--delay-ms: 0 or more"),
    ],
)
def test_options_that_cannot_run_are_refused_in_one_line(options: list[str], said: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.pg_writer_lock", *options],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert said in done.stderr.splitlines()[-1]
