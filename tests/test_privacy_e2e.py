"""/mydata and /delete end to end, the erasure ledger across a restored backup, and the logs."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import ConfigError, Settings
from bot.emulator import Emulator
from bot.hearing.digest import DigestBuilder
from bot.hearing.digest_model import Digest
from bot.hearing.plan import Plan
from bot.hearing.privacy import pseudonym
from bot.runtime.logs import configure_logging
from bot.views.chart import render_chart
from bot.views.digest import render_digest
from bot.views.texts import load_texts
from storage.db import Database
from storage.erasure_ledger import ledger_path
from storage.pg_backup import backup_postgres
from tests.harness import (
    POSTGRES_AT,
    POSTGRES_ONLY,
    SECRET,
    SQLITE_ONLY,
    TOKEN,
    Hearing,
    erasures,
    make_settings,
    query,
)

ANA, BILAL = 2001, 2002
ANA_TEXT = "Register every seminary with the provincial government"
BILAL_TEXT = "Publish the names of banned outfits each month"
ERASE, KEEP = "🗑 Yes, erase everything", "Keep my data"
# Every table that holds a participant's own records, and the column naming them.
PERSONAL = {
    "stances": "participant_id",
    "stance_history": "participant_id",
    "suggestions": "participant_id",
    "votes": "participant_id",
    "vote_history": "participant_id",
    "reports": "participant_id",
    "suggestion_drafts": "participant_id",
    "awaited_inputs": "participant_id",
    "delivery": "participant_id",
    "broadcast_deliveries": "participant_id",
    "follows": "participant_id",
    "follower_watermarks": "participant_id",
    "follow_up_consents": "participant_id",
    "outbox": "participant_id",
    "tracking_inputs": "participant_id",
    "opinion_members": "participant_id",
}


async def two_citizens(hearing: Hearing) -> tuple[int, int]:
    """Ana and Bilal each suggest, vote on the other's suggestion; Bilal reports Ana's."""
    ana_sid = await hearing.suggest(ANA, "3", ANA_TEXT)
    await hearing.answer_item(BILAL, "3")
    await hearing.press(BILAL, "👍 Agree", hearing.last(BILAL))
    bilal_sid = await hearing.suggest(BILAL, "5", BILAL_TEXT)
    await hearing.answer_item(ANA, "5", "👎 Oppose")
    await hearing.press(ANA, "👎 Disagree", hearing.last(ANA))
    await hearing.say(ANA, "/start")  # ends any wait for text: only buttons from here
    return ana_sid, bilal_sid


async def my_data(hearing: Hearing, user: int) -> tuple[dict[str, Any], bytes, str]:
    """Ask for /mydata; return the parsed file, its bytes and the caption."""
    await hearing.say(user, "/mydata")
    sent = hearing.last(user)
    assert sent.kind == "document" and sent.file_bytes is not None
    assert sent.file_name == "my-hearing-data.json"
    return json.loads(sent.file_bytes), sent.file_bytes, sent.plain_text()


async def rows_of(path: Path, pid: str) -> dict[str, int]:
    """Count a participant's rows in every personal table."""
    counts = {}
    for table, column in PERSONAL.items():
        rows = await query(path, f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", pid)
        counts[table] = int(str(rows[0][0]))
    return counts


async def consistent(path: Path) -> None:
    """Current votes are exactly the latest vote per voter and suggestion; keys all resolve."""
    current = await query(
        path, "SELECT participant_id, suggestion_id, vote FROM votes ORDER BY 1, 2"
    )
    latest = await query(
        path,
        "SELECT participant_id, suggestion_id, vote FROM vote_history h WHERE id = (SELECT"
        " MAX(id) FROM vote_history g WHERE g.participant_id = h.participant_id"
        " AND g.suggestion_id = h.suggestion_id) ORDER BY 1, 2",
    )
    assert current == latest
    if path not in POSTGRES_AT:  # PostgreSQL checks every foreign key as it is written
        assert await query(path, "PRAGMA foreign_key_check") == []


async def test_mydata_holds_everything_about_the_citizen_and_nothing_else(
    hearing: Hearing,
) -> None:
    ana_sid, bilal_sid = await two_citizens(hearing)
    data, raw, caption = await my_data(hearing, ANA)
    ana, bilal = pseudonym(SECRET, ANA), pseudonym(SECRET, BILAL)
    assert data["participant"]["participant_id"] == ana
    assert data["participant"]["updates_on"] is True
    assert data["participant"]["language"] == "en", "going on from a link's welcome keeps it"
    assert {(s["item"], s["stance"]) for s in data["stances"]} == {("3", "support"),
                                                                   ("5", "oppose")}  # fmt: skip
    assert [(s["id"], s["text"], s["status"]) for s in data["suggestions"]] == [
        (ana_sid, ANA_TEXT, "visible")
    ]
    assert data["suggestions"][0]["agree_votes"] is None, "one vote: withheld, as /mine does"
    assert [(v["suggestion_id"], v["vote"]) for v in data["votes"]] == [(bilal_sid, "disagree")]
    assert [d["text"] for d in data["drafts"]] == [ANA_TEXT]
    records = sum(len(v) for k, v in data.items() if isinstance(v, list))
    assert f"({records} records)" in caption
    text = raw.decode("utf-8")
    for foreign in (bilal, BILAL_TEXT, str(BILAL), str(ANA), TOKEN):
        assert foreign not in text, "no one else's data and no Telegram id"


async def test_mydata_of_a_newcomer_is_nearly_empty(hearing: Hearing) -> None:
    data, _, caption = await my_data(hearing, ANA)
    assert data["participant"]["participant_id"] == pseudonym(SECRET, ANA)
    assert all(data[name] == [] for name in ("stances", "suggestions", "votes", "drafts"))
    assert "(0 records)" in caption


async def test_delete_asks_first_and_keeping_changes_nothing(hearing: Hearing) -> None:
    await two_citizens(hearing)
    path, ana = hearing.settings.database_path, pseudonym(SECRET, ANA)
    before = await rows_of(path, ana)
    await hearing.say(ANA, "/delete")
    question = hearing.last(ANA)
    assert "Erase everything stored about you?" in question.plain_text()
    assert question.button_labels() == [ERASE, KEEP]
    await hearing.press(ANA, KEEP, question)
    assert hearing.last(ANA).plain_text() == "Nothing was erased."
    assert hearing.last(ANA).button_labels() == []
    assert await rows_of(path, ana) == before
    assert await erasures(path) == []


async def test_delete_erases_the_citizen_and_keeps_tallies_consistent(hearing: Hearing) -> None:
    ana_sid, bilal_sid = await two_citizens(hearing)
    path, ana, bilal = (
        hearing.settings.database_path,
        *(pseudonym(SECRET, u) for u in (ANA, BILAL)),
    )
    bilal_before = await rows_of(path, bilal)
    await hearing.say(ANA, "/delete")
    await hearing.press(ANA, ERASE)
    done = hearing.last(ANA).plain_text()
    assert (
        "Your data is erased (answers: 2, suggestions: 1, votes: 1, reports: 0, drafts: 1)" in done
    )
    assert set((await rows_of(path, ana)).values()) == {0}
    assert await query(path, "SELECT id FROM suggestions WHERE id = ?", ana_sid) == []
    assert await query(path, "SELECT COUNT(*) FROM votes WHERE suggestion_id = ?", bilal_sid) == [
        (0,)
    ], "Ana's vote on Bilal's suggestion is gone from the tally"
    after = await rows_of(path, bilal)
    assert after["votes"] == bilal_before["votes"] - 1, "Bilal's vote on Ana's idea went with it"
    assert {k: v for k, v in after.items() if k not in ("votes", "vote_history")} == {
        k: v for k, v in bilal_before.items() if k not in ("votes", "vote_history")
    }
    await consistent(path)
    row = await query(path, "SELECT step, current_item, completed_at, erased_at IS NOT NULL"
                      " FROM participants WHERE id = ?", ana)  # fmt: skip
    assert row == [("welcome", None, None, 1)]
    ledger = "\n".join(entry.line() for entry in await erasures(path))
    assert ana in ledger and str(ANA) not in ledger and ANA_TEXT not in ledger
    # Ana may come back: she starts afresh, and her file is empty.
    welcome = await hearing.say(ANA, "/start")
    assert "Welcome back" not in welcome[-1].plain_text()
    data, _, _ = await my_data(hearing, ANA)
    assert data["stances"] == [] and data["participant"]["reachable"] is True


@pytest.mark.parametrize("how", ["forged-on-another-message", "old-question", "bad-arguments"])
async def test_a_forged_or_stale_confirmation_erases_nothing(
    emu: Emulator, tmp_path: Path, database_url: str | None, how: str
) -> None:
    later = datetime.now(UTC) + timedelta(hours=1)
    hearing = Hearing(
        emu, make_settings(tmp_path), clock=(lambda: later) if how == "old-question" else None
    )
    await hearing.start()
    try:
        await two_citizens(hearing)
        path, ana = hearing.settings.database_path, pseudonym(SECRET, ANA)
        before = await rows_of(path, ana)
        if how == "forged-on-another-message":
            welcome = hearing.last(ANA)
            update = emu.press_button(ANA, welcome.message_id, "v1:er", check=False)
            await hearing.settle()
            assert "this button is not valid" in str(emu.answer_for(update))
            assert hearing.last(ANA) == welcome, "the pressed message is left alone"
        elif how == "old-question":
            await hearing.say(ANA, "/delete")
            await hearing.press(ANA, ERASE)
            assert "This confirmation has expired" in hearing.last(ANA).plain_text()
        else:
            await hearing.say(ANA, "/delete")
            update = emu.press_button(ANA, hearing.last(ANA).message_id, "v1:er:1", check=False)
            await hearing.settle()
            assert "this button is not valid" in str(emu.answer_for(update))
        assert await rows_of(path, ana) == before
        assert await erasures(path) == []
    finally:
        await hearing.stop()


@SQLITE_ONLY  # a SQLite file is copied
async def test_a_restored_backup_cannot_bring_an_erased_citizen_back(hearing: Hearing) -> None:
    await two_citizens(hearing)
    path, ana, bilal = (
        hearing.settings.database_path,
        *(pseudonym(SECRET, u) for u in (ANA, BILAL)),
    )
    await hearing.stop()
    backup = path.with_name("backup.db")
    shutil.copy(path, backup)
    await hearing.start()
    await hearing.say(ANA, "/delete")
    await hearing.press(ANA, ERASE)
    bilal_after_erasure = await rows_of(path, bilal)
    await hearing.stop()

    for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copy(backup, path)
    assert (await rows_of(path, ana))["stances"] == 2, "the backup still holds Ana"
    with ledger_path(path).open("a", encoding="utf-8") as ledger:
        ledger.write('{"participant": "p')  # a line torn by a crash is skipped
    await hearing.start()
    assert set((await rows_of(path, ana)).values()) == {0}, "erased again at start-up"
    assert await rows_of(path, bilal) == bilal_after_erasure
    await consistent(path)
    # A later start finds nothing left to do, and what Ana sends after coming back stays.
    await hearing.answer_item(ANA, "1")
    await hearing.restart()
    assert (await rows_of(path, ana))["stances"] == 1


@POSTGRES_ONLY
async def test_a_restored_dump_cannot_bring_an_erased_citizen_back(
    hearing: Hearing, tmp_path: Path
) -> None:
    await two_citizens(hearing)
    path, url = hearing.settings.database_path, hearing.settings.database_url
    assert url is not None
    ana, bilal = (pseudonym(SECRET, u) for u in (ANA, BILAL))
    dump = tmp_path / "before.dump"
    await backup_postgres(url, dump)  # `hearing-bot backup` while the bot runs
    await hearing.say(ANA, "/delete")
    await hearing.press(ANA, ERASE)
    bilal_after_erasure = await rows_of(path, bilal)
    await hearing.stop()

    restore = await asyncio.create_subprocess_exec(
        "pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={url}", str(dump)
    )
    assert await restore.wait() == 0
    assert (await rows_of(path, ana))["stances"] == 2, "the backup still holds Ana"
    await hearing.start()
    assert set((await rows_of(path, ana)).values()) == {0}, "erased again at start-up"
    assert await rows_of(path, bilal) == bilal_after_erasure
    await consistent(path)


async def test_logs_of_a_run_with_the_privacy_commands_carry_no_text_ids_or_token(
    emu: Emulator, tmp_path: Path, database_url: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    with quiet_libraries(), caplog.at_level(logging.DEBUG):
        hearing = Hearing(emu, make_settings(tmp_path))
        await hearing.start()
        try:
            await two_citizens(hearing)
            await my_data(hearing, ANA)
            await hearing.say(ANA, "/delete")
            await hearing.press(ANA, ERASE)
            await hearing.restart()
        finally:
            await hearing.stop()
        # What python-telegram-bot logs when Telegram sends updates it cannot read.
        unreadable = [{"message": {"from": {"id": ANA}, "text": ANA_TEXT}}]
        logging.getLogger("telegram.ext.ExtBot").critical(
            "Error while parsing updates! Received data was %r", unreadable
        )
    log = caplog.text
    assert "Error while parsing updates! (data withheld)" in log
    assert "erased a participant's data on their request" in log
    secrets = (TOKEN, TOKEN.split(":")[1], str(ANA), str(BILAL), ANA_TEXT, BILAL_TEXT,
               pseudonym(SECRET, ANA), pseudonym(SECRET, BILAL), "Register every")  # fmt: skip
    for secret in secrets:
        assert secret not in log


@contextmanager
def quiet_libraries() -> Iterator[None]:
    """Apply the bot's own logging levels (as `run` does), restoring the old ones after."""
    saved = {name: logging.getLogger(name).level for name in logging.Logger.manager.loggerDict}
    configure_logging("DEBUG")
    try:
        yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


async def small_and_large_items(db: Database, plan: Plan, min_group: int) -> Digest:
    """Item 1: three answers, all support; item 2: six answers; item 3: none."""
    async with db.transaction() as repos:
        answers = (
            [("1", "support")] * 3 + [("2", "support")] * 4 + [("2", "oppose"), ("2", "unsure")]
        )
        for n, (item, stance) in enumerate(answers):
            await repos.participants.ensure(f"p{n}")
            await repos.stances.record(f"p{n}", item, stance, "medium", plan.version)
    return await DigestBuilder(db, plan, min_group=min_group).build(None, datetime.now(UTC))


async def test_no_breakdown_for_an_item_fewer_than_min_group_size_answered(
    db: Database, plan: Plan
) -> None:
    raw = await small_and_large_items(db, plan, 1)
    digest = await DigestBuilder(db, plan, min_group=5).build(None, datetime.now(UTC))
    text = "\n".join(render_digest(load_texts(), digest, "Asia/Karachi", None))
    few = text[text.index("<b>1.</b>") : text.index("<b>2.</b>")]
    assert "fewer than 5 responses" in few and "👍" not in few and "priority" not in few
    many = text[text.index("<b>2.</b>") : text.index("<b>3.</b>")]
    assert "👍 4 (67%)" in many and "priority 50/100" in many
    assert "no answers yet" in text[text.index("<b>3.</b>") :]
    assert "Most supported: 2 (67%)" in text and "1 (100%)" not in text
    assert "Most opposed: 2 (17%)" in text and "Most contested: —" in text
    assert render_chart(digest) != render_chart(raw), "the chart withholds it too"
    three = await DigestBuilder(db, plan, min_group=3).build(None, datetime.now(UTC))
    assert three.item("1") == raw.item("1"), "three answers are enough for 3"


@pytest.mark.parametrize("value", ["0", "-1", "five", "1001"])
def test_a_bad_min_group_size_stops_start_up(value: str) -> None:
    with pytest.raises(ConfigError, match="MIN_GROUP_SIZE must be a whole number from 1"):
        Settings.from_env({"MIN_GROUP_SIZE": value})
    assert Settings.from_env({}).min_group_size == 5
    assert Settings.from_env({"MIN_GROUP_SIZE": "12"}).min_group_size == 12
