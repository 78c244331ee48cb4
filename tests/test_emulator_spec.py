"""The emulator holds every call to the Bot API specification, as Telegram does or should."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
)
from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot

from bot.emulator import Emulator
from bot.emulator.speclog import SpecWarning
from handlers.messaging import set_keyboard

TOKEN = "123456:TEST-TOKEN"
USER = 1001
ROOT = Path(__file__).resolve().parents[1]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
BUTTON = {"text": "Yes", "callback_data": "v1:yes"}


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(token=TOKEN) as emulator:
        emulator.send_message(USER, "hi")  # the chat exists, message 1 is the user's
        yield emulator


async def call(emu: Emulator, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    """Call the emulator as any Bot API client would, with a JSON body."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{emu.base_url}{TOKEN}/{method}", json=params) as response,
    ):
        return response.status, await response.json()


def markup(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"inline_keyboard": [list(buttons)]}


# --- what Telegram rejects: 400 (404 for a method it does not have) ---------------------------

REJECTED = [
    ("unknown method", "sendHologram", {"chat_id": USER}, 404, "Not Found"),
    ("missing required", "sendMessage", {"chat_id": USER}, 400, 'parameter "text" is required'),
    (
        "wrong type in an object",
        "sendMessage",
        {"chat_id": USER, "text": "x", "reply_markup": markup({"text": ["Yes"], "url": "tg://x"})},
        400,
        'can\'t parse reply_markup: field "reply_markup.inline_keyboard[0][0].text" must be '
        "String",
    ),
    (
        "buttons not in rows",
        "sendMessage",
        {"chat_id": USER, "text": "x", "reply_markup": {"inline_keyboard": [BUTTON]}},
        400,
        'field "reply_markup.inline_keyboard[0]" must be Array of InlineKeyboardButton',
    ),
    (
        "not JSON",
        "sendMessage",
        {"chat_id": USER, "text": "x", "reply_markup": "{inline_keyboard"},
        400,
        "can't parse reply_markup JSON object",
    ),
    (
        "callback data of 65 bytes",
        "sendMessage",
        {
            "chat_id": USER,
            "text": "x",
            "reply_markup": markup({"text": "x", "callback_data": "é" * 32 + "x"}),
        },
        400,
        "BUTTON_DATA_INVALID",
    ),
    (
        "a button with no action",
        "sendMessage",
        {"chat_id": USER, "text": "x", "reply_markup": markup({"text": "x"})},
        400,
        "Text buttons are unallowed in the inline keyboard",
    ),
    (
        "an object of no allowed type",
        "sendMessage",
        {"chat_id": USER, "text": "x", "reply_markup": {"keyboards": []}},
        400,
        "is none of InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove, ForceReply",
    ),
    (
        "bad HTML tag",
        "sendMessage",
        {"chat_id": USER, "text": "a<br>b", "parse_mode": "HTML"},
        400,
        'can\'t parse entities: Unsupported start tag "br" at byte offset 1',
    ),
    (
        "unclosed HTML tag",
        "sendMessage",
        {"chat_id": USER, "text": "<b>bold", "parse_mode": "HTML"},
        400,
        'Can\'t find end tag corresponding to start tag "b"',
    ),
    (
        "crossed HTML tags",
        "sendMessage",
        {"chat_id": USER, "text": "<b><i>x</b></i>", "parse_mode": "HTML"},
        400,
        'expected "</i>", found "</b>"',
    ),
    (
        "text of 4097 characters after parsing",
        "sendMessage",
        {"chat_id": USER, "text": "<b>" + "x" * 4097 + "</b>", "parse_mode": "HTML"},
        400,
        "message is too long",
    ),
    (
        "caption of 1025 characters",
        "sendPhoto",
        {"chat_id": USER, "photo": "https://example.org/a.png", "caption": "c" * 1025},
        400,
        "message caption is too long",
    ),
    (
        "callback answer of 201 characters",
        "answerCallbackQuery",
        {"callback_query_id": "1", "text": "x" * 201},
        400,
        "message is too long",
    ),
    (
        "command with a capital",
        "setMyCommands",
        {"commands": [{"command": "Start", "description": "Begin"}]},
        400,
        "BOT_COMMAND_INVALID",
    ),
    (
        "command of 33 characters",
        "setMyCommands",
        {"commands": [{"command": "c" * 33, "description": "Begin"}]},
        400,
        "BOT_COMMAND_INVALID",
    ),
    (
        "empty command description",
        "setMyCommands",
        {"commands": [{"command": "start", "description": ""}]},
        400,
        "command description is empty or too long",
    ),
    (
        "command description of 257 characters",
        "setMyCommands",
        {"commands": [{"command": "start", "description": "d" * 257}]},
        400,
        "command description is empty or too long",
    ),
    (
        "a scope of no known type",
        "setMyCommands",
        {"commands": [], "scope": {"type": "everyone"}},
        400,
        'field "scope" is none of BotCommandScopeDefault',
    ),
    (
        "a missing field in an object",
        "setMyCommands",
        {"commands": [{"command": "start"}]},
        400,
        'field "commands[0].description" is required in BotCommand',
    ),
]


@pytest.mark.parametrize(
    ("method", "params", "status", "description"),
    [case[1:] for case in REJECTED],
    ids=[case[0] for case in REJECTED],
)
async def test_what_telegram_rejects_fails_as_telegram_fails_it(
    emu: Emulator, method: str, params: dict[str, Any], status: int, description: str
) -> None:
    code, body = await call(emu, method, **params)
    assert (code, body["ok"], body["error_code"]) == (status, False, status)
    assert description in body["description"]
    prefix = "Bad Request: " if status == 400 else ""
    assert body["description"].startswith(prefix)
    assert emu.messages(USER) == [] and emu.spec_warnings == []


# --- what Telegram accepts but ignores: a spec warning, which fails the suite -----------------

QUESTION = 2  # the bot's question below, after the user's message 1
WARNED = [
    (
        "unknown parameter",
        "editMessageReplyMarkup",
        {"message_id": QUESTION, "parse_mode": "HTML"},
        'editMessageReplyMarkup: unknown parameter "parse_mode", which Telegram ignores',
    ),
    (
        "a button with two actions",
        "editMessageReplyMarkup",
        {
            "message_id": QUESTION,
            "reply_markup": markup({"text": "x", "callback_data": "v1:x", "url": "https://a.org"}),
        },
        'field "reply_markup.inline_keyboard[0][0]" sets callback_data, url, but '
        "InlineKeyboardButton allows only one",
    ),
    (
        "unknown field in an object",
        "editMessageReplyMarkup",
        {"message_id": QUESTION, "reply_markup": markup({**BUTTON, "colour": "red"})},
        'unknown field "reply_markup.inline_keyboard[0][0].colour" of InlineKeyboardButton',
    ),
    (
        "a number Telegram cannot read",
        "sendChatAction",
        {"action": "typing", "message_thread_id": "first"},
        'parameter "message_thread_id" must be Integer',
    ),
    (
        "unescaped > in HTML",
        "editMessageText",
        {"message_id": QUESTION, "text": "1 &lt; 2 > 0", "parse_mode": "HTML"},
        'unescaped ">" at byte offset 9, shown as text',
    ),
    (
        "an HTML attribute Telegram ignores",
        "editMessageText",
        {"message_id": QUESTION, "text": '<b class="x">bold</b>', "parse_mode": "HTML"},
        '<b> at byte offset 0: "class" is ignored',
    ),
]


@pytest.mark.parametrize(
    ("method", "params", "warning"),
    [case[1:] for case in WARNED],
    ids=[case[0] for case in WARNED],
)
async def test_what_telegram_ignores_is_a_spec_warning(
    emu: Emulator,
    spec_warnings: list[SpecWarning],
    method: str,
    params: dict[str, Any],
    warning: str,
) -> None:
    _, sent = await call(emu, "sendMessage", chat_id=USER, text="Q?", reply_markup=markup(BUTTON))
    assert sent["result"]["message_id"] == QUESTION
    status, body = await call(emu, method, chat_id=USER, **params)
    assert status == 200 and body["ok"], body  # accepted, as Telegram accepts it
    (found,) = emu.spec_warnings
    assert warning in str(found) and found.method == method
    # The suite's fixture saw it too; without this clear the test would fail at teardown.
    assert spec_warnings == [found]
    spec_warnings.clear()


def test_a_spec_warning_fails_the_test_that_caused_it(tmp_path: Path) -> None:
    test = tmp_path / "test_careless.py"
    test.write_text(
        "from tests.test_emulator_spec import TOKEN, call\n"
        "from bot.emulator import Emulator\n\n\n"
        "async def test_careless() -> None:\n"
        "    async with Emulator(token=TOKEN) as emu:\n"
        "        await call(emu, 'getMe', colour='red')\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "--rootdir", ROOT,
         "-c", ROOT / "pyproject.toml", "-p", "no:cacheprovider", test],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 passed, 1 error" in run.stdout
    assert 'getMe: unknown parameter "colour", which Telegram ignores' in run.stdout


# --- the happy path: what the bot does is within the spec -------------------------------------


async def test_calls_within_the_spec_pass_without_a_warning(emu: Emulator) -> None:
    defaults = Defaults(
        parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
    )
    html = (
        "<b>b</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <ins>n</ins> <s>s</s> "
        '<strike>k</strike> <del>d</del> <span class="tg-spoiler">p</span> '
        '<tg-spoiler>t</tg-spoiler> <a href="https://example.org/?a=1&amp;b=2">a</a> '
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> <code>c</code> '
        '<pre><code class="language-python">x = 1</code></pre> <blockquote>q</blockquote> '
        "<blockquote expandable>x</blockquote> &lt;&gt;&amp;&quot;&#38;&#x26;"
    )
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Yes", callback_data="é" * 32)],  # 64 bytes: the most
            [InlineKeyboardButton("Read", url="https://example.org/plan")],
        ]
    )
    async with ExtBot(TOKEN, base_url=emu.base_url, defaults=defaults) as bot:
        sent = await bot.send_message(USER, html, reply_markup=keyboard)
        await bot.edit_message_text("<b>edited</b>", USER, sent.message_id, reply_markup=keyboard)
        await bot.send_photo(USER, PNG, caption="<i>chart</i>")
        await bot.send_document(USER, b"a,b\n", filename="x.csv", caption="c" * 1024)
        await bot.send_chat_action(USER, "typing")
        await bot.set_my_commands(
            [BotCommand("start", "Begin"), BotCommand("my_items_2", "d" * 256)],
            scope=BotCommandScopeChat(USER),
            language_code="ur",
        )
        await bot.delete_message(USER, sent.message_id)
        await bot.get_updates(offset=-1, timeout=0, allowed_updates=["message"])
        await bot.set_webhook("https://example.org/hook", secret_token="s3cret_-token")
        await bot.delete_webhook(drop_pending_updates=True)
    assert [name for name, _ in emu.calls][-10:] == [
        "sendMessage", "editMessageText", "sendPhoto", "sendDocument", "sendChatAction",
        "setMyCommands", "deleteMessage", "getUpdates", "setWebhook", "deleteWebhook",
    ]  # fmt: skip
    assert emu.spec_warnings == []


async def test_the_bots_keyboard_edits_leave_out_the_default_parse_mode(
    emu: Emulator, spec_warnings: list[SpecWarning]
) -> None:
    defaults = Defaults(parse_mode=ParseMode.HTML)
    async with ExtBot(TOKEN, base_url=emu.base_url, defaults=defaults) as bot:
        sent = await bot.send_message(USER, "Q?")
        # python-telegram-bot on its own sends the default parse_mode along...
        await sent.edit_reply_markup(InlineKeyboardMarkup.from_button(_button("A")))
        assert [str(w) for w in spec_warnings] == [
            'editMessageReplyMarkup: unknown parameter "parse_mode", which Telegram ignores'
        ]
        spec_warnings.clear()
        # ...and the bot's own helper does not.
        emu.press(USER, sent.message_id, "A")
        (update,) = await bot.get_updates(offset=-1, timeout=0)
        assert update.callback_query is not None and isinstance(
            update.callback_query.message, Message
        )
        await set_keyboard(update.callback_query, InlineKeyboardMarkup.from_button(_button("B")))
    assert emu.last_message(USER).button_labels() == ["B"]
    assert emu.calls[-1][0] == "editMessageReplyMarkup" and "parse_mode" not in emu.calls[-1][1]
    assert spec_warnings == []


def _button(label: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=f"v1:{label}")
