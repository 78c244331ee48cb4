"""The broadcast pacer under concurrent senders: each gets its own evenly spaced slot."""

from __future__ import annotations

import asyncio

import pytest

from bot.broadcaster import Pacer, Pacing


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
