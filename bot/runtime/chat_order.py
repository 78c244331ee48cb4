"""Update dispatch: concurrent across chats, strictly in order within one chat."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

# Updates allowed to wait for their chat or a slot before python-telegram-bot holds new ones.
# No one chat can fill them: the flood gate (bot/runtime/flood_gate.py) admits at most
# CHAT_BACKLOG updates of a chat that are not handled yet.
WAITING_LIMIT = 4096


def chat_key(update: object) -> int | None:
    """Return the chat (or, failing that, the user) an update belongs to; None if neither."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Run updates of different chats concurrently (bounded) and those of one chat in order."""

    def __init__(
        self,
        max_concurrent_updates: int,
        on_done: Callable[[object], Awaitable[None]] | None = None,
        on_start: Callable[[object], Awaitable[None]] | None = None,
        handle: Callable[[object, Awaitable[Any]], Awaitable[None]] | None = None,
    ) -> None:
        # python-telegram-bot's own semaphore is taken before we see the update, so it only
        # bounds waiting tasks here; the real bound is `_slots`, taken after the chat's lock,
        # so that one busy chat queues on its own lock instead of filling every slot.
        super().__init__(max(WAITING_LIMIT, max_concurrent_updates))
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._on_done = on_done
        self._on_start = on_start
        self._handle = handle
        self._chat_locks: dict[int, tuple[asyncio.Lock, int]] = {}
        self._idle = asyncio.Event()
        self._idle.set()
        self._in_flight = 0

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for this chat's earlier updates, then for a free slot, then process."""
        # asyncio.Lock wakes waiters first in, first out, and the application starts these
        # tasks in the order it received the updates, so a chat's updates keep their order.
        self._enter()
        try:
            key = chat_key(update)
            if key is None:
                await self._process(update, coroutine)
                return
            lock = self._acquire_ref(key)
            try:
                # The chat stays locked until its update is reported done: a crash must never
                # leave an update pending (to be replayed) after a later one of its chat ran.
                async with lock:
                    await self._process(update, coroutine)
            finally:
                self._release_ref(key)
        finally:
            self._leave()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def wait_idle(self) -> None:
        """Wait until no update is being processed or waiting for its turn."""
        await self._idle.wait()

    async def _process(self, update: object, coroutine: Awaitable[Any]) -> None:
        # An exception here escaped python-telegram-bot's own error handling; running the
        # update again would only fail again, so it counts as done too. A cancelled update
        # (shutdown) does not: it is still pending.
        async with self._slots:
            try:
                if self._on_start is not None:
                    await self._on_start(update)
                if self._handle is not None:
                    await self._handle(update, coroutine)
                else:
                    await coroutine
            except Exception:
                await self._report_done(update)
                raise
        await self._report_done(update)

    async def _report_done(self, update: object) -> None:
        if self._on_done is None:
            return
        try:
            await self._on_done(update)
        except Exception as exc:  # handled, but not recorded: replayed at the next start-up
            log.error("could not report an update as done: %s", type(exc).__name__)

    def _acquire_ref(self, key: int) -> asyncio.Lock:
        lock, refs = self._chat_locks.get(key, (asyncio.Lock(), 0))
        self._chat_locks[key] = (lock, refs + 1)
        return lock

    def _release_ref(self, key: int) -> None:
        lock, refs = self._chat_locks[key]
        if refs <= 1:
            del self._chat_locks[key]
        else:
            self._chat_locks[key] = (lock, refs - 1)

    def _enter(self) -> None:
        self._in_flight += 1
        self._idle.clear()

    def _leave(self) -> None:
        self._in_flight -= 1
        if self._in_flight == 0:
            self._idle.set()
