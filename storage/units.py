"""Units of work (storage/unit.py) over a database's writers, for either backend.

A backend says how to begin, end and mark a point in its write transaction; this module makes
of them a unit's one transaction, its parts (savepoints) and its reads of its own writes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from storage.repositories import Repositories
from storage.unit import (
    Unit,
    WriteConflict,
    enter_unit,
    irrevocable,
    leave_unit,
    running_unit,
)


class UnitsOfWork(ABC):
    """What both backends share: units of work on their writers, behind the writer lock."""

    # Whether `concurrent` transactions can run beside each other here (else all run alone).
    concurrent_writers = False

    @abstractmethod
    async def _begin_write(self, concurrent: bool, held: object = None) -> object:
        """Take a writer (or the one `held` still) and begin a write transaction on it;
        return the writer.

        Alone among writers, or, if `concurrent` and the backend can, beside other concurrent
        transactions, each of which may then fail with WriteConflict.
        """

    @abstractmethod
    async def _end_write(self, writer: object, commit: bool, release: bool = True) -> None:
        """Commit (or roll back) the writer's transaction; give the writer back if `release`."""

    @abstractmethod
    async def _release_writer(self, writer: object) -> None:
        """Give back a writer kept between two transactions of one unit (`commit_so_far`)."""

    @abstractmethod
    async def _on_writer(self, writer: object, sql: str) -> None:
        """Run one statement (a savepoint's) on the writer."""

    @abstractmethod
    def _writer_repositories(self, writer: object) -> Repositories:
        """Return repositories on the writer, inside its transaction."""

    @asynccontextmanager
    async def transaction(self, concurrent: bool = False) -> AsyncIterator[Repositories]:
        """Run one write transaction, alone among writers, committed on success, else rolled
        back. Inside a unit of work it is a part of the unit's one transaction instead, undone
        alone if it fails, and committed when the unit is. `concurrent`: see `_begin_write`."""
        unit = running_unit()
        if unit is not None:
            async with self._unit_part(unit) as repos:
                yield repos
            return
        writer = await self._begin_write(concurrent)
        try:
            yield self._writer_repositories(writer)
        except BaseException:
            await self._end_write(writer, commit=False)
            raise
        await self._end_write(writer, commit=True)

    @asynccontextmanager
    async def unit_of_work(self, concurrent: bool = False) -> AsyncIterator[Unit]:
        """Make this task's writes one transaction, committed by `finish` (or at the end).

        `concurrent`: beside other concurrent units, where the backend can (see `_begin_write`);
        if it conflicts with one, `unit.conflicted` is set and every later write of the unit
        fails too: the caller rolls it back and runs its work again, alone.
        """
        unit, token = enter_unit(concurrent and self.concurrent_writers)
        unit.release = lambda: self.commit_so_far(unit)
        try:
            yield unit
        except BaseException:
            await self._close_unit(unit, commit=False)
            raise
        else:
            await self._close_unit(unit, commit=True)
        finally:
            if unit.writer is not None:
                writer, unit.writer = unit.writer, None
                await self._release_writer(writer)
            leave_unit(unit, token)

    async def commit_so_far(self, unit: Unit) -> None:
        """Commit what the unit wrote so far; its later writes begin a new transaction.

        The unit keeps its writer until it ends: what it reads meanwhile reads there.
        """
        irrevocable()  # a concurrent unit could conflict later, and be run again: alone first
        await self._close_unit(unit, commit=True, keep=True)

    async def finish(
        self, unit: Unit, last: Callable[[Repositories], Awaitable[None]], *, always: bool
    ) -> bool:
        """Run `last` in the unit's transaction and commit it; return whether anything was.

        Without writes, the unit commits only if `always` (then `last` is its one write).
        """
        if not unit.open and not always:
            return False
        async with self._unit_part(unit, savepoint=False) as repos:
            await last(repos)
        await self._close_unit(unit, commit=True)
        return True

    @asynccontextmanager
    async def _unit_part(self, unit: Unit, savepoint: bool = True) -> AsyncIterator[Repositories]:
        unit.depth += 1
        try:
            async with self._unit_step(unit, savepoint) as repos:
                yield repos
        finally:
            unit.depth -= 1

    @asynccontextmanager
    async def _unit_step(self, unit: Unit, savepoint: bool) -> AsyncIterator[Repositories]:
        if unit.conflicted:
            # Undone already, or about to be: nothing more may be written beside it.
            raise WriteConflict("the unit of work conflicted with another and is undone")
        if not unit.open:
            unit.writer = await self._begin_write(unit.concurrent, unit.writer)
            unit.open = True
            # The first part needs no savepoint: if it fails, nothing else is undone with it.
            try:
                yield self._writer_repositories(unit.writer)
            except BaseException:
                await self._close_unit(unit, commit=False)
                unit.rolled_back = False  # only this part was undone, as by a savepoint
                raise
            return
        writer = unit.writer
        if not savepoint:
            yield self._writer_repositories(writer)
            return
        unit.savepoints += 1
        name = f"part{unit.savepoints}"
        await self._on_writer(writer, f"SAVEPOINT {name}")
        try:
            yield self._writer_repositories(writer)
        except BaseException:
            await self._on_writer(writer, f"ROLLBACK TO SAVEPOINT {name}")
            await self._on_writer(writer, f"RELEASE SAVEPOINT {name}")
            raise
        await self._on_writer(writer, f"RELEASE SAVEPOINT {name}")

    async def _close_unit(self, unit: Unit, *, commit: bool, keep: bool = False) -> None:
        if not unit.open:
            return
        unit.open = False
        writer = unit.writer
        if not keep:
            unit.writer = None
        try:
            if not commit:
                unit.rolled_back = True
            await self._end_write(writer, commit, release=not keep)
        except BaseException as exc:
            unit.rolled_back = True
            if isinstance(exc, WriteConflict):
                unit.conflicted = True
            raise
