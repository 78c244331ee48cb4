"""The Emulator: an HTTP Bot API server plus the driver tests use to play the users."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from types import TracebackType
from typing import Any

from aiohttp import web

from . import incoming
from .limits import Limits
from .misbehaviour import Misbehaviour
from .models import SentMessage, StoredFile, User
from .server import build_app
from .speclog import SpecWarning
from .state import Observer, World
from .webhooks import WebhookDelivery


class Emulator(Misbehaviour):
    """A local Telegram Bot API; drive it from the event loop that runs it (not thread-safe)."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "hearing_test_bot",
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        bot_name: str = "Hearing Test Bot",
        clock: Callable[[], float] = time.time,
        limits: Limits | None = None,
        first_update_id: int = 1,
        latency: float = 0.0,
    ) -> None:
        head = token.split(":", 1)[0]
        bot = User(int(head) if head.isdigit() else 1, bot_name, True, bot_username)
        self.token = token
        self.host = host
        self.port = port
        self._world = World(bot, clock)
        self._world.last_update_id = first_update_id - 1
        self._world.traffic.set_limits(limits)
        self.set_latency(latency)
        self._runner: web.AppRunner | None = None
        self._query_ids: dict[int, str] = {}

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Start serving; a second call while running does nothing."""
        if self._runner is not None:
            return
        runner = web.AppRunner(build_app(self._world, self.token), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self.port = runner.addresses[0][1]
        self._runner = runner
        self._world.closing = False

    async def stop(self) -> None:
        """Release pending long polls and stop serving."""
        if self._runner is None:
            return
        self._world.closing = True
        self._world.notify()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """Return the URL to give python-telegram-bot as base_url (it appends the token)."""
        if self._runner is None:
            raise RuntimeError("the emulator is not started; await emu.start() first")
        return f"http://{self.host}:{self.port}/bot"

    def webhook_delivery(self, proxy_to: str, **options: Any) -> WebhookDelivery:
        """Return a deliverer of updates to the webhook the bot sets (start it, or async with)."""
        return WebhookDelivery(self._world, proxy_to, **options)

    @property
    def webhook_url(self) -> str:
        """Return the URL of the webhook the bot set; empty when it long-polls."""
        return self._world.webhook_url

    # --- what the bot did ------------------------------------------------------------------

    @property
    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        """Return every API call received, as (method, decoded params)."""
        return self._world.calls

    @property
    def spec_warnings(self) -> list[SpecWarning]:
        """Return the calls Telegram would have accepted while ignoring part of them."""
        return self._world.spec_warnings

    @property
    def callback_answers(self) -> dict[str, dict[str, Any]]:
        """Return answerCallbackQuery params by callback query id."""
        return self._world.callback_answers

    @property
    def commands(self) -> list[dict[str, str]]:
        """Return the commands of the last setMyCommands call."""
        return self._world.commands

    @property
    def files(self) -> dict[str, StoredFile]:
        """Return files the bot uploaded, by file_id."""
        return self._world.files

    @property
    def pending_updates(self) -> list[int]:
        """Return the ids of updates the bot has not confirmed yet."""
        return [update["update_id"] for update in self._world.updates]

    def messages(self, chat_id: int) -> list[SentMessage]:
        """Return snapshots of the bot's messages in a chat, oldest first, without deleted ones."""
        return [replace(m) for m in self._world.sent.get(chat_id, []) if not m.deleted]

    def last_message(self, chat_id: int) -> SentMessage:
        """Return the bot's latest message in a chat; raise LookupError if there is none."""
        messages = self.messages(chat_id)
        if not messages:
            raise LookupError(f"the bot has sent nothing to chat {chat_id}")
        return messages[-1]

    def messages_since(self, chat_id: int, after: int) -> list[SentMessage]:
        """Return snapshots of the bot's messages at index >= after (see cursor()), not deleted."""
        return [replace(m) for m in self._world.sent.get(chat_id, [])[after:] if not m.deleted]

    def message(self, chat_id: int, message_id: int) -> SentMessage | None:
        """Return a snapshot of one bot message as it is now, or None if it does not exist."""
        found = self._world.find_sent(chat_id, message_id)
        return replace(found) if found is not None else None

    def cursor(self, chat_id: int) -> int:
        """Return the `after` value that makes wait_for_message look only at later messages."""
        return len(self._world.sent.get(chat_id, []))

    def answer_for(self, update_id: int) -> dict[str, Any] | None:
        """Return the answerCallbackQuery params for the press that made this update."""
        return self._world.callback_answers.get(self._query_ids.get(update_id, ""))

    # --- network and observation ---------------------------------------------------------

    def observe(self, observer: Observer) -> Callable[[], None]:
        """Call observer(method, params, result) after every successful call; return a remover."""
        self._world.observers.append(observer)
        return lambda: self._world.observers.remove(observer)

    def query_id_for(self, update_id: int) -> str | None:
        """Return the callback query id of the press that made this update, if it was one."""
        return self._query_ids.get(update_id)

    # --- what users do ---------------------------------------------------------------------

    def send_message(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Test",
        language_code: str | None = "en",
        entities: list[dict[str, Any]] | None = None,
    ) -> int:
        """Enqueue a user's text message; a leading /command gets its bot_command entity."""
        user, chat = incoming.arrive(
            self._world, user_id, chat_id, chat_type, first_name, language_code
        )
        return incoming.text_message(self._world, user, chat, text, entities)

    def meet(
        self, user_id: int, first_name: str = "Test", language_code: str | None = "en"
    ) -> None:
        """Make a user and their private chat known, as if they had opened the bot before."""
        incoming.arrive(self._world, user_id, None, "private", first_name, language_code)

    def send_other(
        self, user_id: int, kind: str, *, chat_id: int | None = None, chat_type: str = "private"
    ) -> int:
        """Enqueue a user's non-text message: sticker, photo, voice, location and so on."""
        user, chat = self._known(user_id, chat_id, chat_type)
        return incoming.media_message(self._world, user, chat, kind)

    def send_contact(self, user_id: int, phone: str, contact_user_id: int | None = None) -> int:
        """Enqueue a user sharing a contact: their own number by default (Telegram's button)."""
        user, chat = self._known(user_id, None, "private")
        return incoming.contact_message(self._world, user, chat, phone, contact_user_id)

    def edit_message(
        self, user_id: int, message_id: int, text: str, *, chat_id: int | None = None
    ) -> int:
        """Enqueue an edited_message update for one of the user's own text messages."""
        user, chat = self._known(user_id, chat_id, "private")
        return incoming.edited_message(self._world, user, chat, message_id, text)

    def press_button(
        self,
        user_id: int,
        message_id: int,
        callback_data: str,
        *,
        chat_id: int | None = None,
        check: bool = True,
    ) -> int:
        """Enqueue a callback_query; with check, the message must carry a button with this data."""
        user, chat = self._known(user_id, chat_id, "private")
        if check:
            available = self._callback_buttons(chat.id, message_id)
            if callback_data not in available.values():
                raise ValueError(
                    f"message {message_id} in chat {chat.id} has no button with callback_data "
                    f"{callback_data!r}; it has {sorted(available.values())}"
                )
        update_id, query_id = incoming.callback_query(
            self._world, user, chat, message_id, callback_data
        )
        self._query_ids[update_id] = query_id
        return update_id

    def press(
        self, user_id: int, message_id: int, label: str, *, chat_id: int | None = None
    ) -> int:
        """Press the inline button labelled `label` on a bot message."""
        target = user_id if chat_id is None else chat_id
        available = self._callback_buttons(target, message_id)
        if label not in available:
            message = self._world.find_sent(target, message_id)
            labels = message.button_labels() if message else []
            raise ValueError(f"no callback button {label!r} on message {message_id}: {labels}")
        return self.press_button(user_id, message_id, available[label], chat_id=chat_id)

    def _known(self, user_id: int, chat_id: int | None, chat_type: str) -> tuple[User, Any]:
        user = self._world.users.get(user_id)
        name, language = (user.first_name, user.language_code) if user else ("Test", "en")
        return incoming.arrive(self._world, user_id, chat_id, chat_type, name, language)

    def _callback_buttons(self, chat_id: int, message_id: int) -> dict[str, str]:
        message = self._world.find_sent(chat_id, message_id)
        if message is None:
            raise ValueError(f"the bot has no message {message_id} in chat {chat_id}")
        rows = (message.reply_markup or {}).get("inline_keyboard", [])
        return {b["text"]: b["callback_data"] for row in rows for b in row if "callback_data" in b}

    # --- waiting ---------------------------------------------------------------------------
    # The `timeout` parameters (ASYNC109) are the driver API the tests are written against.

    async def wait_until(
        self,
        condition: Callable[[], Any],
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> Any:
        """Wait until condition() is truthy after some emulator event; return its value."""
        return await self._world.wait_until(condition, timeout)

    async def wait_delivered(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has confirmed (via getUpdates offset) every enqueued update."""
        try:
            await self._world.wait_until(lambda: not self._world.updates, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"updates {self.pending_updates} not confirmed by the bot within {timeout}s"
            ) from None

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[SentMessage], bool] = lambda m: True,
        *,
        after: int = 0,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> SentMessage:
        """Wait for a bot message at index >= after (see cursor()) that matches predicate."""

        def find() -> SentMessage | None:
            for message in self._world.sent.get(chat_id, [])[after:]:
                if not message.deleted and predicate(snapshot := replace(message)):
                    return snapshot
            return None

        try:
            found: SentMessage = await self._world.wait_until(find, timeout)
        except TimeoutError:
            texts = [m.plain_text() for m in self.messages(chat_id)]
            raise TimeoutError(
                f"no matching bot message in chat {chat_id} from index {after} within "
                f"{timeout}s; the chat has {texts}"
            ) from None
        return found
