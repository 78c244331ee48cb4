"""The durable inbox: stored before confirmed, duplicates dropped, leftovers replayed once."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.emulator import Emulator
from bot.runtime.chat_order import ChatOrderedProcessor
from bot.runtime.inbox import (
    DUPLICATE_WINDOW,
    MAX_REPLAYS,
    Inbox,
    InboxQueue,
    InboxUnavailable,
    payload_of,
)
from bot.runtime.redact import without_names
from storage.backend import Store
from storage.inbox import InboxEntry, InboxRepository, InboxStatus
from tests.harness import TOKEN, Hearing, database_at, make_settings

CITIZEN = 5151
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
MS = timedelta(milliseconds=1)


def update_data(update_id: int, text: str, user: int = CITIZEN, message_id: int = 1) -> Any:
    """The JSON Telegram sends for a private text message (a /command gets its entity)."""
    message: dict[str, Any] = {
        "message_id": message_id,
        "from": {"id": user, "is_bot": False, "first_name": "Test", "language_code": "en"},
        "chat": {"id": user, "type": "private", "first_name": "Test"},
        "date": 1_740_830_400,
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": update_id, "message": message}


def text_update(update_id: int, text: str, user: int = CITIZEN) -> Update:
    """A private text message update, not bound to a bot."""
    return Update.de_json(update_data(update_id, text, user), None)


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


async def entries(path: Path, update_id: int) -> list[InboxEntry]:
    """Read the inbox entries of an update_id from a database file."""
    async with database_at(path) as db, db.reading() as repos:
        return await InboxRepository(repos.conn).find(update_id)


def json_of(entry: InboxEntry) -> Any:
    """Decode an entry's payload."""
    assert entry.payload is not None
    return json.loads(entry.payload)


def iso(moment: datetime) -> str:
    """Format a time as the inbox stores it."""
    return moment.isoformat(timespec="milliseconds")


# --- the inbox on its own ------------------------------------------------------------------


async def test_a_recorded_update_is_pending_with_its_payload_until_completed(
    db: Store,
) -> None:
    inbox = Inbox(db)
    update = text_update(11, "my suggestion")
    assert await inbox.record(update)
    [entry] = await entries(db.path, 11)
    assert entry.status == InboxStatus.PENDING
    assert entry.payload == payload_of(update)
    assert entry.chat_key == CITIZEN
    replayed = Update.de_json(json_of(entry), None).to_dict()
    assert replayed == without_names(update.to_dict()), "the same update, without the names"

    await inbox.complete(update)
    await inbox.flush()  # "handled" rides along with a later write
    [entry] = await entries(db.path, 11)
    assert entry.status == InboxStatus.DONE and entry.finished_at is not None
    assert entry.payload is None and entry.chat_key is None, "a handled update keeps no text"


async def test_a_duplicate_is_dropped_within_the_window_and_accepted_after_it(
    db: Store,
) -> None:
    clock = Clock()
    inbox = Inbox(db, clock)
    update = text_update(7, "hello")
    assert await inbox.record(update)
    assert not await inbox.record(text_update(7, "hello")), "pending: a duplicate"
    await inbox.complete(update)
    await inbox.flush()
    clock.now = T0 + DUPLICATE_WINDOW
    assert not await inbox.record(text_update(7, "hello")), "done, in the window: a duplicate"
    clock.now = T0 + DUPLICATE_WINDOW + MS
    assert await inbox.record(text_update(7, "hello")), "after the window ids may restart"
    assert [e.status for e in await entries(db.path, 7)] == ["done", "pending"]


async def test_an_update_id_telegram_confirmed_is_never_a_duplicate(db: Store) -> None:
    inbox = Inbox(db)
    assert await inbox.record(text_update(3, "/start"))
    async with db.transaction() as repos:
        await InboxRepository(repos.conn).confirm_through(3, iso(T0))
    # Telegram never sends a confirmed update again: this is a new one reusing the id.
    assert await inbox.record(text_update(3, "/start"))
    assert [e.confirmed_at is None for e in await entries(db.path, 3)] == [False, True]


async def test_start_up_prunes_finished_entries_older_than_the_window_only(
    db: Store,
) -> None:
    clock = Clock()
    inbox = Inbox(db, clock)
    old_done, old_pending = text_update(1, "one"), text_update(2, "two")
    for update in (old_done, old_pending):
        assert await inbox.record(update)
    await inbox.complete(old_done)
    await inbox.flush()
    clock.now = T0 + timedelta(days=1)
    recent_done = text_update(3, "three")
    assert await inbox.record(recent_done)
    await inbox.complete(recent_done)
    await inbox.flush()

    clock.now = T0 + DUPLICATE_WINDOW + MS
    replayed = await Inbox(db, clock).recover(None)
    assert [u.update_id for u in replayed] == [2], "an old pending update is still replayed"
    assert await entries(db.path, 1) == []
    assert [e.status for e in await entries(db.path, 3)] == ["done"]


async def test_pruning_also_happens_while_running(db: Store) -> None:
    clock = Clock()
    inbox = Inbox(db, clock, prune_every=2)
    first, second = text_update(1, "one"), text_update(2, "two")
    assert await inbox.record(first)
    await inbox.complete(first)
    await inbox.flush()
    clock.now = T0 + DUPLICATE_WINDOW + MS
    assert await inbox.record(second)
    await inbox.complete(second)
    await inbox.flush()
    assert await entries(db.path, 1) == []
    assert len(await entries(db.path, 2)) == 1


async def test_an_update_still_pending_after_every_replay_is_abandoned(db: Store) -> None:
    update = text_update(9, "/start")
    assert await Inbox(db).record(update)
    for _ in range(MAX_REPLAYS):
        inbox = Inbox(db)
        replayed = await inbox.recover(None)
        assert [u.update_id for u in replayed] == [9]
        await inbox.starting(replayed[0])  # begun, and then the bot crashed again
    assert await Inbox(db).recover(None) == []
    [entry] = await entries(db.path, 9)
    assert (entry.status, entry.attempts) == (InboxStatus.ABANDONED, MAX_REPLAYS)
    assert entry.payload is not None, "kept for whoever investigates the crash"
    assert not await Inbox(db).record(update), "and a redelivery is still a duplicate"


async def test_a_replay_stopped_before_it_began_the_update_does_not_count(db: Store) -> None:
    assert await Inbox(db).record(text_update(10, "/help"))
    for _ in range(MAX_REPLAYS + 2):  # a backlog the bot was stopped before reaching
        assert [u.update_id for u in await Inbox(db).recover(None)] == [10]
    [entry] = await entries(db.path, 10)
    assert (entry.status, entry.attempts) == (InboxStatus.PENDING, 0)


async def test_an_unreadable_pending_payload_is_abandoned_not_replayed(db: Store) -> None:
    now = datetime.now(UTC)
    async with db.transaction() as repos:
        await InboxRepository(repos.conn).add(
            4, None, "{not json", received_at=iso(now), since=iso(now)
        )
    assert await Inbox(db).recover(None) == []
    assert [e.status for e in await entries(db.path, 4)] == ["abandoned"]


async def test_concurrent_completions_are_all_recorded(db: Store) -> None:
    inbox = Inbox(db)
    updates = [text_update(n, f"text {n}", user=1000 + n) for n in range(1, 21)]
    for update in updates:
        assert await inbox.record(update)
    await asyncio.gather(*(inbox.complete(update) for update in updates))
    await inbox.flush()
    for n in range(1, 21):
        assert [e.status for e in await entries(db.path, n)] == ["done"]


async def test_an_update_that_cannot_be_stored_is_not_queued(tmp_path: Path) -> None:
    db = database_at(tmp_path / "closed.db")  # never opened: every write fails
    queue = InboxQueue(Inbox(db))
    with pytest.raises(InboxUnavailable):
        await queue.put(text_update(1, "/start"))
    assert queue.empty()


# --- the processor reports completion ------------------------------------------------------


async def test_the_processor_reports_an_update_done_before_its_chat_continues() -> None:
    reported: list[int] = []
    reported_when_started: dict[int, list[int]] = {}

    async def on_done(update: object) -> None:
        assert isinstance(update, Update)
        reported.append(update.update_id)

    async def work(n: int) -> None:
        reported_when_started[n] = list(reported)

    processor = ChatOrderedProcessor(8, on_done)
    await asyncio.gather(
        *(processor.process_update(text_update(n, "hi"), work(n)) for n in range(1, 4))
    )
    await processor.wait_idle()
    assert reported == [1, 2, 3]
    assert reported_when_started == {1: [], 2: [1], 3: [1, 2]}


async def test_a_failed_update_is_reported_done_and_a_cancelled_one_is_not() -> None:
    reported: list[int] = []

    async def on_done(update: object) -> None:
        assert isinstance(update, Update)
        reported.append(update.update_id)

    async def fail() -> None:
        raise ValueError("escaped the error handler")

    processor = ChatOrderedProcessor(8, on_done)
    with pytest.raises(ValueError):
        await processor.process_update(text_update(1, "hi"), fail())
    started, never = asyncio.Event(), asyncio.Event()

    async def block() -> None:
        started.set()
        await never.wait()

    task = asyncio.create_task(processor.process_update(text_update(2, "hi", 77), block()))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert reported == [1]
    await processor.wait_idle()


async def test_a_failing_report_is_logged_without_failing_the_update(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def on_done(update: object) -> None:
        raise RuntimeError("database is locked")

    async def work() -> None:
        return None

    processor = ChatOrderedProcessor(8, on_done)
    with caplog.at_level(logging.ERROR):
        await processor.process_update(text_update(1, "secret words"), work())
    assert "could not report an update as done: RuntimeError" in caplog.text
    assert "secret words" not in caplog.text and str(CITIZEN) not in caplog.text


# --- the real bot against the emulator -----------------------------------------------------


async def test_every_update_confirmed_to_telegram_is_already_stored(hearing: Hearing) -> None:
    ids = [hearing.emu.send_message(CITIZEN + n, "/start") for n in range(5)]
    await hearing.emu.wait_delivered()
    # Confirmed (the emulator forgot them), perhaps not handled yet: stored all the same.
    for update_id in ids:
        assert len(await entries(hearing.settings.database_path, update_id)) == 1
    await hearing.settle()
    for update_id in ids:
        [entry] = await entries(hearing.settings.database_path, update_id)
        assert entry.status == InboxStatus.DONE
        assert entry.payload is None and entry.chat_key is None


async def test_the_same_update_delivered_twice_is_handled_once(hearing: Hearing) -> None:
    await hearing.say(CITIZEN, "/start")  # the emulator now knows the chat
    assert hearing.app is not None
    app, before = hearing.app, len(hearing.emu.messages(CITIZEN))
    data = update_data(10_000, "/help", message_id=50)
    await app.update_queue.put(Update.de_json(data, app.bot))
    await app.update_queue.put(Update.de_json(data, app.bot))  # the first is pending or done
    await hearing.settle()
    await app.update_queue.put(Update.de_json(data, app.bot))  # the first is done
    await hearing.settle()
    assert len(hearing.emu.messages(CITIZEN)) == before + 1
    entries_ = await entries(hearing.settings.database_path, 10_000)
    assert [e.status for e in entries_] == ["done"]


async def test_an_update_id_seen_before_the_window_is_handled_again(hearing: Hearing) -> None:
    await hearing.say(CITIZEN, "/start")
    assert hearing.app is not None
    app, before = hearing.app, len(hearing.emu.messages(CITIZEN))
    data = update_data(20_000, "/help", message_id=60)
    payload = payload_of(Update.de_json(data, None))
    long_ago = datetime.now(UTC) - DUPLICATE_WINDOW - timedelta(hours=1)
    async with database_at(hearing.settings.database_path) as db, db.transaction() as repos:
        inbox = InboxRepository(repos.conn)
        old = await inbox.add(20_000, None, payload, iso(long_ago), iso(T0))
        assert old is not None
        await inbox.mark_done([old], iso(long_ago))
    await app.update_queue.put(Update.de_json(data, app.bot))
    await hearing.settle()
    assert len(hearing.emu.messages(CITIZEN)) == before + 1
    entries_ = await entries(hearing.settings.database_path, 20_000)
    assert [e.status for e in entries_] == ["done", "done"]


async def test_updates_left_pending_are_replayed_at_start_up_first_and_once(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> None:
    settings = make_settings(tmp_path)
    # What a crash leaves behind: stored (and so confirmed to Telegram), never handled.
    async with database_at(settings.database_path) as db:
        assert await Inbox(db).record(text_update(900, "/start"))
    emu.send_message(CITIZEN, "/help")  # waiting in Telegram before the bot starts
    hearing = Hearing(emu, settings)
    await hearing.start()
    try:
        await hearing.settle()
        texts = [m.plain_text() for m in emu.messages(CITIZEN)]
        assert len(texts) == 2
        assert "Your privacy" in texts[0], "the leftover /start ran before the new /help"
        [entry] = await entries(settings.database_path, 900)
        assert (entry.status, entry.attempts) == (InboxStatus.DONE, 1)

        await hearing.restart()
        await hearing.settle()
        assert len(emu.messages(CITIZEN)) == 2, "nothing is replayed a second time"
    finally:
        await hearing.stop()


async def test_a_new_telegram_numbering_from_one_again_is_not_taken_for_duplicates(
    emu: Emulator, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path)
    first = Hearing(emu, settings)
    await first.start()
    try:
        old_id = emu.send_message(CITIZEN, "/start")
        await first.settle()
    finally:
        await first.stop()  # a clean stop confirms what was fetched
    # The console does this on every run: a fresh emulator over the same database.
    async with Emulator(token=TOKEN, bot_username="hearing_test_bot") as fresh:
        second = Hearing(fresh, settings)
        await second.start()
        try:
            assert fresh.send_message(CITIZEN, "/start") == old_id
            await second.settle()
            assert len(fresh.messages(CITIZEN)) == 1
        finally:
            await second.stop()
    assert [e.status for e in await entries(settings.database_path, old_id)] == ["done", "done"]
