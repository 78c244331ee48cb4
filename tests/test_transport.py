"""The aiohttp transport (bot/runtime/transport.py) through PTB against the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import ApplicationBuilder
from telegram.request import HTTPXRequest

from bot.emulator import Emulator
from bot.runtime.transport import AiohttpRequest, before_bytes_leave, use_transport
from tests.harness import TOKEN

USER = 1001
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=emu.base_url, request=AiohttpRequest()) as telegram_bot:
        yield telegram_bot


async def test_calls_send_json_and_read_telegrams_answers(bot: Bot, emu: Emulator) -> None:
    assert (await bot.get_me()).username == "hearing_test_bot"
    emu.send_message(USER, "hi")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="v1:yes")]])
    sent = await bot.send_message(USER, "<b>Hello</b> ✓", parse_mode="HTML", reply_markup=markup)
    assert sent.text == "Hello ✓"
    assert emu.last_message(USER).button_labels() == ["Yes"]
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates if u.message] == ["hi"]


async def test_uploads_are_sent_as_multipart(bot: Bot, emu: Emulator) -> None:
    emu.send_message(USER, "hi")
    await bot.send_photo(USER, PNG, caption="chart")
    await bot.send_document(USER, b"a,b\n1,2\n", filename="export.csv")
    stored = sorted(f.data for f in emu.files.values())
    assert stored == sorted([PNG, b"a,b\n1,2\n"])


@pytest.mark.parametrize(
    ("code", "description", "error"),
    [
        (400, "Bad Request: chat not found", BadRequest),
        (403, "Forbidden: bot was blocked by the user", Forbidden),
        (429, None, RetryAfter),
    ],
)
async def test_api_errors_become_telegrams_exceptions(
    bot: Bot, emu: Emulator, code: int, description: str | None, error: type[Exception]
) -> None:
    emu.send_message(USER, "hi")
    emu.inject_error("sendMessage", code, description)
    with pytest.raises(error):
        await bot.send_message(USER, "x")
    assert (await bot.send_message(USER, "again")).text == "again", "only once"


async def test_an_unreachable_server_is_a_network_error() -> None:
    emu = Emulator(token=TOKEN)
    await emu.start()
    url = emu.base_url
    await emu.stop()
    request = AiohttpRequest()
    with pytest.raises(NetworkError):
        async with Bot(TOKEN, base_url=url, request=request):
            pass  # initialize() already calls getMe
    await request.shutdown()


async def test_calls_before_initialize_or_after_shutdown_are_refused() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError):
        await request.do_request("http://127.0.0.1:9/x", "POST")
    await request.initialize()
    await request.initialize()  # a second call keeps the session
    await request.shutdown()
    await request.shutdown()
    with pytest.raises(RuntimeError):
        await request.do_request("http://127.0.0.1:9/x", "POST")


@pytest.mark.parametrize(
    ("transport", "kind"), [("aiohttp", AiohttpRequest), ("httpx", HTTPXRequest)]
)
def test_use_transport_gives_the_application_its_requests(transport: str, kind: type) -> None:
    builder = ApplicationBuilder().token(TOKEN)
    app = use_transport(builder, "aiohttp" if transport == "aiohttp" else "httpx").build()
    # python-telegram-bot keeps the API request and the getUpdates request apart.
    requests = app.bot._request
    assert all(isinstance(r, kind) for r in requests)


@pytest.mark.parametrize("upload", [False, True])
async def test_the_hook_runs_once_just_before_the_body_leaves(
    bot: Bot, emu: Emulator, upload: bool
) -> None:
    emu.send_message(USER, "hi")
    before = len(emu.messages(USER))
    seen: list[int] = []

    async def leaving() -> None:
        seen.append(len(emu.messages(USER)))  # Telegram has nothing of it yet

    with before_bytes_leave(leaving):
        if upload:
            await bot.send_document(USER, PNG, filename="chart.png")
        else:
            await bot.send_message(USER, "Hello")
    assert seen == [before], "once, before Telegram had the message"
    assert len(emu.messages(USER)) == before + 1
    await bot.send_message(USER, "Again")
    assert seen == [before], "and only for the call made in its block"
