"""Opt-in eligibility: one participant per phone number of one country, kept as a fingerprint."""

from __future__ import annotations

import asyncio
import io
import json
import sqlite3
import zipfile
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings
from bot.emulator import Emulator
from tests.harness import Hearing, make_settings, query

ANA, BILAL, DRAFTER = 9401, 9402, 9403
NUMBER = "+92 300 1234567"
ASK = "To take part in this hearing, please share your phone number"


@pytest.fixture
async def eligible(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> AsyncIterator[Hearing]:
    """A hearing open to Pakistani numbers only, with a drafter."""
    settings = replace(make_settings(tmp_path), eligibility_country_code="92",
                       drafter_ids=frozenset({DRAFTER}))  # fmt: skip
    hearing = Hearing(emu, settings)
    await hearing.start()
    try:
        yield hearing
    finally:
        await hearing.stop()


async def share(hearing: Hearing, user: int, phone: str, other: int | None = None) -> str:
    """Share a contact (one's own by default); return what the bot answered."""
    mark = len(hearing.emu.messages(user))
    hearing.emu.send_contact(user, phone, other)
    await hearing.settle()
    return "\n".join(m.plain_text() for m in hearing.emu.messages(user)[mark:])


async def test_a_citizen_shares_their_number_before_taking_part(eligible: Hearing) -> None:
    hearing = eligible
    [welcome] = await hearing.say(ANA, "/start")
    assert "Your privacy" in welcome.plain_text(), "the welcome is open to all"
    await hearing.press(ANA, "Begin", welcome)
    asked = hearing.last(ANA)
    assert asked.plain_text().startswith("📱 " + ASK) and "+92" in asked.plain_text()
    keyboard = asked.reply_keyboard or {}
    assert keyboard["keyboard"][0][0] == {"text": "📱 Share my phone number",
                                          "request_contact": True}  # fmt: skip
    assert await query(hearing.settings.database_path, "SELECT COUNT(*) FROM stances") == [(0,)]
    # Bad contacts are refused and store nothing.
    assert "your own number" in await share(hearing, ANA, NUMBER, other=BILAL)
    assert "numbers starting with +92" in await share(hearing, ANA, "+1 555 0100")
    assert await query(hearing.settings.database_path, "SELECT * FROM eligibility") == []
    answer = await share(hearing, ANA, NUMBER)
    assert "Thank you: you can take part now." in answer
    assert hearing.emu.messages(ANA)[-2].reply_keyboard == {"remove_keyboard": True}
    await hearing.answer_item(ANA, "3")
    rows = await query(hearing.settings.database_path, "SELECT phone_hash FROM eligibility")
    assert len(rows) == 1 and "1234567" not in str(rows[0][0]), "a fingerprint, not the number"
    # Nothing in any table holds the number: the raw update that carried it is erased from the
    # inbox once handled, like every update (docs/privacy.md says what SQLite may keep on disk).
    path = hearing.settings.database_path

    def dump() -> str:
        with sqlite3.connect(path) as conn:
            return "\n".join(conn.iterdump())

    assert "1234567" not in await asyncio.to_thread(dump)


async def test_one_participant_per_number_until_they_erase_their_data(eligible: Hearing) -> None:
    hearing = eligible
    await hearing.say(ANA, "/start")
    assert "Thank you" in await share(hearing, ANA, NUMBER)
    await hearing.say(BILAL, "/start")
    assert "already takes part in the hearing from another account" in await share(
        hearing, BILAL, "923001234567"
    )
    await hearing.say(ANA, "/mydata")
    data = json.loads(hearing.last(ANA).file_bytes or b"{}")
    assert [list(row) for row in data["phone_checked"]] == [["verified_at"]]
    await hearing.say(ANA, "/delete")
    await hearing.press(ANA, "🗑 Yes, erase everything")
    assert "Thank you" in await share(hearing, BILAL, NUMBER), "erased: the number is free"


async def test_staff_need_no_number_and_exports_hold_none(eligible: Hearing) -> None:
    hearing = eligible
    await hearing.say(ANA, "/start")
    await share(hearing, ANA, NUMBER)
    replies = await hearing.say(DRAFTER, "/digest")
    assert "Digest: Anti-Terror Action Plan" in replies[1].plain_text()
    await hearing.say(DRAFTER, "/export")
    with zipfile.ZipFile(io.BytesIO(hearing.last(DRAFTER).file_bytes or b"")) as packed:
        assert not any("eligib" in name for name in packed.namelist())
        assert all(b"1234567" not in packed.read(name) for name in packed.namelist())


async def test_off_by_default_and_the_setting_is_checked(hearing: Hearing) -> None:
    await hearing.answer_item(ANA, "3")  # no number asked
    answer = await share(hearing, ANA, NUMBER)
    assert "only read text" in answer
    assert Settings.from_env({"ELIGIBILITY_COUNTRY_CODE": "+92"}).eligibility_country_code == "92"
    with pytest.raises(ConfigError, match="ELIGIBILITY_COUNTRY_CODE"):
        Settings.from_env({"ELIGIBILITY_COUNTRY_CODE": "Pakistan"})
