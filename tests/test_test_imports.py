"""Tests import nothing from benchmarks/: what both need lives in the bot (or runs as a script)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


def benchmark_imports(source: str) -> list[str]:
    """Return the modules of benchmarks/ a Python source imports, anywhere in it."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        else:
            continue
        found += [name for name in names if name.split(".")[0] == "benchmarks"]
    return found


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import benchmarks.crash_test", ["benchmarks.crash_test"]),
        ("import os, benchmarks as b", ["benchmarks"]),
        ("from benchmarks.polis import events", ["benchmarks.polis"]),
        ("from benchmarks import polis", ["benchmarks"]),
        ("def f():\n    from benchmarks.replay import main", ["benchmarks.replay"]),
        ("importlib.import_module('benchmarks.crash_test')", ["benchmarks.crash_test"]),
        ("import benchmarking, tests.benchmarks", []),
        ("from bot import benchmarks", []),
        ("SCRIPT = ROOT / 'benchmarks' / 'crash_test.py'", []),
    ],
)
def test_benchmark_imports_are_found_wherever_they_are(source: str, expected: list[str]) -> None:
    assert benchmark_imports(source) == expected


def test_no_test_module_imports_benchmarks() -> None:
    modules = sorted(TESTS.rglob("*.py"))
    assert len(modules) > 50, "the test modules were found"
    offenders = {
        str(path.relative_to(TESTS)): imported
        for path in modules
        if (imported := benchmark_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}
