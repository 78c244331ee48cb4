"""requirements.lock (pinned and hashed, for deployments) agrees with pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)(?:\s*;\s*(?P<marker>.+))?$")
_HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


@dataclass(frozen=True)
class Pin:
    """One locked distribution: its exact version, the hashes allowed, and any marker."""

    version: Version
    hashes: tuple[str, ...]
    marker: str | None


def pins(text: str) -> dict[NormalizedName, Pin]:
    """Read a pip-compile lock file: `name==version \\` lines, each followed by its hashes."""
    found: dict[NormalizedName, Pin] = {}
    lines = [line.split("#", 1)[0].strip() for line in text.replace("\\\n", " ").splitlines()]
    for line in filter(None, lines):
        requirement, _, rest = line.partition(" --hash")
        match = _PIN.match(requirement.strip())
        assert match, f"not a pinned requirement: {line[:60]}"
        name = canonicalize_name(match["name"])
        assert name not in found, f"{name} is pinned twice"
        found[name] = Pin(
            Version(match["version"]), tuple(_HASH.findall("--hash" + rest)), match["marker"]
        )
    return found


def declared() -> list[Requirement]:
    """Return pyproject.toml's runtime dependencies."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(line) for line in project["dependencies"]]


def wanted() -> list[Requirement]:
    """Return pyproject's runtime dependencies and what their extras add, on this Python."""
    found = []
    for requirement in declared():
        found.append(requirement)
        for line in metadata.requires(requirement.name) or []:
            needed = Requirement(line)
            if needed.marker is None or needed.marker.evaluate({"extra": ""}):
                continue  # the distribution's own dependency, not one of an extra
            if any(needed.marker.evaluate({"extra": extra}) for extra in requirement.extras):
                found.append(needed)
    return found


@pytest.fixture(scope="module")
def locked() -> dict[NormalizedName, Pin]:
    """The lock file's pins."""
    return pins(LOCK.read_text(encoding="utf-8"))


def disagreements(wanted: list[Requirement], locked: dict[NormalizedName, Pin]) -> list[str]:
    """Say where the lock fails a requirement: the package missing, or pinned out of range."""
    problems = []
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        if name not in locked:
            problems.append(f"{name} is in pyproject.toml but not in requirements.lock")
        elif not requirement.specifier.contains(locked[name].version, prereleases=True):
            problems.append(
                f"requirements.lock pins {name}=={locked[name].version}, outside {requirement}"
            )
    return problems


def test_every_dependency_is_locked_within_its_range(locked: dict[NormalizedName, Pin]) -> None:
    assert disagreements(wanted(), locked) == []


def test_every_pin_has_its_hashes(locked: dict[NormalizedName, Pin]) -> None:
    assert len(locked) > 10
    assert [name for name, pin in locked.items() if not pin.hashes] == []


def test_the_webhook_server_needs_an_aiohttp_past_the_request_smuggling_fixes() -> None:
    (aiohttp,) = [r for r in declared() if r.name == "aiohttp"]
    # 3.14.4 fixes GHSA-pqxq-w44r-73xw (CVE-2026-111750, ambiguous framing in the pure-Python
    # parser); 3.14.2 fixed CVE-2026-69243 (smuggling through a WebSocket upgrade).
    assert not aiohttp.specifier.contains("3.14.3") and aiohttp.specifier.contains("3.14.4")


def test_only_the_extras_the_bot_uses(locked: dict[NormalizedName, Pin]) -> None:
    (telegram,) = [r for r in declared() if r.name == "python-telegram-bot"]
    assert telegram.extras == {"job-queue"}, "rate-limiter and webhooks are unused"
    assert {"tornado", "aiolimiter"}.isdisjoint(locked), "what those extras brought in is gone"


@pytest.mark.parametrize(
    ("dependency", "lock", "problem"),
    [
        ("aiohttp>=3.14.4,<4", "aiohttp==3.14.3 \\\n    --hash=sha256:" + "a" * 64, "outside"),
        ("rapidfuzz>=3.9,<4", "aiohttp==3.14.5 \\\n    --hash=sha256:" + "a" * 64, "not in"),
    ],
)
def test_a_lock_that_disagrees_is_caught(dependency: str, lock: str, problem: str) -> None:
    [found] = disagreements([Requirement(dependency)], pins(lock))
    assert problem in found
