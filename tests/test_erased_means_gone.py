"""Erased means gone: after /delete, no file the bot wrote holds a byte of what was erased.

A citizen's suggestion is voted on, quoted in a digest, replied to and answered (the drafters'
copy of the answer quotes it), and an update of theirs is given up on; then they erase
everything. The database, its -wal and -shm (while the bot runs, and after it stops), a
backup, both exports and the printed digest taken afterwards are read byte by byte.
"""

from __future__ import annotations

import asyncio
import io
import shutil
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from telegram import Update

from bot.commands.digest import print_digest
from bot.commands.export import export_hearing
from bot.emulator import Emulator
from bot.hearing.export import ExportFormat
from bot.hearing.plan import load_plan
from bot.hearing.privacy import pseudonym
from bot.model.values import Language
from bot.runtime.inbox import MAX_REPLAYS, Inbox, payload_of
from bot.runtime.marks import ABANDONED_KEPT, PRUNE_INTERVAL
from bot.senders.digests import send_digests
from storage.backup import backup_database
from storage.clock import iso
from storage.db import Database
from storage.inbox import InboxRepository
from tests.harness import (
    SECRET,
    TOKEN,
    Clock,
    Hearing,
    at,
    background,
    make_settings,
    query,
    rows,
)
from tests.test_loop_both_ways_e2e import reply

ANA, BILAL, DRAFTER = 8101, 8102, 7501
NAME = "Zarghunakhan"
# Distinctive words, so that finding one cannot be a coincidence; each is in one text only.
SUGGESTION = "Zebrafinch protocol: register every seminary with the district office"
ANSWER = "Quetzalcoatl districts first, then the rest"
GIVEN_UP = "Xylophonist text that crashed the bot three times"
ERASED = (b"Zebrafinch", b"Quetzalcoatl", b"Xylophonist", NAME.encode())


@pytest.fixture
async def clocked(tmp_path: Path) -> AsyncIterator[tuple[Emulator, Clock]]:
    """An emulator whose clock is the hearing's, so both can be moved to the digest's time."""
    clock = Clock(at(27, 10))
    async with Emulator(token=TOKEN, clock=lambda: clock.now.timestamp()) as emu:
        yield emu, clock


def holding(folder: Path, needles: tuple[bytes, ...] = ERASED) -> dict[str, list[str]]:
    """Return every file under the folder that holds any needle, with the needles it holds."""
    found = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        hits = [n.decode() for n in needles if n in data]
        if hits:
            found[str(path.relative_to(folder))] = hits
    return found


async def give_up_on(path: Path, user: int, text: str, now: datetime) -> None:
    """Leave an update of the user's that crashed the bot on every replay, as the inbox does."""
    update = Update.de_json(
        {"update_id": 90_001, "message": {
            "message_id": 900, "date": int(now.timestamp()), "text": text,
            "chat": {"id": user, "type": "private", "first_name": NAME},
            "from": {"id": user, "is_bot": False, "first_name": NAME, "username": NAME},
        }}, None,
    )  # fmt: skip
    async with Database(path) as db, db.transaction() as repos:
        inbox = InboxRepository(repos.conn)
        stamp = iso(now)
        entry = await inbox.add(90_001, user, payload_of(update), stamp, stamp)
        for _ in range(MAX_REPLAYS):
            assert entry is not None
            await inbox.count_attempt(entry)


async def test_nothing_the_bot_wrote_keeps_an_erased_citizens_words(
    clocked: tuple[Emulator, Clock], tmp_path: Path
) -> None:
    emu, clock = clocked
    data = tmp_path / "data"
    settings = make_settings(
        tmp_path, database_path=data / "hearing.db", drafter_ids=frozenset({DRAFTER})
    )
    path = settings.database_path
    async with Hearing(emu, settings, clock) as hearing:
        await hearing.open_chats(DRAFTER)
        emu.send_message(ANA, "/help", first_name=NAME)
        sid = await hearing.suggest(ANA, "3", SUGGESTION)
        await hearing.answer_item(BILAL, "3")
        await hearing.press(BILAL, "👍 Agree", hearing.last(BILAL))
        await reply(hearing, sid, "💬 Reply to the author", "Which districts?")
        await hearing.press(ANA, "💬 Answer the drafter", hearing.last(ANA))
        await hearing.say(ANA, ANSWER)
        await background(hearing.app).outbox.wait_idle()
        assert ANSWER in hearing.last(DRAFTER).plain_text(), "the drafter was told"
        clock.now = at(27, 20, 1)
        assert hearing.app is not None and await send_digests(hearing.app)
        digest = [m.plain_text() for m in emu.messages(DRAFTER) if m.kind == "text"]
        assert any("Zebrafinch" in text for text in digest), "the digest quoted it"
        await hearing.say(ANA, "/language")
        await hearing.press(ANA, "اردو")
        await hearing.stop()
        await give_up_on(path, ANA, GIVEN_UP, clock.now)
        await hearing.start()
        abandoned = await query(path, "SELECT payload FROM inbox WHERE status = 'abandoned'")
        assert "Xylophonist" in str(abandoned[0][0]), "kept a while for whoever investigates"

        clock.now = at(27, 20, 5)
        await hearing.say(ANA, "/delete")
        await hearing.press(ANA, hearing.with_buttons(ANA).button_labels()[0])  # erase, in Urdu
        assert await query(path, "SELECT id FROM suggestions WHERE id = ?", sid) == []
        language = await query(
            path, "SELECT language FROM participants WHERE id = ?", pseudonym(SECRET, ANA)
        )
        assert language == [(None,)], "not even the language they chose is kept"
        assert await query(path, "SELECT payload FROM inbox WHERE status = 'abandoned'") == []
        await hearing.settle()
        assert path.with_name("hearing.db-wal").exists(), "read while the bot runs"
        assert holding(data) == {}, "database, -wal, -shm, ledger"

        await backup_database(path, tmp_path / "backup-after.db")
        async with Database(path) as db:
            for fmt in ExportFormat:
                await export_hearing(db, load_plan(), fmt, tmp_path / f"export-{fmt}")
        printed = io.StringIO()
        assert await asyncio.to_thread(print_digest, settings, printed, Language.ENGLISH) == 0
        (tmp_path / "digest.txt").write_text(printed.getvalue(), encoding="utf-8")
        assert holding(tmp_path) == {}
    assert holding(tmp_path) == {}, "after the bot stopped too"


async def test_a_restored_backup_replays_nothing_the_erased_citizen_sent_before(
    clocked: tuple[Emulator, Clock], tmp_path: Path
) -> None:
    emu, clock = clocked
    settings = make_settings(tmp_path)
    path = settings.database_path
    async with Hearing(emu, settings, clock) as hearing:
        await hearing.answer_item(ANA, "1")
        await hearing.answer_item(BILAL, "1")
        await hearing.stop()
        # A backup taken while an update of each was still waiting to be handled.
        for user, update_id in ((ANA, 90_002), (BILAL, 90_003)):
            await leave_pending(path, user, update_id, "/help", clock.now)
        shutil.copy(path, tmp_path / "backup.db")
        async with Database(path) as db, db.transaction() as repos:
            await repos.conn.execute("DELETE FROM inbox WHERE update_id > 90000")
        await hearing.start()
        clock.now = at(27, 10, 5)
        await hearing.say(ANA, "/delete")
        await hearing.press(ANA, "🗑 Yes, erase everything")
        await hearing.stop()
        told = {user: len(emu.messages(user)) for user in (ANA, BILAL)}
        for leftover in ("-wal", "-shm"):
            path.with_name(path.name + leftover).unlink(missing_ok=True)
        shutil.copy(tmp_path / "backup.db", path)
        await hearing.start()
        await hearing.settle()
        assert len(emu.messages(BILAL)) == told[BILAL] + 1, "Bilal's update is handled"
        assert len(emu.messages(ANA)) == told[ANA], "Ana's, from before her erasure, is not"
        assert await query(path, "SELECT update_id FROM inbox WHERE update_id > 90000") == [
            (90_003,)
        ]


async def leave_pending(path: Path, user: int, update_id: int, text: str, now: datetime) -> None:
    """Store an update as the inbox does on arrival, to be handled at the next start."""
    update = Update.de_json(
        {"update_id": update_id, "message": {
            "message_id": update_id, "date": int(now.timestamp()), "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
            "chat": {"id": user, "type": "private"},
            "from": {"id": user, "is_bot": False, "first_name": ""},
        }}, None,
    )  # fmt: skip
    async with Database(path) as db, db.transaction() as repos:
        stamp = iso(now)
        await InboxRepository(repos.conn).add(update_id, user, payload_of(update), stamp, stamp)


def message_update(update_id: int, user: int, text: str) -> Update:
    """A private text message, as Telegram sends it."""
    return Update.de_json(
        {"update_id": update_id, "message": {
            "message_id": update_id, "date": 1_795_000_000, "text": text,
            "chat": {"id": user, "type": "private", "first_name": NAME},
            "from": {"id": user, "is_bot": False, "first_name": NAME},
        }}, None,
    )  # fmt: skip


@pytest.mark.parametrize("secure_delete", ["ON", "OFF"])
async def test_a_handled_update_leaves_no_bytes_behind(tmp_path: Path, secure_delete: str) -> None:
    async with Database(tmp_path / "hearing.db") as db:
        async with db.reading() as repos, repos.conn.execute("PRAGMA secure_delete") as cursor:
            assert tuple(await cursor.fetchone() or ()) == (1,), "the bot's connections have it on"
        if secure_delete == "OFF":  # as many SQLite builds do by default (this one does not)
            async with db.transaction() as repos:
                await repos.conn.execute("PRAGMA secure_delete=OFF")
        inbox = Inbox(db)
        handled = [message_update(n, ANA, f"{GIVEN_UP} #{n}") for n in range(1, 41)]
        for update in handled:
            assert await inbox.record(update)
        for update in handled:
            await inbox.complete(update)
        await inbox.flush()  # "handled" rides along with a later write
        assert await db.checkpoint()
        left = holding(tmp_path, (b"Xylophonist",))
    if secure_delete == "ON":
        assert left == {}, "payloads set to NULL are overwritten with zeros"
    else:
        assert left == {"hearing.db": ["Xylophonist"]}, "without it, the file keeps them"


async def test_an_update_given_up_on_keeps_its_payload_a_day(tmp_path: Path) -> None:
    clock = Clock(at(27, 10))
    async with Database(tmp_path / "hearing.db", clock) as db:
        inbox = Inbox(db)
        assert await inbox.record(message_update(1, ANA, GIVEN_UP))
        async with db.transaction() as repos:
            await InboxRepository(repos.conn).abandon([1], iso(clock.now))

        async def handle_one(update_id: int) -> str | None:
            """Handle another citizen's update (pruning when due); return the kept payload."""
            update = message_update(update_id, BILAL, "/help")
            assert await inbox.record(update)
            await inbox.complete(update)
            await inbox.flush()
            [entry] = await rows(db, "SELECT payload FROM inbox WHERE update_id = 1")
            return None if entry[0] is None else str(entry[0])

        clock.now += ABANDONED_KEPT - PRUNE_INTERVAL
        assert GIVEN_UP in str(await handle_one(2)), "for whoever investigates the crash"
        clock.now += PRUNE_INTERVAL + timedelta(milliseconds=1)
        assert await handle_one(3) is None, "then only its id and times"
        assert await db.checkpoint()
    assert holding(tmp_path) == {}
