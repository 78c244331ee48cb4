"""Dispatch order: one chat strictly in order, different chats concurrently, bounded."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.runtime.chat_order import ChatOrderedProcessor, chat_key


def update(update_id: int, chat_id: int) -> Update:
    """A private-chat text update from the user whose id is the chat id."""
    user = User(chat_id, "Test", is_bot=False)
    chat = Chat(chat_id, Chat.PRIVATE)
    message = Message(update_id, datetime.now(UTC), chat, from_user=user, text="hi")
    return Update(update_id, message=message)


async def test_one_chat_is_processed_in_order_even_when_early_work_is_slow() -> None:
    processor = ChatOrderedProcessor(8)
    order: list[int] = []
    release_first = asyncio.Event()

    async def work(n: int) -> None:
        if n == 1:
            await release_first.wait()
        order.append(n)

    tasks = [
        asyncio.create_task(processor.process_update(update(n, 7), work(n))) for n in range(1, 6)
    ]
    await asyncio.sleep(0)  # let every task queue behind the first
    assert order == []
    release_first.set()
    await asyncio.gather(*tasks)
    assert order == [1, 2, 3, 4, 5]


async def test_a_slow_chat_does_not_hold_up_others() -> None:
    processor = ChatOrderedProcessor(8)
    blocked = asyncio.Event()
    done: list[int] = []

    async def slow() -> None:
        await blocked.wait()
        done.append(1)

    async def fast(chat: int) -> None:
        done.append(chat)

    slow_task = asyncio.create_task(processor.process_update(update(1, 1), slow()))
    others = [
        asyncio.create_task(processor.process_update(update(n, n), fast(n))) for n in range(2, 6)
    ]
    await asyncio.gather(*others)
    assert done == [2, 3, 4, 5]
    blocked.set()
    await slow_task
    await processor.wait_idle()


async def test_concurrency_is_bounded_by_the_setting() -> None:
    limit = 3
    processor = ChatOrderedProcessor(limit)
    running = 0
    peak = 0
    gate = asyncio.Event()

    async def work() -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await gate.wait()
        running -= 1

    tasks = [
        asyncio.create_task(processor.process_update(update(n, n), work())) for n in range(1, 11)
    ]
    for _ in range(5):
        await asyncio.sleep(0)
    assert peak == limit
    gate.set()
    await asyncio.gather(*tasks)
    assert peak == limit


def test_chat_key_falls_back_to_user_and_ignores_non_updates() -> None:
    assert chat_key(update(1, 99)) == 99
    assert chat_key(object()) is None
    assert chat_key(Update(5)) is None
