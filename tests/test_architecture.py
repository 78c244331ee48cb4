"""The floors of docs/architecture.md, enforced: import-linter's contracts in .importlinter."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from importlinter.application.use_cases import lint_imports
from importlinter.configuration import configure

ROOT = Path(__file__).resolve().parents[1]


def test_every_import_runs_down_the_floors() -> None:
    configure()  # what the lint-imports command does before it lints
    assert lint_imports(config_filename=str(ROOT / ".importlinter"), cache_dir=None) is True


def test_the_documented_floors_are_the_contracted_ones() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    layers = config["importlinter:contract:floors"]["layers"].split()
    contracted = [name for name in layers if name != "|"]
    documented = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    missing = [name for name in contracted if not re.search(rf"`{re.escape(name)}`", documented)]
    assert missing == [], "docs/architecture.md must name every floor of the contract"


def test_no_deferred_import_hides_a_cycle() -> None:
    indented = re.compile(r"^[ \t]+(from [\w.]+ import |import [\w.]+)", re.M)
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("bot", "handlers", "storage", "content")
        for path in (ROOT / folder).rglob("*.py")
        if "emulator" not in path.parts and indented.search(path.read_text("utf-8"))
    ]
    assert offenders == []


def test_the_domain_neither_draws_nor_writes_files() -> None:
    writing = re.compile(
        r"\bopen\(|\.write_text\(|\.write_bytes\(|import (csv|zipfile|tempfile|shutil)\b"
    )
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "bot" / "hearing").rglob("*.py")
        if writing.search(path.read_text("utf-8"))
    ]
    assert offenders == []
