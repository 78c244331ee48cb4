"""Property-based: random updates against the real bot never crash it, store nothing they
should not, and every reply fits Telegram's limits and is valid Telegram HTML.

One hearing runs for the whole module on its own event loop, so that examples accumulate state
(a forged button may meet a citizen half-way through a suggestion). Example count: the
"fuzz" profile, overridable with FUZZ_EXAMPLES; an example sends 1 to 5 updates. Every update a
person sends in private, and every press, must be answered. The last test checks the whole
database and says how many updates were sent (written as JSON to FUZZ_REPORT, if set).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.emulator import Emulator, SentMessage
from bot.emulator.markup import parse_html, utf16_len
from bot.emulator.shapes import MEDIA_KINDS
from bot.emulator.unusual import (
    EXTRA_KINDS,
    last_text_message,
    send_channel_post,
    send_fields,
    send_forwarded,
)
from bot.hearing.digest_model import Digest, ItemStats, Participation, SuggestionGroup
from bot.hearing.privacy import pseudonym
from bot.services import Services
from bot.views.codec import Action
from bot.views.digest import render_digest
from bot.views.links import Links
from bot.views.texts import load_texts
from tests.harness import SECRET, TOKEN, Hearing, make_settings, query

settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("fuzz")

DRAFTER = 9100  # a drafter too, so that replies, decisions and broadcasts are fuzzed
CITIZENS = (DRAFTER, 9101, 9102, 9103)
GROUP, SUPERGROUP, CHANNEL = -4001, -1004002, -1004003
URDU = "دہشت گردی کے خلاف قومی لائحہ عمل پر آپ کی رائے"
SPECIAL_TEXTS = (
    URDU,
    "\u200fمتن\u200f mixed RTL",
    "\u202eevil reversed text",
    "👨\u200d👩\u200d👧\u200d👦 family",
    "a\u200db\u200cc\u2060d\ufeff",
    "\ud800 lone high surrogate",
    "lone low \udfff",
    "\udbff\ud800",
    "<b>bold</b> & <i>unclosed &amp; <script>",
    "&lt;&#0;&#xD800;&#1114112;",
    "/start item-1",
    "   \n\t  ",
    "x" * 4096,
    "ب" * 4096,
    "😀" * 2048,
    "y" * 10_000,
    "Ů" * 1000 + "\u0301" * 1000,
)
# Anything a client could type, surrogates included (hypothesis's default leaves them out).
any_char = st.characters(codec=None, exclude_categories=())
texts = st.one_of(
    st.sampled_from(SPECIAL_TEXTS),
    st.text(any_char, min_size=1, max_size=60),
    st.builds(lambda a, b: a + b, st.sampled_from(SPECIAL_TEXTS), st.text(any_char, max_size=20)),
)
numbers = st.one_of(st.integers(0, 25), st.integers(0, 10**13)).map(str)
arg_texts = st.one_of(numbers, st.sampled_from(["support", "high", "a", "d", "p", "", "-1", "x"]))
codec_like = st.builds(
    lambda action, args: ":".join(["v1", action.code, *args]),
    st.sampled_from(list(Action)),
    st.lists(arg_texts, max_size=3),
)
callback_data = st.one_of(
    codec_like,
    st.text(any_char, min_size=1, max_size=70),
    st.sampled_from(["v1", "v2:begin", "v1:", ":", "v1:st:1:support:extra", "v1:vt:1:a:99"]),
)
deep_links = st.one_of(
    st.builds("{}-{}".format, st.sampled_from(["item", "s", "d"]), st.integers(0, 30)),
    st.from_regex(r"(item|s|d)-[0-9]{1,14}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True),
    st.text(any_char, min_size=1, max_size=80),
)
COMMANDS = (
    "/start",
    "/items",
    "/mine",
    "/propose",
    "/help",
    "/updates",
    "/mydata",
    "/delete",
    "/digest",
    "/broadcast",
    "/export",
    "/frobnicate",
    "/start@hearing_test_bot",
    "/items@other_bot",
)
commands = st.one_of(deep_links.map(lambda link: f"/start {link}"), st.sampled_from(COMMANDS))


@dataclass(frozen=True)
class Step:
    """One thing a user (or a channel) does."""

    kind: str
    user: int
    value: Any = None
    extra: Any = None


citizen = st.sampled_from(CITIZENS)
steps = st.one_of(
    st.builds(Step, st.just("text"), citizen, texts),
    st.builds(Step, st.just("text"), citizen, commands),
    st.builds(Step, st.just("text"), citizen, st.sampled_from(COMMANDS)),
    st.builds(Step, st.just("press"), citizen, callback_data, st.booleans()),
    st.builds(Step, st.just("tap"), citizen, st.integers(0, 30), st.integers(1, 3)),
    st.builds(Step, st.just("tap"), citizen, st.integers(0, 30), st.integers(1, 3)),
    st.builds(Step, st.just("other"), citizen, st.sampled_from([*MEDIA_KINDS, *EXTRA_KINDS])),
    st.builds(Step, st.just("edit"), citizen, st.one_of(texts, commands)),
    st.builds(
        Step,
        st.just("forward"),
        citizen,
        texts,
        st.sampled_from(["user", "hidden_user", "channel"]),
    ),
    st.builds(
        Step,
        st.just("group"),
        citizen,
        st.one_of(texts, commands),
        st.sampled_from([GROUP, SUPERGROUP]),
    ),
    st.builds(Step, st.just("group_press"), citizen, callback_data),
    st.builds(Step, st.just("channel"), st.just(0), texts, st.booleans()),
)


@dataclass
class Fuzzed:
    """The running hearing, its loop, and what the examples so far did."""

    runner: asyncio.Runner
    hearing: Hearing
    errors: list[logging.LogRecord]
    private_users: set[int] = field(default_factory=set)
    examples: int = 0
    updates: int = 0
    answers_owed: int = 0
    unanswered: int = 0
    errors_logged: int = 0
    warnings_logged: int = 0
    started: float = field(default_factory=time.monotonic)


class _Errors(logging.Handler):
    def __init__(self, sink: list[logging.LogRecord]) -> None:
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    """One bot against one emulator for every example, on a loop of its own."""
    errors: list[logging.LogRecord] = []
    handler = _Errors(errors)
    logging.getLogger().addHandler(handler)
    with asyncio.Runner() as runner:
        emu = Emulator(token=TOKEN, bot_username="hearing_test_bot")
        runner.run(emu.start())
        settings = make_settings(Path(tmp_path_factory.mktemp("fuzz")))
        hearing = Hearing(emu, replace(settings, drafter_ids=frozenset({DRAFTER})))
        runner.run(hearing.start())
        try:
            yield Fuzzed(runner, hearing, errors)
        finally:
            runner.run(hearing.stop())
            runner.run(emu.stop())
            logging.getLogger().removeHandler(handler)


PRIVATE_KINDS = ("text", "other", "edit", "forward", "press", "tap")
RECENT = 30


def perform(fz: Fuzzed, step: Step) -> int | None:
    """Enqueue one step's update in the emulator; return its update id (None if it sent none)."""
    emu, user = fz.hearing.emu, step.user
    if step.kind in PRIVATE_KINDS:
        fz.private_users.add(user)
    if step.kind == "text":
        return emu.send_message(user, step.value)
    if step.kind == "press":
        sent = recent(emu, user)
        message_id = sent[-1].message_id if sent and step.extra else 1_000_000
        return emu.press_button(user, message_id, step.value, check=False)
    if step.kind == "tap":
        return tap(emu, user, step.value, step.extra)
    if step.kind == "other":
        fields = EXTRA_KINDS.get(step.value)
        if fields is None:
            return emu.send_other(user, step.value)
        return send_fields(emu, user, fields)
    if step.kind == "edit":
        message_id = last_text_message(emu, user)
        if message_id is None:
            return emu.send_message(user, step.value)
        return emu.edit_message(user, message_id, step.value)
    if step.kind == "forward":
        return send_forwarded(emu, user, step.value, step.extra)
    if step.kind == "group":
        kind = "group" if step.extra == GROUP else "supergroup"
        return emu.send_message(user, step.value, chat_id=step.extra, chat_type=kind)
    if step.kind == "group_press":
        if not emu.messages(GROUP):
            return None
        message_id = emu.messages(GROUP)[-1].message_id
        return emu.press_button(user, message_id, step.value, chat_id=GROUP, check=False)
    return send_channel_post(emu, CHANNEL, step.value, edited=step.extra)


def recent(emu: Emulator, chat_id: int) -> list[SentMessage]:
    """Return the bot's latest messages in a chat (a long run's chats hold thousands)."""
    return emu.messages_since(chat_id, max(0, emu.cursor(chat_id) - RECENT))


def tap(emu: Emulator, user: int, index: int, back: int) -> int | None:
    """Press a real button on one of the user's latest messages that carry buttons."""
    with_buttons = [m for m in recent(emu, user) if m.buttons()][-back:]
    if not with_buttons:
        return emu.send_message(user, "/start")
    message = with_buttons[0]
    data = [d for row in message.buttons() for _, d in row if not d.startswith("http")]
    if not data:
        return None
    return emu.press_button(user, message.message_id, data[index % len(data)])


@given(st.lists(steps, min_size=1, max_size=5))
@settings(FUZZ)
def test_random_updates_never_break_the_bot(fuzzed: Fuzzed, batch: list[Step]) -> None:
    fz, emu = fuzzed, fuzzed.hearing.emu
    fz.errors.clear()
    calls_before = len(emu.calls)
    sent = [(step, perform(fz, step)) for step in batch]
    fz.examples += 1
    fz.runner.run(fz.hearing.settle())
    problems = [f"{r.name}: {r.getMessage()}" for r in fz.errors if r.levelno >= logging.ERROR]
    fz.errors_logged += len(problems)
    fz.warnings_logged += sum(r.levelno == logging.WARNING for r in fz.errors)
    assert problems == [], "no error logged"
    check_replies(emu.calls[calls_before:])
    fz.runner.run(check_answered(fz, {u: step for step, u in sent if u is not None}))
    fz.runner.run(check_storage(fz))


async def check_answered(fz: Fuzzed, sent: dict[int, Step]) -> None:
    """Every update reached the bot; every press got its answer, and every message a person
    sent in private got a message back (a message of its reply was sent: the inbox marks it)."""
    emu = fz.hearing.emu
    marks = ", ".join("?" * len(sent))
    async with (
        services_of(fz).db.reading() as repos,
        repos.conn.execute(
            f"SELECT update_id, reply_begun FROM inbox WHERE update_id IN ({marks})", tuple(sent)
        ) as cursor,
    ):
        begun = {int(row[0]): int(row[1]) for row in await cursor.fetchall()}
    assert set(begun) == set(sent), "every update was delivered and stored"
    fz.updates += len(sent)
    for update_id, step in sent.items():
        if emu.query_id_for(update_id) is not None:
            answered = emu.answer_for(update_id) is not None
        elif step.kind in PRIVATE_KINDS:
            answered = begun[update_id] != 0
        else:
            continue  # a group's chatter or a channel post: the bot may stay silent
        fz.answers_owed += 1
        fz.unanswered += not answered
        assert answered, f"update {update_id} ({step.kind}) was not answered"


def services_of(fz: Fuzzed) -> Services:
    """Return the running bot's services."""
    app = fz.hearing.app
    assert app is not None and app.bot_data.services is not None
    return app.bot_data.services


def check_replies(calls: list[tuple[str, dict[str, Any]]]) -> None:
    """Every text is valid Telegram HTML within the limits; every keyboard fits too."""
    for method, params in calls:
        if method in ("sendMessage", "editMessageText"):
            plain, _ = parse_html(str(params["text"]))
            assert plain.strip() and utf16_len(plain) <= 4096, method
        if method in ("sendDocument", "sendPhoto") and params.get("caption"):
            plain, _ = parse_html(str(params["caption"]))
            assert utf16_len(plain) <= 1024, method
        if method == "answerCallbackQuery" and params.get("text"):
            assert utf16_len(str(params["text"])) <= 200
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            buttons = [b for row in markup["inline_keyboard"] for b in row]
            assert len(buttons) <= 100
            for button in buttons:
                assert button["text"]
                if "callback_data" in button:
                    assert 1 <= len(button["callback_data"].encode()) <= 64


INVARIANTS = {
    "an update left unhandled": "SELECT COUNT(*) FROM inbox WHERE status = 'pending'",
    "a handled update's payload kept": (
        "SELECT COUNT(*) FROM inbox WHERE status <> 'pending' AND payload IS NOT NULL"
    ),
    "a suggestion without a posted draft": (
        "SELECT COUNT(*) FROM suggestions s WHERE NOT EXISTS (SELECT 1 FROM suggestion_drafts d"
        " WHERE d.suggestion_id = s.id AND d.outcome = 'posted'"
        " AND d.participant_id = s.participant_id AND d.text = s.text)"
    ),
    "an empty or overlong suggestion": (
        "SELECT COUNT(*) FROM suggestions WHERE trim(text) = '' OR length(text) > 1000"
    ),
    "a vote on one's own suggestion": (
        "SELECT COUNT(*) FROM votes v JOIN suggestions s ON s.id = v.suggestion_id"
        " WHERE s.participant_id = v.participant_id"
    ),
    "a drafter's act by a citizen": (
        "SELECT (SELECT COUNT(*) FROM suggestion_responses WHERE responder_id <> :drafter)"
        " + (SELECT COUNT(*) FROM broadcasts WHERE author_id <> :drafter)"
    ),
    "a current vote that is not the latest in its history": (
        "SELECT COUNT(*) FROM votes v WHERE v.vote <> (SELECT h.vote FROM vote_history h"
        " WHERE h.participant_id = v.participant_id AND h.suggestion_id = v.suggestion_id"
        " ORDER BY h.id DESC LIMIT 1)"
    ),
}


async def check_storage(fz: Fuzzed) -> None:
    """Nothing is stored that the updates should not have caused."""
    services = services_of(fz)
    async with services.db.reading() as repos:
        for problem, sql in INVARIANTS.items():
            async with repos.conn.execute(sql, {"drafter": pseudonym(SECRET, DRAFTER)}) as cursor:
                row = await cursor.fetchone()
            assert row is not None and row[0] == 0, problem
        async with repos.conn.execute("SELECT id FROM participants") as cursor:
            participants = {str(row[0]) for row in await cursor.fetchall()}
        async with repos.conn.execute("SELECT DISTINCT item_id FROM stances") as cursor:
            items = {str(row[0]) for row in await cursor.fetchall()}
        async with repos.conn.execute("PRAGMA foreign_key_check") as cursor:
            assert await cursor.fetchall() == []
    assert participants <= {pseudonym(SECRET, user) for user in fz.private_users}, (
        "only people who wrote to the bot in private are registered"
    )
    assert items <= {item.id for item in services.plan.all_items()}, "sub-items too"


def test_the_fuzzed_hearing_ends_sound(fuzzed: Fuzzed) -> None:
    """After the last example the database is whole, and the run's figures are reported."""
    fz = fuzzed
    fz.runner.run(fz.hearing.settle())
    fz.runner.run(check_storage(fz))
    integrity, stored, left = fz.runner.run(final_state(fz))
    errors = fz.errors_logged + sum(r.levelno >= logging.ERROR for r in fz.errors)
    report = {
        "examples": fz.examples,
        "updates": fz.updates,
        "answers_owed": fz.answers_owed,
        "unanswered": fz.unanswered,
        "errors_logged": errors,
        "warnings_logged": fz.warnings_logged,
        "inbox_rows": stored,
        "inbox_not_done": left,
        "integrity_check": integrity,
        "seconds": round(time.monotonic() - fz.started, 1),
    }
    if path := os.environ.get("FUZZ_REPORT"):
        Path(path).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nfuzz run: {report}")
    assert integrity == "ok"
    assert stored == fz.updates, "every update sent is stored in the inbox, once"
    assert left == 0, "no update left pending or abandoned"
    assert errors == 0
    assert fz.unanswered == 0


async def final_state(fz: Fuzzed) -> tuple[str, int, int]:
    """Return PRAGMA integrity_check's verdict, the inbox's rows and those not done."""
    async with services_of(fz).db.reading() as repos:
        async with repos.conn.execute("PRAGMA integrity_check") as cursor:
            verdicts = [str(row[0]) for row in await cursor.fetchall()]
        async with repos.conn.execute(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE status <> 'done') FROM inbox"
        ) as cursor:
            row = await cursor.fetchone()
    assert row is not None
    return "; ".join(verdicts), int(row[0]), int(row[1])


# Letters from Unicode's "mathematical bold" block, as pasted from fancy-font generators: each
# is one character to Python but two UTF-16 code units, the unit of Telegram's 4,096 limit.
BOLD = {chr(c): chr(0x1D41A + c - ord("a")) for c in range(ord("a"), ord("z") + 1)}


def fancy(seed: int, length: int) -> str:
    """Bold-letter words, different for every seed, `length` UTF-16 code units long at most."""
    rng = random.Random(seed)
    text = ""
    while utf16_len(text) < length:
        text += "".join(BOLD[rng.choice("abcdefghijklmnopqrstuvwxyz")] for _ in range(7)) + " "
    while utf16_len(text) > length:
        text = text[:-1]
    return text.strip()


def assert_fits(messages: list[str]) -> None:
    """Every message is valid Telegram HTML within 4,096 UTF-16 code units."""
    for message in messages:
        plain, _ = parse_html(message)
        assert utf16_len(plain) <= 4096


async def test_mine_with_many_fancy_font_suggestions_fits_telegram(
    emu: Emulator, tmp_path: Path
) -> None:
    # Fourteen suggestions in a few seconds: more than SUGGESTIONS_PER_HOUR lets one person post.
    async with Hearing(emu, make_settings(tmp_path, suggestions_per_hour=100)) as hearing:
        citizen = 9201
        for item in range(1, 15):
            await hearing.suggest(citizen, str(item), fancy(item, 1000))
        replies = await hearing.say(citizen, "/mine")
    texts = [m.plain_text() for m in replies]
    assert not any("went wrong" in text for text in texts)
    assert sum(text.count("#") for text in texts) >= 14, "every suggestion is listed"
    assert_fits([m.html or "" for m in replies])


async def test_near_duplicates_in_fancy_font_fit_one_message(
    emu: Emulator, tmp_path: Path
) -> None:
    """The longest suggestion allowed, quoted with its near-duplicates, fits one message."""
    settings = replace(make_settings(tmp_path), suggestion_max_chars=1500)
    hearing = Hearing(emu, settings)
    await hearing.start()
    try:
        base = fancy(1, 1500)
        for citizen in (9301, 9302, 9303):
            await hearing.suggest(citizen, "2", base[: 740 - citizen % 10] + "!")
        item = await hearing.answer_item(9304, "2")
        await hearing.press(9304, "✍️ Add a suggestion", item)
        # 1,500 letters, but 2,800 UTF-16 code units: Telegram's measure decides.
        wide = "".join(BOLD[c] for c in "abcde") * 300
        refused = await hearing.say(9304, wide)
        assert "characters long; the limit is 1500" in refused[0].plain_text()
        replies = await hearing.say(9304, base)
        assert not any("went wrong" in m.plain_text() for m in replies)
        assert "📝 Post mine anyway" in replies[-1].button_labels()
        assert_fits([m.html or "" for m in replies])
    finally:
        await hearing.stop()


def test_a_digest_of_fancy_font_suggestions_is_split_under_the_limit() -> None:
    items = tuple(
        ItemStats(str(n), str(n), fancy(n, 200), 10, 5, 2, 60.0, (1, 0, -1)) for n in range(1, 21)
    )
    best = {
        str(n): tuple(
            SuggestionGroup(n * 10 + k, str(n), fancy(n * 10 + k, 400), 5, 1, 0) for k in range(3)
        )
        for n in range(1, 21)
    }
    digest = Digest("Plan", None, datetime(2026, 11, 27, tzinfo=UTC),
                    Participation(1, 2, 3, 4, 5), items, (), (), (), best)  # fmt: skip
    assert_fits(render_digest(load_texts(), digest, "Asia/Karachi", Links("hearing_bot")))


async def test_a_lone_surrogate_is_mended_and_stalls_no_one(hearing: Hearing) -> None:
    # Before the fix, storing this update in the inbox failed, and polling retried it for ever.
    item = await hearing.answer_item(9401, "4")
    await hearing.press(9401, "✍️ Add a suggestion", item)
    replies = await hearing.say(9401, "Protect \ud800 witnesses and \udfff judges in court")
    assert "Your suggestion on item 4 is saved" in replies[0].plain_text()
    rows = await query(hearing.settings.database_path, "SELECT text FROM suggestions")
    assert rows == [("Protect \ufffd witnesses and \ufffd judges in court",)]
    other = await hearing.say(9402, "/start")
    assert "Anti-Terror Action Plan" in other[0].plain_text(), "the next citizen is served"


async def test_a_fancy_font_broadcast_is_measured_as_telegram_does(
    emu: Emulator, tmp_path: Path
) -> None:
    hearing = Hearing(emu, replace(make_settings(tmp_path), drafter_ids=frozenset({DRAFTER})))
    await hearing.start()
    try:
        await hearing.say(DRAFTER, "/broadcast")
        # 2,000 letters but 4,000 UTF-16 code units: once quoted for confirmation, too long.
        refused = await hearing.say(DRAFTER, fancy(5, 2000) * 2)
        assert "the limit is 3500" in refused[0].plain_text()
        confirm = await hearing.say(DRAFTER, fancy(5, 3500))
        assert "This will go to" in confirm[0].plain_text()
        assert_fits([m.html or "" for m in confirm])
    finally:
        await hearing.stop()
