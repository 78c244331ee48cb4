"""Reply latency and throughput of one worker on PostgreSQL, through the fleet's claims.

Run from the project root: `.venv/bin/python -m benchmarks.fleet_latency LABEL`. It starts a
throwaway PostgreSQL cluster (as the tests do), the emulator and the bot in this process (the
test harness's Hearing), then measures two loads: one citizen sending 200 messages one after
the other, and twenty citizens sending 20 each at once. It prints the median and 99th
percentile reply time, updates a second, and the process's CPU per update (bot and emulator).

To compare with a checkout before the fleet, run the same file with that checkout first on
the path (`PYTHONPATH=/path/to/checkout .venv/bin/python benchmarks/fleet_latency.py before`),
alternating the two a few times: the machine's load moves the figures between runs
(benchmarks/results/fleet-latency.md).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from bot.emulator import Emulator
from tests.harness import TOKEN, Hearing, make_settings
from tests.postgres_cluster import start_cluster

os.environ.setdefault("PTB_TIMEDELTA", "1")
LOADS = (("1 citizen", [1], 200), ("20 citizens", list(range(100, 120)), 20))


async def measure(url: str, users: list[int], rounds: int) -> tuple[float, float, float, float]:
    """Return the median and 99th percentile reply (s), updates a second, CPU per update (s)."""
    async with Emulator(token=TOKEN, bot_username="bench_bot") as emu:
        settings = make_settings(Path(tempfile.mkdtemp()), database_url=url)
        async with Hearing(emu, settings) as hearing:
            for user in users:
                await hearing.say(user, "/start")
            replies: list[float] = []

            async def citizen(user: int) -> None:
                for _ in range(rounds):
                    seen = len(emu.messages(user))
                    sent = time.perf_counter()
                    emu.send_message(user, "/help")
                    await emu.wait_until(lambda n=seen: len(emu.messages(user)) > n, timeout=30)
                    replies.append(time.perf_counter() - sent)

            wall, cpu = time.perf_counter(), time.process_time()
            await asyncio.gather(*(citizen(user) for user in users))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    replies.sort()
    count = len(replies)
    return replies[count // 2], replies[int(count * 0.99)], count / wall, cpu / count


def main(label: str) -> None:
    """Measure both loads on a fresh database each, and print one line per load."""
    cluster = start_cluster()
    if isinstance(cluster, str):
        raise SystemExit(cluster)
    try:
        for name, users, rounds in LOADS:
            url = asyncio.run(cluster.fresh_database())
            p50, p99, rate, cpu = asyncio.run(measure(url, users, rounds))
            print(f"{label} {name}: p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
                  f"{rate:.0f} updates/s, CPU (bot and emulator) {cpu * 1000:.2f} ms/update",
                  flush=True)  # fmt: skip
    finally:
        cluster.stop()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "this checkout")
