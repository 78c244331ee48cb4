"""Where the hearing bot's time goes, from a py-spy profile in its raw (collapsed stacks) format.

`python -m benchmarks.profile_shares FILE...` prints the share of the bot's busy samples in each
part of the update path. Samples whose innermost frame waits (the event loop's select, a
thread waiting for work) are idle and left out. Each busy sample goes to the first part, in
the order of PARTS, whose marker appears in its stack.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

# Innermost frames that wait (the lines of Python 3.11 and aiosqlite 0.22).
IDLE = frozenset({
    "EpollSelector.select (selectors.py:468)",  # the event loop waiting for sockets and timers
    "_connection_worker_thread (aiosqlite/core.py:59)",  # aiosqlite's thread waiting for work
    "_worker (concurrent/futures/thread.py:81)",  # a thread pool's thread waiting for work
})  # fmt: skip
PARTS = (
    ("SQLite running statements, in aiosqlite's thread", "_connection_worker_thread"),
    ("other threads", "Thread._bootstrap"),
    ("storing each getUpdates batch in the inbox (to_dict, JSON, the write)", "record_batch"),
    ("getUpdates: the call, and building python-telegram-bot's Update objects", "polling_action"),
    ("marking updates handled in the inbox", "bot/runtime/inbox.py"),
    ("Bot API calls from handlers: request, the returned Message parsed", "telegram/_bot.py"),
    ("aiohttp: writing requests and reading replies", "aiohttp/"),
    ("handlers' SQL: handing statements to aiosqlite's thread and back", "aiosqlite/"),
    ("the guard (participant upserted, language, bans)", "handlers/guard.py"),
    ("handler, domain and view code (codec, cards, texts, pseudonyms)", "process_update"),
    ("the event loop: dispatch, callbacks, aiohttp reading replies", ""),
)


def shares(lines: list[str]) -> tuple[int, Counter[str]]:
    """Return the busy samples and how many of them each part holds."""
    parts: Counter[str] = Counter()
    busy = 0
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or stack.rpartition(";")[2] in IDLE:
            continue
        busy += int(count)
        parts[next(name for name, marker in PARTS if marker in stack)] += int(count)
    return busy, parts


def table(path: Path) -> str:
    """Render one profile's shares as a Markdown table."""
    busy, parts = shares(path.read_text(encoding="utf-8").splitlines())
    rows = [f"| {name} | {parts[name] / busy:.1%} |" for name, _ in PARTS if parts[name]]
    return "\n".join(
        [f"{path.name}: {busy:,} busy samples", "", "| part | share |", "|---|---:|", *rows]
    )


if __name__ == "__main__":
    print("\n\n".join(table(Path(name)) for name in sys.argv[1:]))
