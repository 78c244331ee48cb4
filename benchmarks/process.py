"""A bot under measurement in its own process: start it, read its CPU and memory, profile it."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")
START_SECONDS = 60


def cpu_of(pid: int) -> float:
    """Return a process's user + system CPU seconds so far (every thread of it)."""
    return _stat_cpu(pid)


def tree_cpu(pid: int) -> float:
    """Return the CPU seconds of a process, its children's so far, and its reaped children's."""
    total = _stat_cpu(pid, reaped=True)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    total += _stat_cpu(int(entry.name), reaped=True)
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue  # a process that ended while we looked: its parent now counts it
    return total


def _stat_cpu(pid: int, reaped: bool = False) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = int(fields[11]) + int(fields[12])
    return (own + (int(fields[13]) + int(fields[14]) if reaped else 0)) / TICKS


def peak_mib_of(pid: int) -> float:
    """Return a process's peak resident memory (VmHWM) in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@asynccontextmanager
async def bot_process(
    module: str, *args: str, env: dict[str, str] | None = None
) -> AsyncIterator[asyncio.subprocess.Process]:
    """Run `python -m module args...` until it prints READY; stop it with SIGTERM at the end."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, *args, cwd=ROOT, stdout=asyncio.subprocess.PIPE, env=env
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), START_SECONDS)
        if line.strip() != b"READY":
            raise RuntimeError(f"{module} {args[:1]} did not start: {line!r}")
        yield proc
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        await proc.wait()


def py_spy() -> str:
    """Return the py-spy command: on the PATH, or beside this Python."""
    return shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")


async def start_profile(pid: int, out: Path) -> asyncio.subprocess.Process:
    """Start py-spy sampling a process at 100 Hz; it writes collapsed stacks when it stops."""
    out.parent.mkdir(parents=True, exist_ok=True)
    return await asyncio.create_subprocess_exec(
        py_spy(), "record", "--pid", str(pid), "--format", "raw", "-r", "100", "-o", str(out),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def stop_profile(spy: asyncio.subprocess.Process) -> None:
    """Stop py-spy as Ctrl-C would, so that it writes what it sampled."""
    if spy.returncode is None:
        spy.send_signal(signal.SIGINT)
    await spy.wait()
