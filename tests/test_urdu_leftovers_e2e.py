"""No English left in the Urdu flow: the plan's draft note, the moderators' card and log, dates
and the time zone, and the digest printed in Urdu."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import main
from bot.emulator import Emulator
from tests.harness import Hearing, make_settings, use_database
from tests.test_chart import png_size, support_x

CITIZEN, MODERATOR, DRAFTER, ENGLISH_DRAFTER = 9301, 9302, 9303, 9304
LINKED = "Read the full report at https://example.org/report first"
# The Urdu plan keeps acronyms in Latin letters, in brackets after the Urdu words.
ACRONYMS = {"PEMRA", "FATA", "IDPs", "LEAs", "SIMs", "IEDs", "PPO", "SIMS"}
ENGLISH_DATE = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")


@pytest.fixture
async def urdu_staff(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> AsyncIterator[Hearing]:
    """A hearing whose moderator and drafter read Urdu (and a drafter who reads English)."""
    settings = replace(make_settings(tmp_path), moderator_ids=frozenset({MODERATOR}),
                       drafter_ids=frozenset({DRAFTER, ENGLISH_DRAFTER}),
                       min_group_size=1)  # fmt: skip
    hearing = Hearing(emu, settings)
    await hearing.start()
    for user in (MODERATOR, DRAFTER):  # the citizen writes in English
        await hearing.say(user, "/language")
        await hearing.press(user, "اردو")
    try:
        yield hearing
    finally:
        await hearing.stop()


def latin_words(text: str) -> set[str]:
    """Return the English words of a text (commands, ids and hex tags aside)."""
    words = set(re.findall(r"(?<![/#\w])[A-Za-z]{3,}", text))
    return {w for w in words if not re.fullmatch(r"[ps]?[a-f0-9]+", w)} - ACRONYMS  # tags


async def test_the_urdu_welcome_has_no_english_note(urdu_staff: Hearing) -> None:
    [welcome] = await urdu_staff.say(DRAFTER, "/start")
    assert "DRAFT" not in welcome.plain_text() and "مسودہ:" in welcome.plain_text()
    assert not latin_words(welcome.plain_text())


async def test_a_moderator_reads_the_queue_and_log_in_urdu(urdu_staff: Hearing) -> None:
    hearing = urdu_staff
    await hearing.suggest(CITIZEN, "10", LINKED)
    [card] = await hearing.say(MODERATOR, "/queue")
    assert "🛡 تجویز" in card.plain_text() and "✅ منظور کریں" in card.button_labels()
    assert not latin_words(card.plain_text()) - latin_words(LINKED), "only the post is English"
    assert all(not latin_words(label) for label in card.button_labels())
    await hearing.press(MODERATOR, card.button_labels()[1], card)  # hide: the reasons, in Urdu
    reasons = hearing.emu.message(MODERATOR, card.message_id)
    assert reasons is not None and all(not latin_words(x) for x in reasons.button_labels())
    await hearing.press(MODERATOR, "اسپام", reasons)
    [log] = await hearing.say(MODERATOR, "/modlog")
    text = log.plain_text()
    assert "پاکستان کا وقت" in text and "Asia/Karachi" not in text
    assert not ENGLISH_DATE.search(text)
    assert any(month in text for month in ("جنوری", "نومبر", "دسمبر")), "an Urdu month"
    assert not latin_words(text), latin_words(text)


async def test_dates_and_the_zone_are_in_urdu_in_the_digest(urdu_staff: Hearing) -> None:
    hearing = urdu_staff
    await hearing.suggest(CITIZEN, "3", "Register every madrasa within a year")
    replies = await hearing.say(DRAFTER, "/digest")
    text = "\n".join(m.plain_text() for m in replies if m.kind == "text")
    assert "پاکستان کا وقت" in text and "Asia/Karachi" not in text
    assert not ENGLISH_DATE.search(text)
    chart = replies[-1]
    assert chart.caption is not None and not ENGLISH_DATE.search(chart.caption)


async def test_an_urdu_drafter_gets_the_chart_in_urdu(urdu_staff: Hearing) -> None:
    hearing = urdu_staff
    await hearing.answer_item(CITIZEN, "3", "👎 Oppose")
    await hearing.answer_item(CITIZEN + 10, "3", "👍 Support")
    await hearing.answer_item(CITIZEN + 11, "3", "👎 Oppose")
    urdu = (await hearing.say(DRAFTER, "/digest"))[-1].file_bytes
    english = (await hearing.say(ENGLISH_DRAFTER, "/digest"))[-1].file_bytes
    assert urdu is not None and english is not None and urdu != english
    assert png_size(urdu)[0] == png_size(english)[0] == 1080
    assert png_size(urdu)[1] > png_size(english)[1], "Nastaliq's taller rows"
    assert support_x(english) < 0.5 < support_x(urdu), "the Urdu bars start at the right"


async def test_digest_print_in_urdu(
    urdu_staff: Hearing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    hearing = urdu_staff
    await hearing.suggest(CITIZEN, "3", "Register every madrasa within a year")
    await hearing.stop()
    monkeypatch.chdir(tmp_path)
    use_database(monkeypatch, hearing.settings.database_path)
    assert await asyncio.to_thread(main, ["digest", "--print", "--lang", "ur"]) == 0
    out = capsys.readouterr().out
    assert "خلاصہ" in out and "انسداد دہشت گردی ایکشن پلان" in out
    assert "پاکستان کا وقت" in out and not ENGLISH_DATE.search(out)
    with pytest.raises(SystemExit) as refused:
        main(["digest", "--print", "--lang", "xx"])
    assert refused.value.code == 2 and "invalid choice: 'xx'" in capsys.readouterr().err
