"""/results through the emulator, and the links to a published results page (RESULTS_URL)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from bot.emulator import Emulator
from tests.after_support import CITIZEN, DRAFTER, running
from tests.harness import Clock, at

URL = "https://hearing.example.org/results/"
BUTTON = "📊 Public results"


async def test_drafters_get_the_site_as_a_zip_and_others_a_polite_no(
    emu: Emulator, tmp_path: Path
) -> None:
    async with running(emu, tmp_path, Clock(at(27))) as hearing:
        for n in range(6):
            await hearing.answer_item(900 + n, "3", "👎 Oppose" if n % 3 else "👍 Support")
        await hearing.suggest(900, "3", "Open the madrasa registers <b>to the public</b>")
        replies = await hearing.say(CITIZEN, "/results")
        assert [m.plain_text() for m in replies] == [
            "Sorry, this is only for the hearing's drafters."
        ]
        assert all(m.kind != "document" for m in emu.messages(CITIZEN))
        await hearing.say(DRAFTER, "/results")
        sent = hearing.last(DRAFTER)
    assert sent.kind == "document" and sent.file_bytes is not None
    assert sent.file_name == "hearing-results-20261127-1000.zip"
    assert "No figure in it is about fewer than 5 people." in sent.plain_text()
    with zipfile.ZipFile(io.BytesIO(sent.file_bytes)) as packed:
        names = packed.namelist()
        english = packed.read("hearing-results-20261127-1000/en/items-1.html").decode("utf-8")
        urdu = packed.read("hearing-results-20261127-1000/ur/index.html").decode("utf-8")
    assert "hearing-results-20261127-1000/index.html" in names
    assert "hearing-results-20261127-1000/assets/fonts/NotoNastaliqUrdu-Regular.ttf" in names
    item3 = english.split('id="item-3"')[1].split("</article>")[0]
    assert "6 answers" in item3 and "Support: 33% (2)" in item3 and "Oppose: 67% (4)" in item3
    item4 = english.split('id="item-4"')[1].split("</article>")[0]
    assert "No answers yet." in item4
    assert '<html lang="ur" dir="rtl">' in urdu
    assert not re.search(r"\b(900|7001|501)\b", english), "no Telegram id"


async def test_status_and_the_end_of_the_walkthrough_link_to_the_published_page(
    emu: Emulator, tmp_path: Path
) -> None:
    async with running(emu, tmp_path, Clock(at(27)), results_url=URL) as hearing:
        await hearing.say(CITIZEN, "/status")
        status = hearing.last(CITIZEN)
        await hearing.answer_item(CITIZEN, "20")
        await hearing.say(CITIZEN, "/items")  # a jump from the list moves the walk there
        await hearing.press(CITIZEN, "20")
        await hearing.press(CITIZEN, "Skip ➡️")
        summary = hearing.last(CITIZEN)
    assert status.buttons()[-1] == [(BUTTON, URL)]
    assert "you have been through the whole plan" in summary.plain_text()
    assert summary.buttons()[-1] == [(BUTTON, URL)]


async def test_without_results_url_there_is_no_link(emu: Emulator, tmp_path: Path) -> None:
    async with running(emu, tmp_path, Clock(at(27))) as hearing:
        await hearing.say(CITIZEN, "/status")
        status = hearing.last(CITIZEN)
        await hearing.answer_item(CITIZEN, "20")
        await hearing.say(CITIZEN, "/items")
        await hearing.press(CITIZEN, "20")
        await hearing.press(CITIZEN, "Skip ➡️")
        summary = hearing.last(CITIZEN)
    assert BUTTON not in status.button_labels() + summary.button_labels()
