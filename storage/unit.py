"""One update's unit of work: every write its handler makes, committed in one transaction.

While a unit is running (bot/runtime/inbox.py starts one around each stored update), the
writes of `Database.transaction()` become savepoints of one transaction that the unit opens at
the first write and commits at its end, together with the update's "handled" mark and the
reply its handler computed. Only the task that started the unit joins it: a background task
started meanwhile writes on its own, after the unit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
# A small transaction that conflicts is tried this many times in all, the last time alone.
CONFLICT_TRIES = 3


class WriteConflict(Exception):
    """A write transaction met another's concurrent writes (PostgreSQL): undone, to run again."""


@dataclass
class Unit:
    """The state of one unit of work: its owner task, and whether its transaction is open."""

    owner: asyncio.Task[object] | None
    open: bool = False
    rolled_back: bool = False
    savepoints: int = 0
    # Parts (`Database.transaction()` blocks) under way: the unit cannot commit inside one.
    depth: int = 0
    # Set by the database: commits what the unit wrote so far and releases the writer.
    release: Callable[[], Awaitable[None]] | None = field(default=None, repr=False)
    # What waits for the unit's writes to be visible to other tasks (see `when_committed`).
    after: list[Callable[[], None]] = field(default_factory=list, repr=False)
    # Run beside other concurrent units (on PostgreSQL: SERIALIZABLE, under the writer lock
    # shared) rather than alone; where it conflicted with one, it is undone and run again alone.
    concurrent: bool = False
    conflicted: bool = False
    why: str = ""
    # The backend's connection holding the unit's transaction, while it is open.
    writer: Any = field(default=None, repr=False)


_current: ContextVar[Unit | None] = ContextVar("unit_of_work", default=None)


def running_unit() -> Unit | None:
    """Return the unit of work the current task runs in, if any."""
    unit = _current.get()
    if unit is None or unit.owner is not asyncio.current_task():
        return None
    return unit


def enter_unit(concurrent: bool = False) -> tuple[Unit, object]:
    """Start a unit of work for the current task; return it and the token to leave it."""
    unit = Unit(owner=asyncio.current_task(), concurrent=concurrent)
    return unit, _current.set(unit)


def irrevocable() -> None:
    """Before what cannot be undone (a partial commit, a message to another chat): a
    concurrent unit stops there, undone, to run again alone (where it cannot conflict)."""
    unit = running_unit()
    if unit is not None and unit.concurrent:
        raise conflicted("it must not be undone once under way, so it runs alone")


def conflicted(why: str = "it met a concurrent transaction's writes") -> WriteConflict:
    """Mark the running unit, if any, as conflicted; return the error to raise."""
    unit = running_unit()
    if unit is not None:
        unit.conflicted, unit.why = True, why
    return WriteConflict(why)


def leave_unit(unit: Unit, token: object) -> None:
    """Forget the unit of work started with this token, then run what waited for its commit."""
    _current.reset(token)  # type: ignore[arg-type]
    if not unit.rolled_back and not unit.conflicted:
        for action in unit.after:
            action()


def when_committed(action: Callable[[], None]) -> None:
    """Run `action` once the running unit's writes are committed (at once outside a unit).

    A background task kicked by a handler reads what the handler wrote: started earlier, it
    would find nothing yet and stop. A cache of what was written must not outlive a rollback.
    """
    unit = running_unit()
    if unit is None:
        action()
    else:
        unit.after.append(action)


async def retried(work: Callable[[bool], Awaitable[T]], tries: int = CONFLICT_TRIES) -> T:
    """Run `work(alone)` concurrently, again if it conflicts, and alone at the last try."""
    for tries_left in reversed(range(tries)):
        try:
            return await work(tries_left == 0)
        except WriteConflict:
            if tries_left == 0:
                raise
    raise ValueError("tries: at least 1")


async def in_thread(work: Callable[..., T], *args: object) -> T:
    """Run slow blocking work in a thread, first committing the running unit's writes.

    A unit holds the database's writer until it ends; a handler that renders a chart or a
    site for seconds must not keep every other chat from writing meanwhile.
    """
    unit = running_unit()
    if unit is not None and unit.open and unit.depth == 0 and unit.release is not None:
        await unit.release()
    return await asyncio.to_thread(work, *args)
