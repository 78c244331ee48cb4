"""Spec warnings: calls Telegram would accept while ignoring part of them, logged and watched."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

LOGGER = logging.getLogger("bot.emulator.spec")
_watchers: list[list[SpecWarning]] = []


@dataclass(frozen=True)
class SpecWarning:
    """One call that breaks the Bot API spec in a way Telegram lets pass."""

    method: str
    problem: str

    def __str__(self) -> str:
        return f"{self.method}: {self.problem}"


def report(warning: SpecWarning) -> None:
    """Log a spec warning and hand it to every active watcher."""
    # Names and paths only, never values: a value may be what a citizen wrote.
    LOGGER.warning("Bot API spec: %s", warning)
    for seen in _watchers:
        seen.append(warning)


@contextmanager
def watching() -> Iterator[list[SpecWarning]]:
    """Collect the spec warnings of every emulator in this process until the block ends."""
    seen: list[SpecWarning] = []
    _watchers.append(seen)
    try:
        yield seen
    finally:
        _watchers.remove(seen)
