"""The broadcast pacer under concurrent senders: each gets its own evenly spaced slot."""

from __future__ import annotations

import asyncio
from itertools import pairwise

import pytest

from bot.runtime.pacer import Pacer, Pacing


class StillClock:
    """A clock that moves only when told; sleeps are recorded, not waited."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        await asyncio.sleep(0)


@pytest.mark.parametrize("senders", [1, 3, 8])
async def test_concurrent_senders_get_distinct_slots(senders: int) -> None:
    clock = StillClock()
    pacer = Pacer(Pacing(per_second=10, monotonic=clock, sleep=clock.sleep), asyncio.Event())
    results = await asyncio.gather(*(pacer.wait() for _ in range(senders)))
    assert all(results)
    # The first goes now, the others 0.1 s apart: never two in the same slot.
    assert clock.sleeps == [round(0.1 * n, 6) for n in range(1, senders)]


async def test_a_hold_pushes_back_every_slot_not_yet_taken() -> None:
    clock = StillClock()
    pacer = Pacer(Pacing(per_second=10, monotonic=clock, sleep=clock.sleep), asyncio.Event())
    assert await pacer.wait()
    assert await pacer.hold(2.0)
    assert await pacer.wait()
    assert clock.sleeps == [2.0, 2.0], "the next send waits out the hold, from when it began"


async def test_a_stop_ends_waiting_senders() -> None:
    clock = StillClock()
    stopping = asyncio.Event()
    stopping.set()
    pacer = Pacer(Pacing(per_second=10, monotonic=clock, sleep=clock.sleep), stopping)
    assert await asyncio.gather(pacer.wait(), pacer.wait()) == [False, False]


class LateClock(StillClock):
    """Every sleep wakes `late` seconds after it should, as on a busy event loop."""

    def __init__(self, late: float) -> None:
        super().__init__()
        self.late = late
        self.released: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.now += seconds + self.late
        await asyncio.sleep(0)


async def released(clock: LateClock, sends: int, senders: int = 4) -> list[float]:
    """Release `sends` sends from concurrent senders at 10/s; return when each went."""
    pacer = Pacer(Pacing(per_second=10, monotonic=clock, sleep=clock.sleep), asyncio.Event())
    queue = list(range(sends))

    async def sender() -> None:
        while queue:
            queue.pop()
            assert await pacer.wait()
            clock.released.append(round(clock.now, 6))

    await asyncio.gather(*(sender() for _ in range(senders)))
    return clock.released


async def test_small_delays_keep_the_rate() -> None:
    times = await released(LateClock(late=0.02), sends=21)
    # Each wake-up is 20 ms late, yet 21 sends take 2 s plus one delay, not 2.4 s.
    assert times[-1] - times[0] == pytest.approx(2.0 + 0.02)
    assert all(b - a >= 0.1 - 0.02 - 1e-9 for a, b in pairwise(times))


@pytest.mark.parametrize("stall", [0.35, 3.0])
async def test_a_stall_does_not_release_a_burst(stall: float) -> None:
    times = await released(LateClock(late=stall), sends=10)
    # A late wake-up restarts the schedule: never more than 11 sends in any second.
    assert all(b - a >= 0.1 - 1e-9 for a, b in pairwise(times))
    assert max(sum(t <= s < t + 1.0 for s in times) for t in times) <= 11
