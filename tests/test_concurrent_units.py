"""Units of work that run beside each other on PostgreSQL (docs/postgres.md, Transactions):
SERIALIZABLE under the writer lock shared, so that two chats' updates write at once; one of
two that conflict is undone whole, and a transaction that asks to run alone still does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from storage.postgres import PostgresDatabase
from storage.repositories import Repositories
from storage.unit import Unit, WriteConflict, in_thread, retried, when_committed

# Long enough for a transaction that is not blocked to get there on a busy machine; a blocked
# one never does.
SETTLE_SECONDS = 5.0


@pytest.fixture
async def db(postgres_url: str) -> AsyncIterator[PostgresDatabase]:
    """A migrated PostgreSQL database with its writers' pool."""
    async with PostgresDatabase(postgres_url) as database:
        yield database


async def count_participants(repos: Repositories) -> int:
    """Read how many participants there are (a read another unit's insert changes)."""
    [(count,)] = await repos.conn.execute_fetchall("SELECT COUNT(*) FROM participants")
    return int(count)


async def both_at_once(
    db: PostgresDatabase, work: Callable[[Repositories, str], Awaitable[None]]
) -> list[tuple[Unit, BaseException | None, list[str]]]:
    """Run `work` in two concurrent units, each waiting inside its transaction until the
    other has also done its work; return each unit, what it raised, and what ran after it."""
    ready = [asyncio.Event(), asyncio.Event()]

    async def one(index: int) -> tuple[Unit, BaseException | None, list[str]]:
        name, done = f"p{index}", []
        try:
            async with db.unit_of_work(concurrent=True) as unit:
                async with db.transaction() as repos:
                    await work(repos, name)
                    when_committed(lambda: done.append(name))
                ready[index].set()
                await asyncio.wait_for(ready[1 - index].wait(), SETTLE_SECONDS)
        except WriteConflict as exc:
            return unit, exc, done
        return unit, None, done

    return list(await asyncio.gather(one(0), one(1)))


async def test_units_writing_different_rows_run_at_once(db: PostgresDatabase) -> None:
    async def add(repos: Repositories, name: str) -> None:
        await repos.participants.ensure(name)

    outcomes = await both_at_once(db, add)
    # Each waited inside its transaction for the other's write: alone, they would never meet.
    assert [error for _, error, _ in outcomes] == [None, None]
    assert [done for _, _, done in outcomes] == [["p0"], ["p1"]]
    async with db.reading() as repos:
        assert await count_participants(repos) == 2


async def test_of_two_units_that_read_what_the_other_writes_one_is_undone(
    db: PostgresDatabase,
) -> None:
    async def add_if_first(repos: Repositories, name: str) -> None:
        if await count_participants(repos) == 0:  # a read-then-write that must not interleave
            await repos.participants.ensure(name)

    outcomes = await both_at_once(db, add_if_first)
    undone = [(unit, done) for unit, error, done in outcomes if error is not None]
    assert len(undone) == 1, "PostgreSQL fails one of the two"
    [(unit, done)] = undone
    assert unit.conflicted and unit.rolled_back
    assert done == [], "what waited for its commit does not run"
    async with db.reading() as repos:
        assert await count_participants(repos) == 1, "as if one had run after the other"


async def test_a_conflicted_unit_writes_nothing_more(db: PostgresDatabase) -> None:
    # Its handler may go on after the conflict (python-telegram-bot's error handler, say):
    # nothing it writes may commit beside the work that is undone.
    with pytest.raises(WriteConflict):
        async with db.unit_of_work(concurrent=True) as unit:
            unit.conflicted = True
            async with db.transaction() as repos:
                await repos.participants.ensure("late")
    async with db.reading() as repos:
        assert await repos.participants.get("late") is None


async def test_a_transaction_alone_waits_for_the_concurrent_ones(db: PostgresDatabase) -> None:
    written, alone_done = asyncio.Event(), asyncio.Event()
    finish_unit = asyncio.Event()

    async def concurrent_unit() -> None:
        async with db.unit_of_work(concurrent=True):
            async with db.transaction() as repos:
                await repos.participants.ensure("beside")
            written.set()
            await finish_unit.wait()

    async def alone() -> None:
        async with db.transaction() as repos:
            await repos.participants.ensure("alone")
        alone_done.set()

    unit_task = asyncio.create_task(concurrent_unit())
    await asyncio.wait_for(written.wait(), SETTLE_SECONDS)
    alone_task = asyncio.create_task(alone())
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(asyncio.shield(alone_done.wait()), 0.5)
    finish_unit.set()
    await asyncio.wait_for(asyncio.gather(unit_task, alone_task), SETTLE_SECONDS)
    async with db.reading() as repos:
        assert await repos.participants.get("beside") is not None
        assert await repos.participants.get("alone") is not None


@pytest.mark.parametrize("concurrent", [True, False])
async def test_a_concurrent_unit_stops_before_committing_part_of_its_work(
    db: PostgresDatabase, concurrent: bool
) -> None:
    """A part committed early (slow work in a thread) could not be undone with the rest."""
    if concurrent:
        with pytest.raises(WriteConflict):
            async with db.unit_of_work(concurrent=True) as unit:
                async with db.transaction() as repos:
                    await repos.participants.ensure("early")
                await in_thread(sum, [1, 2])
        assert unit.conflicted
    else:
        async with db.unit_of_work() as unit:
            async with db.transaction() as repos:
                await repos.participants.ensure("early")
            assert await in_thread(sum, [1, 2]) == 3
            assert not unit.open, "committed before the slow work"
    async with db.reading() as repos:
        committed = await repos.participants.get("early") is not None
    assert committed is not concurrent


async def test_a_standalone_concurrent_transaction_that_conflicts_raises(
    db: PostgresDatabase,
) -> None:
    ready = [asyncio.Event(), asyncio.Event()]

    async def one(index: int) -> str:
        try:
            async with db.transaction(concurrent=True) as repos:
                if await count_participants(repos) == 0:
                    await repos.participants.ensure(f"p{index}")
                ready[index].set()
                await asyncio.wait_for(ready[1 - index].wait(), SETTLE_SECONDS)
        except WriteConflict:
            return "undone"
        return "committed"

    assert sorted(await asyncio.gather(one(0), one(1))) == ["committed", "undone"]


@pytest.mark.parametrize(
    ("conflicts", "calls", "outcome"),
    [
        (0, [False], "done"),
        (1, [False, False], "done"),
        (2, [False, False, True], "done"),  # the last try runs alone
        (3, [False, False, True], "conflict"),  # alone cannot conflict; if it did, it is said
    ],
)
async def test_a_small_transaction_is_tried_again_then_alone(
    conflicts: int, calls: list[bool], outcome: str
) -> None:
    seen: list[bool] = []

    async def work(alone: bool) -> str:
        seen.append(alone)
        if len(seen) <= conflicts:
            raise WriteConflict("met another")
        return "done"

    try:
        result = await retried(work)
    except WriteConflict:
        result = "conflict"
    assert (result, seen) == (outcome, calls)


async def test_no_tries_is_refused() -> None:
    async def work(alone: bool) -> None:
        raise AssertionError("never run")

    with pytest.raises(ValueError, match="at least 1"):
        await retried(work, tries=0)
