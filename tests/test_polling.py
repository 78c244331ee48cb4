"""A getUpdates batch is stored in one transaction before it is confirmed; webhooks share one."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from telegram import Update

from bot.emulator import Emulator
from bot.runtime.flood_gate import FloodGate, FloodLimits
from bot.runtime.inbox import Inbox, InboxQueue, InboxUnavailable, payload_of
from bot.runtime.polling import InboxBot
from storage.db import Database
from storage.inbox import BATCH_ROWS, InboxRepository
from tests.harness import TOKEN, Hearing
from tests.test_inbox import entries, json_of, text_update

CITIZEN = 6262


class CountingDatabase(Database):
    """A database that counts its write transactions."""

    transactions = 0

    def transaction(self, concurrent: bool = False):  # type: ignore[no-untyped-def]
        """Count, then open the write transaction as usual."""
        CountingDatabase.transactions += 1
        return super().transaction(concurrent)


async def test_the_running_bot_stores_batches_through_getupdates(hearing: Hearing) -> None:
    assert hearing.app is not None and isinstance(hearing.app.bot, InboxBot)


async def test_a_batch_is_stored_in_one_transaction_and_queued_without_writing(
    tmp_path: Path,
) -> None:
    async with CountingDatabase(tmp_path / "h.db") as db:
        queue = InboxQueue(Inbox(db))
        batch = [text_update(n, f"hello {n}", CITIZEN + n) for n in range(1, 31)]
        before = CountingDatabase.transactions
        await queue.inbox.record_batch(batch)
        assert CountingDatabase.transactions == before + 1
        for update in batch:
            await queue.put(update)
        assert CountingDatabase.transactions == before + 1, "put() wrote nothing more"
        assert queue.qsize() == 30
        [entry] = await entries(db.path, 17)
        assert entry.status == "pending" and entry.payload == payload_of(batch[16])


async def test_duplicates_in_the_database_and_in_the_batch_are_dropped(tmp_path: Path) -> None:
    async with Database(tmp_path / "h.db") as db:
        queue = InboxQueue(Inbox(db))
        assert await queue.inbox.record(text_update(2, "seen before"))
        batch = [text_update(1, "a"), text_update(2, "again"), text_update(1, "twice")]
        await queue.inbox.record_batch(batch)
        for update in batch:
            await queue.put(update)
        queued = [queue.get_nowait() for _ in range(queue.qsize())]
        assert [u.update_id for u in queued if isinstance(u, Update)] == [1]
        assert [json_of(e)["message"]["text"] for e in await entries(db.path, 2)] == [
            "seen before"
        ]
        assert [json_of(e)["message"]["text"] for e in await entries(db.path, 1)] == ["a"]


@pytest.mark.parametrize("size", [1, BATCH_ROWS, BATCH_ROWS + 1, 2 * BATCH_ROWS + 7])
async def test_add_batch_returns_each_rows_entry_in_order(tmp_path: Path, size: int) -> None:
    async with Database(tmp_path / "h.db") as db, db.transaction() as repos:
        rows = [(n, n, f'{{"update_id":{n}}}') for n in range(size, 0, -1)]
        entries_ = await InboxRepository(repos.conn).add_batch(rows, "2026-01-01", "2025-12-29")
        found = await repos.conn.execute_fetchall("SELECT id, update_id FROM inbox")
        by_update = {int(update_id): int(entry) for entry, update_id in found}
        assert entries_ == [by_update[n] for n in range(size, 0, -1)]


async def test_a_batch_that_cannot_be_stored_raises_and_queues_nothing(tmp_path: Path) -> None:
    db = Database(tmp_path / "closed.db")  # never opened: every write fails
    queue = InboxQueue(Inbox(db))
    with pytest.raises(InboxUnavailable):
        await queue.inbox.record_batch([text_update(1, "/start")])
    assert queue.empty()


async def test_an_unstorable_batch_is_not_confirmed_and_is_fetched_again(
    emu: Emulator, tmp_path: Path
) -> None:
    update_id = emu.send_message(CITIZEN, "/start")
    closed = Inbox(Database(tmp_path / "closed.db"))  # never opened: every write fails
    async with InboxBot(TOKEN, base_url=emu.base_url, inbox=closed) as failing:
        with pytest.raises(InboxUnavailable):
            await failing.get_updates(timeout=0)
        # The next getUpdates (the confirmation) was never asked for: Telegram still holds it.
    assert emu.pending_updates == [update_id]
    async with Database(tmp_path / "h.db") as db:
        async with InboxBot(TOKEN, base_url=emu.base_url, inbox=Inbox(db)) as working:
            [fetched] = await working.get_updates(timeout=0)
        assert fetched.update_id == update_id
        [entry] = await entries(db.path, update_id)
        assert entry.status == "pending", "stored before anything confirmed it"


async def test_the_gate_sifts_a_batch_before_it_is_built_and_confirms_what_it_dropped(
    emu: Emulator, tmp_path: Path
) -> None:
    flood = [emu.send_message(CITIZEN, f"flood {n}") for n in range(30)]
    other = emu.send_message(CITIZEN + 1, "/start")
    gate = FloodGate(FloodLimits(per_minute=1, burst=5, backlog=100))
    async with Database(tmp_path / "h.db") as db:
        async with InboxBot(TOKEN, base_url=emu.base_url, inbox=Inbox(db), gate=gate) as bot:
            kept = await bot.get_updates(timeout=0)
            assert [u.update_id for u in kept] == [*flood[:5], other]
            assert await bot.get_updates(timeout=0) == ()  # this call confirms the first batch
        assert emu.pending_updates == [], "the dropped updates are confirmed too: never resent"
    stored = [uid for uid in (*flood, other) if await entries(db.path, uid)]
    assert stored == [*flood[:5], other], "what the gate dropped was never stored"


async def test_a_batch_fetched_again_after_a_failed_store_keeps_what_the_gate_admitted(
    emu: Emulator, tmp_path: Path
) -> None:
    sent = [emu.send_message(CITIZEN, f"hello {n}") for n in range(3)]
    gate = FloodGate(FloodLimits(per_minute=1, burst=3, backlog=3))
    closed = Inbox(Database(tmp_path / "closed.db"))  # never opened: every write fails
    async with InboxBot(TOKEN, base_url=emu.base_url, inbox=closed, gate=gate) as failing:
        with pytest.raises(InboxUnavailable):
            await failing.get_updates(timeout=0)
    async with (
        Database(tmp_path / "h.db") as db,
        InboxBot(TOKEN, base_url=emu.base_url, inbox=Inbox(db), gate=gate) as bot,
    ):
        fetched = await bot.get_updates(timeout=0)
    assert [u.update_id for u in fetched] == sent, "admitted once, admitted again: none lost"
    assert gate.waiting(CITIZEN) == 3, "and counted once"


async def test_concurrent_webhook_arrivals_share_one_transaction(tmp_path: Path) -> None:
    async with CountingDatabase(tmp_path / "h.db") as db:
        inbox = Inbox(db)
        before = CountingDatabase.transactions
        admitted = await asyncio.gather(
            *(inbox.admit(text_update(n, "x", CITIZEN + n)) for n in range(1, 41))
        )
        assert all(update is not None for update in admitted)
        # The first arrival starts a write; the rest wait and go in at most one more.
        assert CountingDatabase.transactions - before <= 2
