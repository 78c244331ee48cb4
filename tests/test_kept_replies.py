"""A handler's effects, "handled" and its reply commit together; a replay sends that reply."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from telegram.error import BadRequest

from bot.emulator import Emulator
from bot.runtime.inbox import Inbox, InboxQueue
from bot.runtime.replies import APOLOGY_BIT, Call, Kept, Post, begun_bit, decode, deliver, encode
from storage.db import Database
from storage.unit import in_thread, when_committed
from tests.harness import Hearing, make_settings, query
from tests.test_inbox import CITIZEN, text_update

SAVED = "Your suggestion on item 1 is saved"
BUTTONS_PLEASE = "Please answer with the buttons"


class Killed(BaseException):
    """What a SIGKILL is to the update being handled: it ends there, nothing more runs."""


def inbox_of(hearing: Hearing) -> Inbox:
    """Return the running hearing's inbox."""
    assert hearing.app is not None and isinstance(hearing.app.update_queue, InboxQueue)
    return hearing.app.update_queue.inbox


def kill_after(inbox: Inbox, calls_made: int) -> list[Call]:
    """Make the bot 'die' once it has made this many calls of a reply; return those made."""
    real, made = inbox.post, []
    assert real is not None

    async def post(call: Call) -> object:
        if len(made) >= calls_made:
            raise Killed
        made.append(call)
        assert real is not None
        return await real(call)

    inbox.post = post
    return made


def shown(emu: Emulator, message_id: int) -> str:
    """Return what the citizen's chat shows now as this bot message."""
    return next(m for m in emu.messages(CITIZEN) if m.message_id == message_id).plain_text()


async def kept_replies(path: Path) -> list[tuple[str, int]]:
    """Return the replies kept for pending entries, with how many calls were begun."""
    rows = await query(
        path, "SELECT reply, reply_begun FROM inbox WHERE status = 'pending' ORDER BY id"
    )
    return [(str(reply), int(str(started))) for reply, started in rows if reply is not None]


async def test_a_suggestion_killed_before_its_reply_gets_the_first_runs_reply(
    emu: Emulator, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path)
    async with Hearing(emu, settings) as hearing:
        item = await hearing.answer_item(CITIZEN, "1")
        await hearing.press(CITIZEN, "✍️ Add a suggestion", item)
        kill_after(inbox_of(hearing), 0)  # committed, then killed before a byte went out
        emu.send_message(CITIZEN, "Publish the oversight board's minutes")
        await emu.wait_delivered()
        await hearing.settle()
        assert not any(SAVED in m.plain_text() for m in emu.messages(CITIZEN))
        [(reply, begun)] = await kept_replies(settings.database_path)
        assert begun == 0 and SAVED in decode(reply).calls[0].params["text"]
        stored = await query(settings.database_path, "SELECT COUNT(*) FROM suggestions")
        assert stored == [(1,)], "the effect was committed with the reply"

    async with Hearing(emu, settings) as again:
        await again.settle()
        texts = [m.plain_text() for m in emu.messages(CITIZEN)]
        assert sum(SAVED in text for text in texts) == 1, "the first run's reply, once"
        assert not any(BUTTONS_PLEASE in text for text in texts), "not one from the new state"
        stored = await query(settings.database_path, "SELECT COUNT(*) FROM suggestions")
        assert stored == [(1,)], "the update was not handled a second time"
        assert await kept_replies(settings.database_path) == []
        statuses = await query(settings.database_path, "SELECT DISTINCT status FROM inbox")
        assert statuses == [("done",)]


async def test_a_message_begun_before_the_kill_is_not_sent_again(
    emu: Emulator, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path)
    async with Hearing(emu, settings) as hearing:
        item = await hearing.answer_item(CITIZEN, "1")
        await hearing.press(CITIZEN, "✍️ Add a suggestion", item)
        inbox = inbox_of(hearing)
        made = kill_after(inbox, 1)  # the confirmation goes out; then the bot dies
        emu.send_message(CITIZEN, "Publish the oversight board's minutes")
        await emu.wait_delivered()
        await hearing.settle()
        assert [call.endpoint for call in made] == ["sendMessage"]
        [(_, begun)] = await kept_replies(settings.database_path)
        assert begun & begun_bit(0), "the message was recorded as begun before it was sent"

    async with Hearing(emu, settings) as again:
        await again.settle()
        texts = [m.plain_text() for m in emu.messages(CITIZEN)]
        assert sum(SAVED in text for text in texts) == 1, "never sent twice"
        assert await kept_replies(settings.database_path) == []


async def test_a_press_killed_before_its_reply_is_shown_by_the_replay(
    emu: Emulator, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path)
    async with Hearing(emu, settings) as hearing:
        await hearing.open_link(CITIZEN, "item-1")
        item = hearing.last(CITIZEN)
        kill_after(inbox_of(hearing), 0)  # an edit and an answer: nothing counted as begun
        await hearing.press(CITIZEN, "👍 Support", item)
        assert shown(emu, item.message_id) == item.plain_text(), "no edit yet"
    async with Hearing(emu, settings) as again:
        await again.settle()
        assert shown(emu, item.message_id) != item.plain_text(), "the replay's edit"
        stances = await query(settings.database_path, "SELECT COUNT(*) FROM stance_history")
        assert stances == [(1,)], "the answer was stored once"


async def test_a_handled_entry_forgets_its_reply(
    hearing: Hearing,
) -> None:
    await hearing.say(CITIZEN, "/start")
    await hearing.settle()
    rows = await query(hearing.settings.database_path, "SELECT reply FROM inbox")
    assert all(reply is None for (reply,) in rows), "a handled entry forgets its reply"


@pytest.mark.parametrize(
    "stored",
    ["not json", '{"calls": [{"m": "sendMessage"}]}', '{"apology": null}', "[]"],
)
async def test_an_unreadable_kept_reply_is_abandoned_not_replayed(
    tmp_path: Path, stored: str
) -> None:
    async with Database(tmp_path / "h.db") as db:
        inbox = Inbox(db)
        assert await inbox.record(text_update(70, "/help"))
        async with db.transaction() as repos:
            await repos.conn.execute("UPDATE inbox SET reply = ? WHERE update_id = 70", (stored,))
        assert await Inbox(db).recover(None) == []
        rows = await query(tmp_path / "h.db", "SELECT status FROM inbox WHERE update_id = 70")
        assert rows == [("abandoned",)]


def test_a_reply_survives_its_storage_whole() -> None:
    kept = Kept(
        [
            Call("sendMessage", {"chat_id": "5", "text": "ü ✓ اردو"}),
            Call("sendDocument", {"chat_id": "5"}, {"document": ("a.zip", b"\x00\xff", "x/y")}),
        ],
        Call("sendMessage", {"chat_id": "5", "text": "sorry"}),
    )
    assert decode(encode(kept)) == kept


class Recorder:
    """A stand-in for Telegram that records the calls it gets and fails some of them."""

    def __init__(self, failing: set[str] | None = None) -> None:
        self.calls: list[str] = []
        self.texts: list[str] = []
        self.failing = failing or set()

    async def post(self, call: Call) -> object:
        self.calls.append(call.endpoint)
        if call.endpoint == "sendMessage":
            self.texts.append(call.params["text"])
        if call.endpoint in self.failing:
            raise BadRequest(self.failing_reason)
        return True

    failing_reason = "Bad Request: chat not found"


@pytest.mark.parametrize(
    ("begun", "expected"),
    [
        (0, ["answerCallbackQuery", "editMessageText", "sendMessage"]),
        (begun_bit(2), ["answerCallbackQuery", "editMessageText"]),  # it may have gone out
    ],
)
async def test_deliver_sends_everything_but_a_message_begun_before(
    begun: int, expected: list[str]
) -> None:
    telegram = Recorder()
    marks: list[int] = []

    async def attempt(bit: int, begun: bool) -> None:
        marks.append(bit if begun else -bit)

    calls = [
        Call("editMessageText", {"chat_id": "1", "message_id": "2", "text": "a"}),
        Call("answerCallbackQuery", {"callback_query_id": "9"}),
        Call("sendMessage", {"chat_id": "1", "text": "b"}),
    ]
    post: Post = telegram.post
    await deliver(Kept(calls), post, attempt, begun)
    assert sorted(telegram.calls) == expected
    assert marks == ([begun_bit(2)] if begun == 0 else [])


async def test_messages_keep_their_order_and_a_failed_call_brings_the_apology() -> None:
    telegram = Recorder({"editMessageText"})
    marks: list[int] = []

    async def attempt(bit: int, begun: bool) -> None:
        marks.append(bit if begun else -bit)

    calls = [
        Call("editMessageText", {"chat_id": "1", "message_id": "2", "text": "a"}),
        Call("sendMessage", {"chat_id": "1", "text": "first"}),
        Call("sendMessage", {"chat_id": "1", "text": "second"}),
    ]
    apology = Call("sendMessage", {"chat_id": "1", "text": "sorry"})
    await deliver(Kept(calls, apology), telegram.post, attempt)
    sent = [c for c in telegram.calls if c == "sendMessage"]
    assert len(sent) == 3 and telegram.texts[-1] == "sorry", "the apology comes last"
    assert telegram.texts.index("first") < telegram.texts.index("second")
    assert marks[-1] == APOLOGY_BIT
    telegram.calls.clear()
    telegram.texts.clear()
    await deliver(Kept(calls, apology), telegram.post, attempt, begun=sum(marks))
    assert telegram.calls == ["editMessageText"], "from a replay nothing is sent twice"


async def test_an_edit_of_a_message_gone_is_sent_anew_once() -> None:
    telegram = Recorder({"editMessageText"})
    telegram.failing_reason = "Bad Request: message to edit not found"
    marks: list[int] = []

    async def attempt(bit: int, begun: bool) -> None:
        marks.append(bit if begun else -bit)

    edit = Call("editMessageText", {"chat_id": "1", "message_id": "2", "text": "a"})
    await deliver(Kept([edit]), telegram.post, attempt)
    assert telegram.calls == ["editMessageText", "sendMessage"]
    assert marks == [begun_bit(0)]
    telegram.calls.clear()
    await deliver(Kept([edit]), telegram.post, attempt, begun=begun_bit(0))
    assert telegram.calls == ["editMessageText"], "from a replay the new message is not resent"


async def test_a_unit_of_work_commits_its_parts_together_and_undoes_a_failed_one(
    db: Database,
) -> None:
    async with db.unit_of_work() as unit:
        async with db.transaction() as repos:
            await repos.conn.execute("CREATE TABLE t (x INTEGER)")
            await repos.conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(RuntimeError):
            async with db.transaction() as repos:
                await repos.conn.execute("INSERT INTO t VALUES (2)")
                raise RuntimeError("refused")
        async with db.reading() as repos:  # the unit reads its own writes
            assert [tuple(r) for r in await repos.conn.execute_fetchall("SELECT x FROM t")] == [
                (1,)
            ]
        assert unit.open
        outside = asyncio.create_task(_count_rows(db))
        await asyncio.sleep(0.05)
        assert not outside.done(), "another task's write waits for the unit"
    assert await outside == 1
    assert not unit.open


async def _count_rows(db: Database) -> int:
    async with db.transaction() as repos:
        rows = await repos.conn.execute_fetchall("SELECT COUNT(*) FROM t")
        return int(next(iter(rows))[0])


async def test_a_unit_that_fails_leaves_nothing(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.conn.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(Killed):
        async with db.unit_of_work():
            async with db.transaction() as repos:
                await repos.conn.execute("INSERT INTO t VALUES (1)")
            raise Killed
    assert await _count_rows(db) == 0


async def test_what_waits_for_the_commit_runs_after_it_and_never_after_a_rollback(
    db: Database,
) -> None:
    ran: list[str] = []
    async with db.transaction() as repos:
        await repos.conn.execute("CREATE TABLE t (x INTEGER)")
    async with db.unit_of_work():
        async with db.transaction() as repos:
            await repos.conn.execute("INSERT INTO t VALUES (1)")
        when_committed(lambda: ran.append("committed"))
        assert ran == [], "not before the commit"
    assert ran == ["committed"]
    with pytest.raises(Killed):
        async with db.unit_of_work():
            async with db.transaction() as repos:
                await repos.conn.execute("INSERT INTO t VALUES (2)")
            when_committed(lambda: ran.append("rolled back"))
            raise Killed
    assert ran == ["committed"], "a rollback runs nothing that waited for the commit"
    when_committed(lambda: ran.append("outside"))
    assert ran == ["committed", "outside"], "outside a unit, at once"


async def test_slow_work_in_a_thread_first_commits_the_unit(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.conn.execute("CREATE TABLE t (x INTEGER)")
    async with db.unit_of_work() as unit:
        async with db.transaction() as repos:
            await repos.conn.execute("INSERT INTO t VALUES (1)")
        assert unit.open
        assert await in_thread(sum, [1, 2]) == 3
        assert not unit.open, "the writer is free while the thread works"
        assert await _count_rows(db) == 1, "and what the unit wrote is committed"


async def test_a_retried_message_is_marked_begun_again_as_its_retry_leaves(
    emu: Emulator, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path)
    hearing = Hearing(emu, settings)
    await hearing.start()
    marks: list[tuple[int, bool]] = []
    try:
        inbox = inbox_of(hearing)
        real = inbox._mark

        async def noted(entry_id: int, bit: int, begun: bool) -> None:
            marks.append((bit, begun))
            await real(entry_id, bit, begun)

        inbox._mark = noted  # type: ignore[method-assign]
        emu.inject_error("sendMessage", 500)
        await hearing.say(CITIZEN, "/start")
    finally:
        await hearing.stop()
    first = begun_bit(0)
    assert marks[:3] == [(first, True), (first, False), (first, True)], (
        "begun as the first try left, not begun once it failed, begun again as the retry left"
    )
