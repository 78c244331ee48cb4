"""The hearing in the citizen's language: chosen at /start or /language, walked in Urdu."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import Emulator
from bot.hearing.plan import DEFAULT_PLAN_PATH, Plan, load_plan
from bot.hearing.privacy import pseudonym
from tests.harness import SECRET, Hearing, make_settings, query

CITIZEN, OTHER, DRAFTER = 801, 802, 7001
URDU_PLAN = load_plan(DEFAULT_PLAN_PATH.with_name("plan.ur.md"))
FSI, PDI = "\u2068", "\u2069"
STOP = "\u06d4"  # the Urdu full stop (ruff takes it for a look-alike if written out)
# Written out here rather than read from content/locale/ur.po, so that a fallback to English
# (or a catalogue that lost its Urdu) fails these tests.
UR_STANCES = {"support": "👍 حمایت", "oppose": "👎 مخالفت", "unsure": "🤔 غیر یقینی"}
UR_PRIORITIES = {"high": "زیادہ", "medium": "درمیانی", "low": "کم"}
UR_ITEM_BUTTONS = [*UR_STANCES.values(), "⬅️ پیچھے", "چھوڑیں ➡️", "↗️ شیئر کریں"]
UR_AFTER_PRIORITY = ["✍️ تجویز دیں", "⬅️ پیچھے", "چھوڑیں ➡️", "↗️ شیئر کریں"]
UR_BEGIN, UR_NAME, UR_CHOSEN = "شروع کریں", "اردو", f"یہ سماعت اب اردو میں ہے{STOP}"


def header(position: int, total: int) -> str:
    """The Urdu item header as a reader's client receives it (isolates and all)."""
    return f"{FSI}{total}{PDI} میں سے نکتہ {FSI}{position}{PDI}"


async def language_of(hearing: Hearing, user: int) -> object:
    """Read a participant's stored language."""
    rows = await query(hearing.settings.database_path,
                       "SELECT language FROM participants WHERE id = ?",
                       pseudonym(SECRET, user))  # fmt: skip
    return rows[0][0] if rows else "no participant"


async def say_from_urdu_phone(hearing: Hearing, user: int, text: str) -> None:
    """Send a message from a Telegram client set to Urdu."""
    hearing.emu.send_message(user, text, language_code="ur")
    await hearing.settle()


async def test_the_whole_seed_plan_in_urdu(hearing: Hearing, plan: Plan) -> None:
    await hearing.say(CITIZEN, "/start")
    welcome = hearing.last(CITIZEN)
    assert welcome.button_labels() == ["Begin", "✓ English", UR_NAME]
    assert await language_of(hearing, CITIZEN) is None, "not chosen yet"
    answer = hearing.emu.press(CITIZEN, welcome.message_id, UR_NAME)
    await hearing.settle()
    assert (hearing.emu.answer_for(answer) or {}).get("text") == UR_CHOSEN
    welcome = hearing.last(CITIZEN)
    assert URDU_PLAN.title in welcome.plain_text() and "فرضی شناخت" in welcome.plain_text()
    assert welcome.button_labels() == [UR_BEGIN], "chosen: no longer offered"
    assert await language_of(hearing, CITIZEN) == "ur"
    await hearing.press(CITIZEN, UR_BEGIN)

    stances = itertools.cycle(UR_STANCES)
    priorities = itertools.cycle(["high", "medium", "low", "high"])
    expected: dict[str, tuple[str, str]] = {}
    for position, (item, urdu) in enumerate(zip(plan.items, URDU_PLAN.items, strict=True), 1):
        message = hearing.with_buttons(CITIZEN)
        text = message.plain_text()
        assert header(position, len(plan.items)) in text
        assert urdu.text in text and item.text not in text, "the Urdu plan's wording"
        for sub in urdu.children:
            assert f"{sub.number}. {sub.text}" in text
        assert "کیا آپ اس نکتے کی حمایت کرتے ہیں؟" in text
        assert message.button_labels() == UR_ITEM_BUTTONS
        stance, priority = next(stances), next(priorities)
        await hearing.press(CITIZEN, UR_STANCES[stance], message)
        await hearing.press(CITIZEN, UR_PRIORITIES[priority], message)
        points = [f"🔎 اس کے {FSI}{len(item.children)}{PDI} ذیلی نکات"] if item.children else []
        after = [UR_AFTER_PRIORITY[0], *points, *UR_AFTER_PRIORITY[1:]]
        assert hearing.emu.messages(CITIZEN)[-1].button_labels() == after
        if position % 5 == 0:
            await hearing.press(CITIZEN, "✍️ تجویز دیں", message)
            await hearing.say(CITIZEN, f"نکتہ {item.id} پر تجویز: مدارس کا اندراج")
        else:
            await hearing.press(CITIZEN, "چھوڑیں ➡️", message)
        expected[item.id] = (stance, priority)

    summary = hearing.last(CITIZEN).plain_text()
    assert f"شکریہ: آپ پورا منصوبہ مکمل کر چکے ہیں{STOP}" in summary
    assert f"آپ نے {FSI}20{PDI} میں سے {FSI}20{PDI} نکات کا جواب دیا" in summary
    path = hearing.settings.database_path
    pid = pseudonym(SECRET, CITIZEN)
    stored = await query(path, "SELECT item_id, stance, priority FROM stances WHERE "
                         "participant_id = ?", pid)  # fmt: skip
    assert {r[0]: (r[1], r[2]) for r in stored} == expected
    suggestions = await query(path, "SELECT item_id, text FROM suggestions ORDER BY id")
    assert suggestions == [
        (n, f"نکتہ {n} پر تجویز: مدارس کا اندراج") for n in ["5", "10", "15", "20"]
    ]
    assert await query(path, "SELECT step FROM participants") == [("finished",)]
    latin = [label for m in hearing.emu.messages(CITIZEN)[1:] for label in m.button_labels()
             if any("a" <= c.lower() <= "z" for c in label)]  # fmt: skip
    assert latin == [], "no English button once Urdu was chosen"


async def test_switching_language_mid_way_keeps_answers_and_position(hearing: Hearing) -> None:
    await hearing.say(CITIZEN, "/start")
    await hearing.press(CITIZEN, "Begin")
    for _ in range(2):
        item = hearing.with_buttons(CITIZEN)
        await hearing.press(CITIZEN, "👍 Support", item)
        await hearing.press(CITIZEN, "High", item)
        await hearing.press(CITIZEN, "Skip ➡️", item)
    assert await language_of(hearing, CITIZEN) == "en", "going on from the welcome keeps it"

    [question] = await hearing.say(CITIZEN, "/language")
    assert "English or in Urdu" in question.plain_text()
    assert question.button_labels() == ["✓ English", UR_NAME]
    await hearing.press(CITIZEN, UR_NAME, question)
    assert await language_of(hearing, CITIZEN) == "ur"
    resumed = hearing.last(CITIZEN)
    assert resumed.message_id == question.message_id, "the question becomes the welcome"
    [resume, _] = resumed.button_labels()
    await hearing.press(CITIZEN, resume, resumed)
    item3 = hearing.last(CITIZEN).plain_text()
    assert header(3, 20) in item3 and URDU_PLAN.items[2].text in item3

    [question] = await hearing.say(CITIZEN, "/language")
    assert f"{FSI}/language{PDI}" in question.plain_text()
    assert question.button_labels() == [f"✓ {UR_NAME}", "English"]
    await hearing.press(CITIZEN, "English", question)
    assert await language_of(hearing, CITIZEN) == "en"
    assert hearing.last(CITIZEN).button_labels()[0] == "Continue from item 3"
    path = hearing.settings.database_path
    assert await query(path, "SELECT item_id, stance FROM stances ORDER BY item_id") == [
        ("1", "support"), ("2", "support")
    ]  # fmt: skip
    history = await query(path, "SELECT language FROM participants")
    assert history == [("en",)]


async def test_an_urdu_phone_gets_urdu_first_and_keeps_it_once_going(hearing: Hearing) -> None:
    await say_from_urdu_phone(hearing, CITIZEN, "/start")
    welcome = hearing.last(CITIZEN)
    assert URDU_PLAN.title in welcome.plain_text()
    assert welcome.button_labels() == [UR_BEGIN, f"✓ {UR_NAME}", "English"]
    assert await language_of(hearing, CITIZEN) is None, "preselected, not yet chosen"
    await hearing.press(CITIZEN, UR_BEGIN, welcome)
    assert await language_of(hearing, CITIZEN) == "ur"
    assert header(1, 20) in hearing.last(CITIZEN).plain_text()
    # The phone's language changes later: the choice stays.
    await hearing.say(CITIZEN, "/items")
    assert "English" not in hearing.last(CITIZEN).plain_text()
    assert URDU_PLAN.items[0].text[:20] in hearing.last(CITIZEN).plain_text()


async def test_an_english_phone_may_choose_urdu_at_the_first_welcome(hearing: Hearing) -> None:
    await hearing.say(OTHER, "/start")
    await hearing.press(OTHER, UR_NAME)
    await hearing.say(OTHER, "/help")
    assert "یہ سماعت کیسے کام کرتی ہے" in hearing.last(OTHER).plain_text()
    menu = {c["command"]: c["description"] for c in hearing.emu.commands}
    assert menu["language"] == "سماعت اردو یا انگریزی میں پڑھیں", "their chat's menu in Urdu"
    assert menu["start"] != "Begin or continue the hearing"


@pytest.mark.parametrize(
    "data", ["v1:lg:fr", "v1:lg:", "v1:lg:UR", "v1:lg:ur:1", "v1:lg:en-GB", "v2:lg:ur", "v1:lg"]
)
async def test_a_forged_language_button_changes_nothing(hearing: Hearing, data: str) -> None:
    await hearing.say(CITIZEN, "/start")
    welcome = hearing.last(CITIZEN)
    before = len(hearing.emu.messages(CITIZEN))
    hearing.emu.press_button(CITIZEN, welcome.message_id, data, check=False)
    await hearing.settle()
    assert await language_of(hearing, CITIZEN) is None
    assert len(hearing.emu.messages(CITIZEN)) == before and hearing.last(CITIZEN).edits == 0
    await hearing.say(CITIZEN, "/help")
    assert "How this hearing works" in hearing.last(CITIZEN).plain_text()


@pytest.fixture
async def drafting(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> AsyncIterator[Hearing]:
    """A hearing with a drafter, and every answer shown in the digest (no minimum group)."""
    settings = make_settings(tmp_path, drafter_ids=frozenset({DRAFTER}), min_group_size=1)
    async with Hearing(emu, settings) as hearing:
        yield hearing


async def test_an_urdu_drafter_gets_the_digest_and_authors_their_notices_in_their_own_language(
    drafting: Hearing,
) -> None:
    await drafting.say(DRAFTER, "/language")
    await drafting.press(DRAFTER, UR_NAME)
    await say_from_urdu_phone(drafting, CITIZEN, "/start")
    await drafting.press(CITIZEN, UR_BEGIN)
    await drafting.press(CITIZEN, UR_STANCES["support"])
    await drafting.press(CITIZEN, UR_PRIORITIES["high"])
    await drafting.press(CITIZEN, "✍️ تجویز دیں")
    await drafting.say(CITIZEN, "مدارس کا اندراج لازمی ہو")
    sid = await drafting.suggest(OTHER, "1", "Register every one")  # an English reader

    sent = await drafting.say(DRAFTER, "/digest")
    digest = "\n".join(m.plain_text() for m in sent if m.kind == "text")
    assert f"📊 خلاصہ: {FSI}{URDU_PLAN.title}{PDI}" in digest
    assert f"\n1. {URDU_PLAN.items[0].text[:40]}" in digest, "the items in the Urdu plan"
    assert f"👍 {FSI}2{PDI} ({FSI}100%{PDI})" in digest
    chart = sent[-1]
    assert chart.kind == "photo" and chart.caption is not None
    assert any("\u0600" <= c <= "\u06ff" for c in chart.caption), "the caption is Urdu"

    written = {
        sid - 1: (CITIZEN, "مدارس کا اندراج لازمی ہو"),
        sid: (OTHER, "Register every one"),
    }
    for suggestion, (author, text) in written.items():
        [card] = await drafting.say(DRAFTER, f"/start d-{suggestion}")
        assert text in card.plain_text(), "a suggestion is shown as it was written"
        assert "✅ منظور" in card.button_labels()
        await drafting.press(DRAFTER, "✅ منظور", card)
        notice = drafting.last(author).plain_text()
        assert text in notice
        if author == CITIZEN:
            assert "نے آپ کی تجویز منظور کر لی ہے" in notice
        else:
            assert "adopted" in notice


async def test_clients_set_to_urdu_get_the_command_menu_in_urdu(hearing: Hearing) -> None:
    assert hearing.app is not None
    urdu = {c.command: c.description for c in await hearing.app.bot.get_my_commands(
        language_code="ur")}  # fmt: skip
    english = {c.command: c.description for c in await hearing.app.bot.get_my_commands()}
    assert set(urdu) == set(english) and "language" in urdu
    assert urdu["language"] == "سماعت اردو یا انگریزی میں پڑھیں"
    assert english["language"] == "Read the hearing in English or Urdu"
