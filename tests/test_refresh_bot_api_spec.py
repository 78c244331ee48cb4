"""scripts/refresh_bot_api_spec.py: a new copy of the spec replaces the old one only if usable."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.emulator import apispec
from scripts.refresh_bot_api_spec import main


@pytest.fixture
def spec_dir(tmp_path: Path) -> Path:
    """A copy of the shipped spec folder to refresh."""
    return Path(shutil.copytree(apispec.SPEC_PATH.parent, tmp_path / "spec"))


def newer(tmp_path: Path, change: dict[str, object]) -> Path:
    """Write the shipped api.json with some top-level keys changed."""
    raw = json.loads(apispec.SPEC_PATH.read_text("utf-8"))
    path = tmp_path / "api.json"
    path.write_text(json.dumps({**raw, **change}), "utf-8")
    return path


def test_a_newer_copy_replaces_the_file_and_the_readme_section(
    spec_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = newer(tmp_path, {"version": "Bot API 10.2", "release_date": "July 1, 2026"})
    assert main([str(source), "--into", str(spec_dir)]) == 0
    assert "Bot API 10.2 (July 1, 2026): 180 methods" in capsys.readouterr().out
    assert apispec.load(spec_dir / "api.json").version == "Bot API 10.2"
    readme = (spec_dir / "README.md").read_text("utf-8")
    assert "- Version: Bot API 10.2, released July 1, 2026\n- Source: api.json\n" in readme
    assert readme.startswith("# The Telegram Bot API specification") and "10.1" not in readme


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"methods": {}}, "lacks methods the emulator implements: ['answerCallbackQuery'"),
        ({"types": None}, "not a telegram-bot-api-spec api.json"),
    ],
    ids=["methods gone", "not the layout"],
)
def test_an_unusable_copy_is_refused_and_changes_nothing(
    spec_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, object],
    reason: str,
) -> None:
    before = {path.name: path.read_bytes() for path in spec_dir.iterdir()}
    assert main([str(newer(tmp_path, change)), "--into", str(spec_dir)]) == 1
    assert reason in capsys.readouterr().err
    assert {path.name: path.read_bytes() for path in spec_dir.iterdir()} == before
