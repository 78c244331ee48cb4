"""The Bot API emulator, exercised through python-telegram-bot's real HTTP stack."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes

from bot.emulator import Emulator, SentMessage
from bot.emulator.markup import HtmlError, parse_html
from bot.emulator.speclog import SpecWarning
from tests.harness import SecondsClock

TOKEN = "123456:TEST-TOKEN"
USER = 1001
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def clock() -> SecondsClock:
    """The emulator's clock, so callback-query ageing needs no sleeping."""
    return SecondsClock()


@pytest.fixture
async def emu(clock: SecondsClock) -> AsyncIterator[Emulator]:
    async with Emulator(token=TOKEN, bot_username="hearing_test_bot", clock=clock) as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=emu.base_url) as telegram_bot:
        yield telegram_bot


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"v1:{label.lower()}")] for label in labels]
    )


async def updates_for(bot: Bot, emu: Emulator) -> tuple[Update, ...]:
    """Fetch pending updates and confirm them, as the Updater does."""
    updates = await bot.get_updates(timeout=0)
    if updates:
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    await emu.wait_delivered(timeout=2)
    return updates


async def pressed_query(bot: Bot, emu: Emulator) -> CallbackQuery:
    """Press "Yes" on a fresh bot message and return the callback query the bot receives."""
    emu.press(USER, await _sent(bot, emu), "Yes")
    *_, update = await updates_for(bot, emu)
    assert update.callback_query is not None
    return update.callback_query


# --- identity, HTTP shapes -------------------------------------------------------------------


async def test_get_me_describes_the_bot(bot: Bot, emu: Emulator) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "hearing_test_bot")
    assert emu.calls[0][0] == "getMe"
    assert emu.base_url.startswith("http://127.0.0.1:") and emu.base_url.endswith("/bot")


async def test_raw_http_answers_in_telegrams_json(emu: Emulator) -> None:
    root = emu.base_url
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{root}WRONG:TOKEN/getMe") as response:
            assert response.status == 401
            assert await response.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with http.post(f"{root}{TOKEN}/noSuchMethod") as response:
            assert response.status == 404
            assert (await response.json())["description"] == "Not Found"
        async with http.get(f"{root}{TOKEN}/GETME") as response:
            assert (await response.json())["result"]["username"] == "hearing_test_bot"
        emu.send_message(USER, "hi")
        body = {"chat_id": USER, "text": "json body", "reply_markup": {"inline_keyboard": []}}
        async with http.post(f"{root}{TOKEN}/sendMessage", json=body) as response:
            assert (await response.json())["result"]["text"] == "json body"
        async with http.post(f"{root}{TOKEN}/sendMessage?chat_id={USER}&text=query") as response:
            assert (await response.json())["result"]["chat"] == {
                "id": USER,
                "type": "private",
                "first_name": "Test",
            }
    assert [m.text for m in emu.messages(USER)] == ["json body", "query"]


# --- sending and editing ---------------------------------------------------------------------


async def test_send_message_parses_html_and_keeps_the_keyboard(bot: Bot, emu: Emulator) -> None:
    emu.send_message(USER, "/start")
    sent = await bot.send_message(
        USER,
        "😀 <b>Item 1</b> &amp; <i>more</i>",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard("Support", "Oppose"),
    )
    assert sent.text == "😀 Item 1 & more"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 3, 6),
        ("italic", 12, 4),
    ]
    assert sent.reply_markup == keyboard("Support", "Oppose")
    assert sent.message_id == 2  # the user's /start took id 1 in this chat
    message = emu.last_message(USER)
    assert message.text == message.plain_text() == "😀 Item 1 & more"
    assert message.html == "😀 <b>Item 1</b> &amp; <i>more</i>"
    assert message.buttons() == [[("Support", "v1:support")], [("Oppose", "v1:oppose")]]
    assert message.button_labels() == ["Support", "Oppose"]
    method, params = emu.calls[-1]
    assert method == "sendMessage" and params["chat_id"] == USER
    assert params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "v1:support"


async def test_utf16_length_limit_counts_surrogate_pairs(bot: Bot, emu: Emulator) -> None:
    emu.send_message(USER, "hi")
    await bot.send_message(USER, "😀" * 2048)  # 4096 UTF-16 code units: the maximum
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "😀" * 2048 + "x")


async def test_edit_text_without_markup_drops_the_keyboard(bot: Bot, emu: Emulator) -> None:
    emu.send_message(USER, "hi")
    sent = await bot.send_message(USER, "Question?", reply_markup=keyboard("Yes"))
    edited = await bot.edit_message_text(
        "Answered", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard("Undo")
    )
    assert isinstance(edited, type(sent)) and edited.text == "Answered"
    assert emu.last_message(USER).button_labels() == ["Undo"]
    await bot.edit_message_text("Answered.", chat_id=USER, message_id=sent.message_id)
    current = emu.last_message(USER)
    assert (current.text, current.reply_markup, current.edits) == ("Answered.", None, 2)
    await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=keyboard("Again"))
    assert emu.last_message(USER).button_labels() == ["Again"]
    assert len(emu.messages(USER)) == 1


async def test_delete_message_hides_it(bot: Bot, emu: Emulator) -> None:
    emu.send_message(USER, "hi")
    sent = await bot.send_message(USER, "temporary")
    assert await bot.delete_message(USER, sent.message_id)
    assert emu.messages(USER) == []
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(USER, sent.message_id)
    with pytest.raises(LookupError):
        emu.last_message(USER)


async def test_reply_keyboards_are_kept_apart_from_inline_markup(bot: Bot, emu: Emulator) -> None:
    emu.send_message(USER, "hi")
    await bot.send_message(USER, "Pick", reply_markup=ReplyKeyboardMarkup([["A", "B"]]))
    message = emu.last_message(USER)
    assert message.reply_markup is None and message.buttons() == []
    assert message.reply_keyboard is not None
    assert message.reply_keyboard["keyboard"] == [[{"text": "A"}, {"text": "B"}]]


async def test_send_document_and_photo_store_the_upload(bot: Bot, emu: Emulator) -> None:
    emu.send_message(USER, "hi")
    sent = await bot.send_document(USER, b"id,stance\n1,support\n", filename="export.csv")
    assert sent.document is not None and sent.document.file_name == "export.csv"
    assert sent.document.mime_type == "text/csv"
    message = emu.last_message(USER)
    assert (message.kind, message.file_name) == ("document", "export.csv")
    assert message.file_bytes == b"id,stance\n1,support\n"
    again = await bot.send_document(
        USER, sent.document.file_id, caption="<b>again</b>", parse_mode=ParseMode.HTML
    )
    assert again.caption == "again" and emu.last_message(USER).file_bytes == message.file_bytes
    photo = await bot.send_photo(USER, PNG, caption="chart")
    assert photo.photo and photo.photo[-1].file_size == len(PNG)
    assert (emu.last_message(USER).kind, emu.last_message(USER).caption) == ("photo", "chart")
    assert emu.calls[-1][1]["photo"]["size"] == len(PNG)


async def test_chat_action_and_commands(bot: Bot, emu: Emulator) -> None:
    emu.send_message(USER, "hi")
    assert await bot.send_chat_action(USER, "typing")
    commands = [BotCommand("start", "Begin"), BotCommand("help", "How it works")]
    assert await bot.set_my_commands(commands)
    assert emu.commands == [
        {"command": "start", "description": "Begin"},
        {"command": "help", "description": "How it works"},
    ]
    assert await bot.get_my_commands() == tuple(commands)
    assert await bot.set_my_description("A public hearing")
    assert (await bot.get_my_description()).description == "A public hearing"
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()


# --- errors, as Telegram words them ----------------------------------------------------------

Action = Callable[[Bot, Emulator, SecondsClock], Awaitable[Any]]


async def _sent(bot: Bot, emu: Emulator) -> int:
    emu.send_message(USER, "hi")
    return (await bot.send_message(USER, "Same", reply_markup=keyboard("Yes"))).message_id


async def _not_modified(bot: Bot, emu: Emulator, clock: SecondsClock) -> Any:
    message_id = await _sent(bot, emu)
    return await bot.edit_message_text("Same", USER, message_id, reply_markup=keyboard("Yes"))


async def _markup_not_modified(bot: Bot, emu: Emulator, clock: SecondsClock) -> Any:
    message_id = await _sent(bot, emu)
    return await bot.edit_message_reply_markup(USER, message_id, reply_markup=keyboard("Yes"))


async def _answer_twice(bot: Bot, emu: Emulator, clock: SecondsClock) -> Any:
    query = await pressed_query(bot, emu)
    await query.answer()
    return await query.answer()


async def _answer_late(bot: Bot, emu: Emulator, clock: SecondsClock) -> Any:
    query = await pressed_query(bot, emu)
    clock.now += 15 * 60 + 1
    return await query.answer()


async def _blocked(bot: Bot, emu: Emulator, clock: SecondsClock) -> Any:
    emu.send_message(USER, "hi")
    emu.block(USER)
    return await bot.send_message(USER, "still there?")


async def _webhook_then_poll(bot: Bot, emu: Emulator, clock: SecondsClock) -> Any:
    await bot.set_webhook("https://example.org/hook")
    return await bot.get_updates()


async def _wrong_token(bot: Bot, emu: Emulator, clock: SecondsClock) -> Any:
    async with Bot("654321:WRONG", base_url=emu.base_url):
        pass


async def _unknown_method(bot: Bot, emu: Emulator, clock: SecondsClock) -> Any:
    return await bot.do_api_request("sendTelepathy")


def _send(text: str, **kwargs: Any) -> Action:
    async def action(bot: Bot, emu: Emulator, clock: SecondsClock) -> Any:
        emu.send_message(USER, "hi")
        return await bot.send_message(USER, text, **kwargs)

    return action


def _html(text: str) -> Action:
    return _send(text, parse_mode=ParseMode.HTML)


def _raw_markup(markup: dict[str, Any]) -> Action:
    async def action(bot: Bot, emu: Emulator, clock: SecondsClock) -> Any:
        emu.send_message(USER, "hi")
        return await bot.send_message(USER, "x", api_kwargs={"reply_markup": markup})

    return action


async def _unknown_chat(bot: Bot, emu: Emulator, clock: SecondsClock) -> Any:
    return await bot.send_message(999, "hello?")


async def _edit_missing(bot: Bot, emu: Emulator, clock: SecondsClock) -> Any:
    emu.send_message(USER, "hi")
    return await bot.edit_message_text("x", USER, 42)


async def _forged_query(bot: Bot, emu: Emulator, clock: SecondsClock) -> Any:
    return await bot.answer_callback_query("12345")


async def _long_answer(bot: Bot, emu: Emulator, clock: SecondsClock) -> Any:
    return await (await pressed_query(bot, emu)).answer("x" * 201)


async def _long_caption(bot: Bot, emu: Emulator, clock: SecondsClock) -> Any:
    emu.send_message(USER, "hi")
    return await bot.send_photo(USER, PNG, caption="c" * 1025)


async def _not_an_image(bot: Bot, emu: Emulator, clock: SecondsClock) -> Any:
    emu.send_message(USER, "hi")
    return await bot.send_photo(USER, b"%PDF-1.7 not an image")


ERRORS = [
    ("empty text", _send(" "), BadRequest, "Message text is empty"),
    ("too long", _send("x" * 4097), BadRequest, "Message is too long"),
    ("long caption", _long_caption, BadRequest, "Message caption is too long"),
    ("not an image", _not_an_image, BadRequest, "Image_process_failed"),
    ("unknown tag", _html("a<br>b"), BadRequest, 'unsupported start tag "br" at byte offset 1'),
    ("bare <", _html("1 < 2"), BadRequest, "Can't parse entities: unclosed start tag"),
    ("bare < >", _html("2 < 3 > 1"), BadRequest, 'unsupported start tag "" at byte offset 2'),
    ("bare &", _html("R&D"), BadRequest, "Can't parse entities"),
    ("unclosed", _html("<b>bold"), BadRequest, "can't find end tag corresponding to start"),
    ("mismatched", _html("<b><i>x</b></i>"), BadRequest, 'expected "</i>", found "</b>"'),
    ("span class", _html("<span>x</span>"), BadRequest, 'must have class "tg-spoiler"'),
    (
        "data > 64 bytes",
        _send(
            "x",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("x", callback_data="é" * 33)]]
            ),
        ),
        BadRequest,
        "Button_data_invalid",
    ),
    (
        "no action",
        _send("x", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x")]])),
        BadRequest,
        "Text buttons are unallowed in the inline keyboard",
    ),
    (
        "empty data",
        _raw_markup({"inline_keyboard": [[{"text": "x", "callback_data": ""}]]}),
        BadRequest,
        "Button_data_invalid",
    ),
    ("chat not found", _unknown_chat, BadRequest, "Chat not found"),
    ("edit missing", _edit_missing, BadRequest, "Message to edit not found"),
    ("not modified", _not_modified, BadRequest, "Message is not modified: specified new"),
    ("markup not modified", _markup_not_modified, BadRequest, "Message is not modified"),
    ("forged query", _forged_query, BadRequest, "Query is too old"),
    ("answered twice", _answer_twice, BadRequest, "Query is too old"),
    ("answered late", _answer_late, BadRequest, "Query is too old"),
    ("long answer", _long_answer, BadRequest, "Message is too long"),
    ("blocked", _blocked, Forbidden, "Forbidden: bot was blocked by the user"),
    ("webhook", _webhook_then_poll, Conflict, "can't use getUpdates method while webhook"),
    ("wrong token", _wrong_token, InvalidToken, "was rejected by the server"),
    ("unknown method", _unknown_method, EndPointNotFound, "sendTelepathy"),
]


@pytest.mark.parametrize(
    ("action", "error", "message"),
    [case[1:] for case in ERRORS],
    ids=[case[0] for case in ERRORS],
)
async def test_errors_read_like_telegrams(
    bot: Bot,
    emu: Emulator,
    clock: SecondsClock,
    action: Action,
    error: type[TelegramError],
    message: str,
) -> None:
    with pytest.raises(error) as raised:
        await action(bot, emu, clock)
    assert message.lower() in raised.value.message.lower()
    assert type(raised.value) is error


async def test_unblocking_lets_messages_through_again(bot: Bot, emu: Emulator) -> None:
    emu.send_message(USER, "hi")
    emu.block(USER)
    with pytest.raises(Forbidden):
        await bot.send_message(USER, "x")
    emu.unblock(USER)
    await bot.send_message(USER, "welcome back")
    assert emu.last_message(USER).text == "welcome back"


async def test_injected_flood_control_raises_retry_after(
    bot: Bot, emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without PTB_TIMEDELTA, PTB 22 itself warns (an error here) whenever it builds RetryAfter.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    emu.send_message(USER, "hi")
    emu.inject_error("sendmessage", retry_after=7)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(USER, "too fast")
    assert raised.value.retry_after == dt.timedelta(seconds=7)
    await bot.send_message(USER, "later")  # only the next call was failed
    assert [m.text for m in emu.messages(USER)] == ["later"]


# --- the HTML parser on its own --------------------------------------------------------------


def test_parse_html_entities_use_utf16_offsets() -> None:
    text, entities = parse_html(
        '𝄞 <a href="https://example.org/?a=1&amp;b=2">link</a> <tg-spoiler>s</tg-spoiler> '
        '<pre><code class="language-python">x = 1</code></pre> &#x1F600;&lt;&#62;&quot;'
    )
    assert text == '𝄞 link s x = 1 😀<>"'
    assert entities == [
        {"offset": 3, "length": 4, "type": "text_link", "url": "https://example.org/?a=1&b=2"},
        {"offset": 8, "length": 1, "type": "spoiler"},
        {"offset": 10, "length": 5, "type": "pre", "language": "python"},
    ]


def test_parse_html_reports_byte_offsets() -> None:
    with pytest.raises(HtmlError, match='Unsupported start tag "p" at byte offset 3'):
        parse_html("é <p>")
    with pytest.raises(HtmlError, match="Unexpected end tag at byte offset 1"):
        parse_html("x</b>")


# --- the driver: users, buttons, updates -----------------------------------------------------


async def test_long_poll_returns_when_an_update_arrives(bot: Bot, emu: Emulator) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await emu.wait_until(lambda: any(name == "getUpdates" for name, _ in emu.calls), timeout=2)
    update_id = emu.send_message(USER, "/start@hearing_test_bot deep-link", first_name="Ada")
    (update,) = await asyncio.wait_for(poll, timeout=2)
    assert update.update_id == update_id and update.message is not None
    assert update.message.text == "/start@hearing_test_bot deep-link"
    assert update.message.from_user is not None and update.message.from_user.first_name == "Ada"
    (entity,) = update.message.entities
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 23)
    assert emu.pending_updates == [update_id]
    assert await bot.get_updates(offset=update_id + 1, timeout=0) == ()
    await emu.wait_delivered(timeout=1)
    assert emu.pending_updates == []


async def test_long_poll_times_out_empty_and_limit_applies(
    bot: Bot, emu: Emulator, spec_warnings: list[SpecWarning]
) -> None:
    # The emulator waits fractions of a second, to keep tests quick; Telegram would read 0.
    assert await bot.get_updates(timeout=dt.timedelta(milliseconds=20)) == ()
    assert [w.problem for w in spec_warnings] == [
        'parameter "timeout" must be Integer; Telegram reads the value sent as empty'
    ]
    spec_warnings.clear()
    first = emu.send_message(USER, "one")
    emu.send_message(USER, "two")
    (update,) = await bot.get_updates(limit=1)
    assert update.update_id == first
    assert len(await bot.get_updates(offset=-1)) == 1  # negative offset keeps the last one


async def test_a_second_instance_terminates_the_first_poll(bot: Bot, emu: Emulator) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await emu.wait_until(lambda: len(emu.calls) >= 2, timeout=2)  # getMe, then getUpdates
    async with Bot(TOKEN, base_url=emu.base_url) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first


async def test_wait_delivered_times_out_when_nobody_polls(emu: Emulator) -> None:
    emu.send_message(USER, "hello")
    with pytest.raises(TimeoutError, match=r"updates \[1\] not confirmed"):
        await emu.wait_delivered(timeout=0.05)


async def test_press_checks_that_the_button_exists(bot: Bot, emu: Emulator) -> None:
    message_id = await _sent(bot, emu)
    with pytest.raises(ValueError, match=r"no callback button 'No'.*\['Yes'\]"):
        emu.press(USER, message_id, "No")
    with pytest.raises(ValueError, match="has no button with callback_data 'v1:no'"):
        emu.press_button(USER, message_id, "v1:no")
    with pytest.raises(ValueError, match="the bot has no message 99"):
        emu.press_button(USER, 99, "v1:yes")
    forged = emu.press_button(USER, message_id, "v9:forged", check=False)
    stale = emu.press_button(USER, 99, "v1:yes", check=False)
    pressed = emu.press(USER, message_id, "Yes")
    updates = (await updates_for(bot, emu))[1:]  # after the user's "hi"
    queries = [u.callback_query for u in updates]
    assert [u.update_id for u in updates] == [forged, stale, pressed]
    assert [q.data for q in queries if q] == ["v9:forged", "v1:yes", "v1:yes"]
    assert queries[1] is not None and queries[1].message is not None
    assert not queries[1].message.is_accessible  # Telegram's shape for a message it lost
    assert queries[2] is not None and queries[2].message is not None
    assert queries[2].message.is_accessible
    assert queries[2].from_user.id == USER and queries[2].chat_instance
    assert await queries[2].answer("Recorded", show_alert=True)
    answer = emu.answer_for(pressed)
    assert answer is not None and answer["text"] == "Recorded" and answer["show_alert"] == "true"
    assert emu.callback_answers[queries[2].id] == answer


@pytest.mark.parametrize(
    "kind", ["sticker", "photo", "voice", "document", "location", "contact", "video", "animation"]
)
async def test_send_other_builds_telegram_shaped_messages(
    bot: Bot, emu: Emulator, kind: str
) -> None:
    emu.send_other(USER, kind)
    (update,) = await updates_for(bot, emu)
    assert update.message is not None and update.message.text is None
    assert getattr(update.message, kind)


async def test_edit_message_and_group_chats(bot: Bot, emu: Emulator) -> None:
    emu.send_message(USER, "tpyo")
    edit = emu.edit_message(USER, 1, "typo")
    with pytest.raises(ValueError, match="needs an explicit chat_id"):
        emu.send_message(USER, "hi all", chat_type="group")
    emu.send_message(USER, "hi all", chat_id=-100, chat_type="group")
    with pytest.raises(ValueError, match="has no text message 7"):
        emu.edit_message(USER, 7, "nope")
    updates = await updates_for(bot, emu)
    edited = updates[1].edited_message
    assert updates[1].update_id == edit and edited is not None
    assert (edited.message_id, edited.text, edited.edit_date is not None) == (1, "typo", True)
    group = updates[2].message
    assert group is not None and (group.chat.type, group.chat.id) == ("group", -100)


async def test_dates_come_from_the_injected_clock(
    bot: Bot, emu: Emulator, clock: SecondsClock
) -> None:
    emu.send_message(USER, "hi")
    sent = await bot.send_message(USER, "x")
    assert sent.date.timestamp() == clock.now
    (update,) = await updates_for(bot, emu)
    assert update.message is not None and update.message.date.timestamp() == clock.now


async def test_wait_for_message_waits_for_the_matching_message(bot: Bot, emu: Emulator) -> None:
    emu.send_message(USER, "hi")
    await bot.send_message(USER, "old: done")
    after = emu.cursor(USER)
    waiting = asyncio.create_task(
        emu.wait_for_message(USER, lambda m: "done" in m.plain_text(), after=after, timeout=2)
    )
    sent = await bot.send_message(USER, "working")
    assert not waiting.done()
    await bot.edit_message_text("work is done", USER, sent.message_id)
    found: SentMessage = await waiting
    assert (found.message_id, found.text, found.edits) == (sent.message_id, "work is done", 1)
    with pytest.raises(TimeoutError, match="no matching bot message in chat 1001"):
        await emu.wait_for_message(USER, lambda m: "never" in m.plain_text(), timeout=0.05)


# --- a real Application --------------------------------------------------------------------


async def test_application_answers_start_through_the_updater(emu: Emulator) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            "<b>Welcome</b> to the hearing",
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard("Begin"),
        )

    app: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder().token(emu.token).base_url(emu.base_url).build()
    )
    app.add_handler(CommandHandler("start", start))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        emu.send_message(USER, "/start")
        reply = await emu.wait_for_message(USER, lambda m: "Welcome" in m.plain_text())
        await emu.wait_delivered()
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert reply.text == "Welcome to the hearing" and reply.button_labels() == ["Begin"]
    assert [name for name, _ in emu.calls][:3] == ["getMe", "deleteWebhook", "getUpdates"]
    assert emu.pending_updates == []
