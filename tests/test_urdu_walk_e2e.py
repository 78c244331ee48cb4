"""The whole seed plan walked in Urdu, and no English in anything the bot showed on the way.

Every text, caption, button and toast the bot sent to the citizen's chat is scanned for Latin
words; what may stay Latin is named below, each with its reason."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.emulator import Emulator, SentMessage
from bot.hearing.plan import DEFAULT_PLAN_PATH, load_plan
from bot.hearing.privacy import pseudonym
from bot.views.texts import strip_html
from tests.harness import SECRET, Hearing, background, make_settings, query

CITIZEN, OTHERS, DRAFTER, MODERATOR = 8801, (8802, 8803, 8804), 8805, 8806
URDU_PLAN = load_plan(DEFAULT_PLAN_PATH.with_name("plan.ur.md"))
RESULTS_URL = "https://example.org/hearing-results/"
# Others' suggestions, quoted to the Urdu reader as they were written.
WRITTEN = {
    "1": "Coordinate with provincial police before every operation",
    "3": "Register every madrasa within a year",
    "18": "Protect jail staff as well",
}
PROPOSAL = "Compensate the families of victims within a month"
REPLY = "Which deadline would you set?"  # the drafter writes in English
MINE = "مدارس کے اندراج کی آخری تاریخ مقرر کی جائے"
HELD = "مجھ سے 0300-1234567 پر رابطہ کریں"  # a phone number: held for the moderators
ANSWER = "ایک سال کے اندر"
# Latin words an Urdu reader may see, and why:
# - the acronyms the Urdu plan keeps in brackets after the Urdu words, as the Urdu press does;
ACRONYMS = set(re.findall(r"\(([A-Za-z]+)\)", DEFAULT_PLAN_PATH.with_name("plan.ur.md")
                          .read_text("utf-8")))  # fmt: skip
# - "English", the other language's name written in itself, so that its readers find it.
ALLOWED = ACRONYMS | {"English"}
# Commands (typed as they are), web addresses and share links are not words of a language.
NOT_WORDS = re.compile(r"/[a-z_]+|https?://\S+|t\.me/\S+")
LATIN = re.compile(r"[A-Za-z]+")

STANCES = ["👍 حمایت", "👎 مخالفت", "🤔 غیر یقینی"]
PRIORITIES = ["زیادہ", "درمیانی", "کم"]
VOTES = ["👍 متفق", "👎 غیر متفق", "🤷 رائے نہیں"]


@pytest.fixture
async def hearing(emu: Emulator, tmp_path: Path) -> AsyncIterator[Hearing]:
    """The seed hearing with a published results page, and others' suggestions and proposal."""
    settings = make_settings(tmp_path, results_url=RESULTS_URL, drafter_ids=frozenset({DRAFTER}),
                             moderator_ids=frozenset({MODERATOR}))  # fmt: skip
    async with Hearing(emu, settings) as running:
        await running.open_chats(DRAFTER, MODERATOR)
        for user, (item, text) in zip(OTHERS, WRITTEN.items(), strict=True):
            await running.suggest(user, item, text)
        await running.say(OTHERS[0], "/propose")
        await running.say(OTHERS[0], PROPOSAL)
        yield running


@dataclass
class Reader:
    """The citizen who reads Urdu: what they send, and the presses whose answers they read."""

    hearing: Hearing
    presses: set[str | None] = field(default_factory=set)

    async def press(self, label: str, message: SentMessage | None = None) -> None:
        """Press a button on a message (default: the latest with buttons)."""
        target = message or self.hearing.with_buttons(CITIZEN)
        update = self.hearing.emu.press(CITIZEN, target.message_id, label)
        await self.hearing.settle()
        self.presses.add(self.hearing.emu.query_id_for(update))

    async def say(self, text: str) -> list[SentMessage]:
        """Send a message."""
        return await self.hearing.say(CITIZEN, text)


def shown(calls: list[tuple[str, dict[str, Any]]], reader: Reader) -> Iterator[tuple[str, str]]:
    """Yield (where, text) for every text, caption, button and toast the reader was sent."""
    for method, params in calls:
        if method == "answerCallbackQuery":
            if params.get("text") and params.get("callback_query_id") in reader.presses:
                yield "toast", params["text"]
            continue
        if str(params.get("chat_id")) != str(CITIZEN):
            continue
        for key in ("text", "caption"):
            if params.get(key):
                yield method, strip_html(params[key])
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                yield "button", button["text"]
                # A share button's link carries the text the citizen's contacts will read.
                shared = parse_qs(urlsplit(button.get("url", "")).query).get("text", [])
                yield from (("share", text) for text in shared)


def english(text: str) -> set[str]:
    """Return the Latin words of a text, once quoted suggestions and allowed words are out."""
    for quoted in (*WRITTEN.values(), PROPOSAL, REPLY):
        text = text.replace(quoted, "")
    return set(LATIN.findall(NOT_WORDS.sub("", text))) - ALLOWED


async def walk(reader: Reader) -> None:
    """Walk every item in Urdu: stance, priority, votes on others' suggestions, a sub-item,
    a suggestion, then the end of the walkthrough and the proposed item."""
    hearing = reader.hearing
    hearing.emu.send_message(CITIZEN, "/start", language_code="ur")  # a phone set to Urdu
    await hearing.settle()
    await reader.press("شروع کریں")
    stances, priorities, votes = (itertools.cycle(x) for x in (STANCES, PRIORITIES, VOTES))
    for item in URDU_PLAN.items:
        message = hearing.with_buttons(CITIZEN)
        await reader.press(next(stances), message)
        await reader.press(next(priorities), message)
        while (card := hearing.last(CITIZEN)).message_id != message.message_id and any(
            label in card.button_labels() for label in VOTES
        ):
            await reader.press(next(votes), card)
            if hearing.last(CITIZEN).message_id == card.message_id:
                break
        labels = hearing.emu.message(CITIZEN, message.message_id).button_labels()  # type: ignore[union-attr]
        if item.id == "9":
            await reader.press(next(x for x in labels if "ذیلی" in x), message)
            points = hearing.last(CITIZEN)
            await reader.press("9.1 👍", points)
            await reader.press(points.button_labels()[-1], points)
        if item.id in ("3", "5"):  # saved (or held), the next item follows
            await reader.press("✍️ تجویز دیں", message)
            await reader.say(MINE if item.id == "3" else HELD)
        else:
            await reader.press("چھوڑیں ➡️", message)


async def after_the_walk(reader: Reader) -> None:
    """Go on from the end of the walkthrough: vote on the proposed item, propose one, follow
    the priority items, agree to follow-up questions; report a suggestion."""
    hearing = reader.hearing
    summary = hearing.last(CITIZEN)
    labels = summary.button_labels()
    await reader.press(labels[1], summary)  # vote on proposed items
    await reader.press(VOTES[0], hearing.last(CITIZEN))
    await reader.press(labels[1], summary)  # none left
    await reader.press(labels[2], summary)  # follow the priority items
    await reader.press(labels[3], summary)  # follow-up questions: yes
    await reader.press(labels[0], summary)  # propose a new item, then cancel
    await reader.press(hearing.last(CITIZEN).button_labels()[0])
    await reader.press(labels[0], summary)
    await reader.say("متاثرہ خاندانوں کو ایک ماہ میں معاوضہ دیا جائے")
    [card] = await hearing.open_link(CITIZEN, "s-1")  # someone else's suggestion
    await reader.press("🚩 رپورٹ کریں", card)
    reasons = hearing.emu.message(CITIZEN, card.message_id)
    assert reasons is not None
    await reader.press(reasons.button_labels()[0], reasons)


async def drafters_answer(reader: Reader) -> None:
    """The drafter replies to the citizen's suggestion and adopts it; the citizen answers."""
    hearing = reader.hearing
    [sid] = [int(str(r[0])) for r in await query(hearing.settings.database_path,
             "SELECT id FROM suggestions WHERE text = ?", MINE)]  # fmt: skip
    [card] = await hearing.say(DRAFTER, f"/start d-{sid}")
    await hearing.press(DRAFTER, "💬 Reply to the author", card)
    await hearing.say(DRAFTER, REPLY)
    await reader.press(hearing.last(CITIZEN).button_labels()[0])  # answer the drafter
    await reader.say(ANSWER)
    # The drafter is told of the answer by the outbox, in the background: once it has gone,
    # the drafter's next command is answered by its card alone.
    await background(hearing.app).outbox.wait_idle()
    assert ANSWER in hearing.last(DRAFTER).plain_text()
    [card] = await hearing.say(DRAFTER, f"/start d-{sid}")
    await hearing.press(DRAFTER, "✅ Adopted", card)


async def moderators_decide(reader: Reader) -> None:
    """A moderator hides the held suggestion (it held a phone number): its author is told."""
    hearing = reader.hearing
    [card] = await hearing.say(MODERATOR, "/queue")
    await hearing.press(MODERATOR, "🙈 Hide", card)
    reasons = hearing.emu.message(MODERATOR, card.message_id)
    assert reasons is not None
    await hearing.press(MODERATOR, "Private information", reasons)


async def commands(reader: Reader) -> None:
    """Send every citizen's command, open what they offer, and send what the bot cannot use."""
    hearing = reader.hearing
    for command in ("/mine", "/groups", "/help", "/mydata", "/status", "/updates", "/followups",
                    "/suggestions", "/foo", "just some words"):  # fmt: skip
        await reader.say(command)
    await reader.say("/items")
    await reader.press("20")
    await reader.press("⬅️ پیچھے")
    await reader.say("/status")
    await reader.press("18")
    await reader.press(hearing.last(CITIZEN).button_labels()[0])  # follow item 18
    await reader.say("/delete")
    await reader.press(hearing.last(CITIZEN).button_labels()[-1])  # keep it all
    await reader.say("/language")
    await reader.press("✓ اردو")


async def test_the_whole_seed_plan_in_urdu_shows_no_english(hearing: Hearing) -> None:
    reader, start = Reader(hearing), len(hearing.emu.calls)
    await walk(reader)
    assert "شکریہ: آپ پورا منصوبہ مکمل کر چکے ہیں" in hearing.last(CITIZEN).plain_text()
    await after_the_walk(reader)
    await drafters_answer(reader)
    await moderators_decide(reader)
    await commands(reader)
    seen = list(shown(hearing.emu.calls[start:], reader))
    assert {"sendMessage", "editMessageText", "sendDocument", "button", "toast", "share"} <= {
        where for where, _ in seen
    }
    found = sorted({(where, word, text[:90]) for where, text in seen for word in english(text)})
    assert found == []
    pid, path = pseudonym(SECRET, CITIZEN), hearing.settings.database_path
    answered = await query(path, "SELECT COUNT(*) FROM stances WHERE participant_id = ?", pid)
    assert answered == [(21,)], "20 items and one sub-item"
    voted = await query(path, "SELECT COUNT(*) FROM votes WHERE participant_id = ?", pid)
    assert voted == [(len(WRITTEN) + 1,)], "every suggestion of others, and the proposal"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("👍 Support", {"Support"}),
        ("✅ شکریہ Saved", {"Saved"}),
        (f"💬 نکتہ 1 پر ایک تجویز: {WRITTEN['1']}", set()),  # quoted as written
        ("⁨/items⁩ سے https://t.me/hearing_test_bot?start=item-5 (PEMRA) English 12%", set()),
    ],
)
def test_the_scan_finds_english_words_and_nothing_else(text: str, words: set[str]) -> None:
    assert english(text) == words


def test_the_scan_reads_texts_buttons_share_links_and_only_the_readers_toasts() -> None:
    reader = Reader(hearing=None, presses={"q1"})  # type: ignore[arg-type]
    share = "https://t.me/share/url?url=https%3A%2F%2Ft.me%2Fx&text=Say+what+you+think"
    calls: list[tuple[str, dict[str, Any]]] = [
        ("sendMessage", {"chat_id": CITIZEN, "text": "<b>Item</b> 1",
                         "reply_markup": {"inline_keyboard": [[{"text": "Skip", "url": share}]]}}),
        ("editMessageText", {"chat_id": OTHERS[0], "text": "Not the reader's"}),
        ("sendDocument", {"chat_id": CITIZEN, "caption": "Your data"}),
        ("answerCallbackQuery", {"callback_query_id": "q1", "text": "Saved"}),
        ("answerCallbackQuery", {"callback_query_id": "q2", "text": "Someone else's"}),
    ]  # fmt: skip
    assert list(shown(calls, reader)) == [
        ("sendMessage", "Item 1"),
        ("button", "Skip"),
        ("share", "Say what you think"),
        ("sendDocument", "Your data"),
        ("toast", "Saved"),
    ]
