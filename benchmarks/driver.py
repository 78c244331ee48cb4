"""Play many citizens at once against a bot through the emulator, timing every update's reply.

A citizen sends one update, waits for the bot's reply to it (the first message or edit in the
chat for a text, the answerCallbackQuery for a button), then sends the next: a closed loop per
citizen, with up to `concurrency` citizens active at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.emulator import Emulator, SentMessage

T = TypeVar("T")
WAIT_SECONDS = 120.0


@dataclass
class Tally:
    """What a run sent and measured."""

    updates: int = 0
    latencies: list[float] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0

    @property
    def seconds(self) -> float:
        """Return the wall time of the run."""
        return self.ended - self.started

    def percentile(self, share: float) -> float:
        """Return a latency percentile in seconds (nearest rank)."""
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Citizens:
    """Send citizens' updates through the emulator and wait for the bot's replies to them."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.tally = Tally()
        self._wakers: dict[int, asyncio.Event] = {}
        self._texts: dict[int, float] = {}
        self._queries: dict[str, tuple[float, asyncio.Future[dict[str, Any]]]] = {}
        self._forget = emu.observe(self._on_call)

    def close(self) -> None:
        """Stop observing the emulator."""
        self._forget()

    def _on_call(self, method: str, params: dict[str, Any], result: Any) -> None:
        now = time.perf_counter()
        if method == "answerCallbackQuery":
            entry = self._queries.pop(str(params.get("callback_query_id")), None)
            if entry is not None:
                self.tally.latencies.append(now - entry[0])
                if not entry[1].done():
                    entry[1].set_result(params)
            return
        try:
            chat = int(params["chat_id"])
        except (KeyError, TypeError, ValueError):
            return
        sent = self._texts.pop(chat, None)
        if sent is not None:
            self.tally.latencies.append(now - sent)
        waker = self._wakers.get(chat)
        if waker is not None:
            waker.set()

    def text(self, user: int, text: str) -> int:
        """Send a text message; its reply is the next message or edit in the chat."""
        self.tally.updates += 1
        self._texts[user] = time.perf_counter()
        self.emu.send_message(user, text)
        return self.emu.cursor(user)

    async def press(self, user: int, message_id: int, data: str) -> dict[str, Any]:
        """Press a button by its data and return the bot's answerCallbackQuery parameters."""
        self.tally.updates += 1
        started = time.perf_counter()
        update_id = self.emu.press_button(user, message_id, data, check=False)
        query = self.emu.query_id_for(update_id)
        answered: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._queries[str(query)] = (started, answered)
        async with asyncio.timeout(WAIT_SECONDS):
            return await answered

    async def until(self, user: int, condition: Callable[[], T | None]) -> T:
        """Wait until condition() is truthy, re-checking whenever the bot writes to the chat."""
        async with asyncio.timeout(WAIT_SECONDS):
            while not (found := condition()):
                waker = self._wakers[user] = asyncio.Event()
                try:
                    await waker.wait()
                finally:
                    self._wakers.pop(user, None)
            return found

    async def follow_link(self, user: int, payload: str) -> int:
        """Send `/start payload`, past the short welcome a newcomer sees; return the mark."""
        mark = self.text(user, f"/start {payload}")
        first = await self.reply(user, mark)
        go = [d for row in first.buttons() for _, d in row if d.startswith(("v1:li:", "v1:ls:"))]
        if go:
            await self.press(user, first.message_id, go[0])
        return mark

    async def reply(self, user: int, after: int) -> SentMessage:
        """Wait for any bot message in the chat at index >= after."""
        messages = await self.until(user, lambda: self.emu.messages_since(user, after))
        return messages[0]


def with_button(
    emu: Emulator, user: int, after: int, match: Callable[[str, str], bool]
) -> Callable[[], SentMessage | None]:
    """Build a condition: a message since `after` with a button whose (label, data) matches."""

    def find() -> SentMessage | None:
        for message in emu.messages_since(user, after):
            if any(match(label, data) for row in message.buttons() for label, data in row):
                return message
        return None

    return find


async def run_people(
    people: Sequence[Sequence[T]],
    play: Callable[[T], Awaitable[None]],
    ready: Callable[[T], Awaitable[object] | None],
    concurrency: int,
) -> None:
    """Play each person's events in order, `concurrency` people at a time.

    People start in the order given. `ready(event)` returns an awaitable when the event must
    wait for another person's (a vote for its comment to be posted); a person gives up its slot
    while it waits, so waiting people can never take every slot from the ones they wait for.
    """
    slots = asyncio.Semaphore(concurrency)

    async def person(events: Sequence[T]) -> None:
        try:
            for event in events:
                waiting = ready(event)
                if waiting is not None:
                    slots.release()
                    try:
                        await waiting
                    finally:
                        await slots.acquire()
                await play(event)
        finally:
            slots.release()

    tasks: list[asyncio.Task[None]] = []
    try:
        for events in people:
            await slots.acquire()
            tasks.append(asyncio.create_task(person(events)))
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
