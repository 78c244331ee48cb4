"""Units of work (storage/unit.py) over a database with one writer, for either backend.

A backend says how to begin, end and mark a point in its write transaction; this module makes
of them a unit's one transaction, its parts (savepoints) and its reads of its own writes.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from storage.repositories import Repositories
from storage.unit import Unit, enter_unit, leave_unit, running_unit


class UnitsOfWork(ABC):
    """What both backends share: units of work on their one writer, behind its lock."""

    _write_lock: asyncio.Lock

    @abstractmethod
    async def _begin_write(self) -> None:
        """Begin a write transaction on the writer (its lock is held)."""

    @abstractmethod
    async def _end_write(self, commit: bool) -> None:
        """Commit (or roll back) the writer's transaction."""

    @abstractmethod
    async def _on_writer(self, sql: str) -> None:
        """Run one statement (a savepoint's) on the writer."""

    @abstractmethod
    def _writer_repositories(self) -> Repositories:
        """Return repositories on the writer, inside its transaction."""

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repositories]:
        """Run one write transaction, alone among writers, committed on success, else rolled
        back. Inside a unit of work it is a part of the unit's one transaction instead, undone
        alone if it fails, and committed when the unit is."""
        unit = running_unit()
        if unit is not None:
            async with self._unit_part(unit) as repos:
                yield repos
            return
        async with self._write_lock:
            await self._begin_write()
            try:
                yield self._writer_repositories()
            except BaseException:
                await self._end_write(commit=False)
                raise
            await self._end_write(commit=True)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[Unit]:
        """Make this task's writes one transaction, committed by `finish` (or at the end)."""
        unit, token = enter_unit()
        unit.release = lambda: self._close_unit(unit, commit=True)
        try:
            yield unit
        except BaseException:
            await self._close_unit(unit, commit=False)
            raise
        else:
            await self._close_unit(unit, commit=True)
        finally:
            leave_unit(unit, token)

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
        if not unit.open:
            await self._write_lock.acquire()
            try:
                await self._begin_write()
            except BaseException:
                self._write_lock.release()
                raise
            unit.open = True
            # The first part needs no savepoint: if it fails, nothing else is undone with it.
            try:
                yield self._writer_repositories()
            except BaseException:
                await self._close_unit(unit, commit=False)
                unit.rolled_back = False  # only this part was undone, as by a savepoint
                raise
            return
        if not savepoint:
            yield self._writer_repositories()
            return
        unit.savepoints += 1
        name = f"part{unit.savepoints}"
        await self._on_writer(f"SAVEPOINT {name}")
        try:
            yield self._writer_repositories()
        except BaseException:
            await self._on_writer(f"ROLLBACK TO SAVEPOINT {name}")
            await self._on_writer(f"RELEASE SAVEPOINT {name}")
            raise
        await self._on_writer(f"RELEASE SAVEPOINT {name}")

    async def _close_unit(self, unit: Unit, *, commit: bool) -> None:
        if not unit.open:
            return
        unit.open = False
        try:
            if not commit:
                unit.rolled_back = True
            await self._end_write(commit)
        except BaseException:
            unit.rolled_back = True
            raise
        finally:
            self._write_lock.release()
