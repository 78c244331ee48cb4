"""Files the bot writes are readable by its user only, whatever the umask it was started under."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.emulator import Emulator
from storage.db import Database
from storage.erasure_ledger import ledger_path
from tests.harness import Hearing, make_settings

USUAL_UMASK = 0o022  # a shell's usual umask: files 0644, folders 0755
CITIZEN = 5151


def mode(path: Path) -> int:
    """Return a file's permission bits."""
    return stat.S_IMODE(path.stat().st_mode)


def cli(args: list[str], cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run `python -m bot` under the usual umask, in a folder of its own (no .env)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PSEUDO"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, input=stdin, capture_output=True,
        text=True, timeout=120, env=environ, umask=USUAL_UMASK, check=False,
    )  # fmt: skip


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """Run the test under the usual umask, as a library caller (not the CLI) would."""
    old = os.umask(USUAL_UMASK)
    try:
        yield
    finally:
        os.umask(old)


def test_the_commands_write_the_database_backups_and_exports_for_their_user_only(
    tmp_path: Path,
) -> None:
    trial = cli(["console"], tmp_path, "1\n1\n1\n1\nCheck the madaris\n")
    assert trial.returncode == 0, trial.stderr
    data = tmp_path / "data"
    assert mode(data) == 0o700, "the data folder"
    assert mode(data / "hearing.db") == 0o600
    backed = cli(["backup", "hearing-copy.db"], tmp_path)
    assert backed.returncode == 0, backed.stderr
    assert mode(tmp_path / "hearing-copy.db") == 0o600
    for fmt in ("csv", "polis"):
        exported = cli(["export", "--format", fmt, "--out", f"export-{fmt}"], tmp_path)
        assert exported.returncode == 0, exported.stderr
        folder = tmp_path / f"export-{fmt}"
        assert {mode(p) for p in (folder, *folder.rglob("*")) if p.is_dir()} == {0o700}
        assert {mode(p) for p in folder.rglob("*") if p.is_file()} == {0o600}


@pytest.mark.usefixtures("usual_umask")
async def test_a_running_hearing_keeps_its_database_wal_and_ledger_private(
    emu: Emulator, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, database_path=tmp_path / "data" / "hearing.db")
    async with Hearing(emu, settings) as hearing:
        await hearing.answer_item(CITIZEN, "1")
        await hearing.say(CITIZEN, "/delete")
        await hearing.press(CITIZEN, "🗑 Yes, erase everything")
        path = hearing.settings.database_path
        written = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
        assert {p.name: mode(p) for p in written} == {p.name: 0o600 for p in written}
        assert mode(ledger_path(path)) == 0o600
        assert mode(path.parent) == 0o700


@pytest.mark.usefixtures("usual_umask")
async def test_files_made_before_are_narrowed_to_their_owner_at_start(tmp_path: Path) -> None:
    path = tmp_path / "hearing.db"
    async with Database(path):
        pass
    ledger = ledger_path(path)
    ledger.write_text("", encoding="utf-8")
    for file in (path, ledger):
        file.chmod(0o644)  # as an earlier version left them
    async with Database(path):
        assert (mode(path), mode(ledger)) == (0o600, 0o600)
