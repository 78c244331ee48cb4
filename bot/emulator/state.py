"""What the emulated Telegram knows: users, chats, messages, pending updates and waiters."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import ApiError, bad_request, forbidden
from .faults import Faults
from .limits import Traffic
from .models import Chat, SentMessage, StoredFile, User
from .speclog import SpecWarning, report

T = TypeVar("T")
# Told of every API call the emulator answered successfully: (method, params, result).
Observer = Callable[[str, dict[str, Any], Any], None]
# Telegram's getUpdates default when allowed_updates is empty.
DEFAULT_EXCLUDED_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}
CALLBACK_QUERY_LIFETIME = 15 * 60


@dataclass
class CallbackQuery:
    """A callback query the bot may still answer."""

    id: str
    created: float
    answered: bool = False


class World:
    """All emulator state; every mutation calls notify() so waiters re-check their condition."""

    def __init__(self, bot: User, clock: Callable[[], float]) -> None:
        self.bot = bot
        self.clock = clock
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.sent: dict[int, list[SentMessage]] = {}
        self.user_messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.updates: list[dict[str, Any]] = []
        self.last_update_id = 0
        self.queries: dict[str, CallbackQuery] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.commands: list[dict[str, str]] = []
        self.scoped_commands: dict[str, list[dict[str, str]]] = {}
        self.descriptions: dict[str, str] = {}
        self.blocked: set[int] = set()
        self.webhook_url = ""
        self.webhook_secret = ""
        self.allowed_updates: list[str] = []
        self.files: dict[str, StoredFile] = {}
        self.injected: dict[str, list[ApiError]] = {}
        self.faults = Faults()
        self.traffic = Traffic(clock)
        self.poll_generation = 0
        self.closing = False
        # Seconds added to every API call, half on the way in and half on the way out.
        self.latency = 0.0
        self.observers: list[Observer] = []
        self.spec_warnings: list[SpecWarning] = []
        self._waiters: set[asyncio.Future[None]] = set()

    def now(self) -> int:
        """Return the current Unix time from the injectable clock."""
        return int(self.clock())

    def notify(self) -> None:
        """Wake every waiter so it re-evaluates its condition."""
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def wait_until(self, condition: Callable[[], T | None], within: float | None) -> T:
        """Return condition()'s first truthy value; raise TimeoutError after `within` seconds."""
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(within):
            while not (result := condition()):
                waiter: asyncio.Future[None] = loop.create_future()
                self._waiters.add(waiter)
                try:
                    await waiter
                finally:
                    self._waiters.discard(waiter)
            return result

    def warn(self, method: str, problems: list[str]) -> None:
        """Record and report what a call did that Telegram would accept but ignore."""
        for problem in problems:
            warning = SpecWarning(method, problem)
            self.spec_warnings.append(warning)
            report(warning)

    def user(self, user_id: int, first_name: str, language_code: str | None) -> User:
        """Create or refresh a user as their client would present them."""
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = User(user_id, first_name, language_code=language_code)
        user.first_name, user.language_code = first_name, language_code
        return user

    def chat(self, chat_id: int, chat_type: str, user: User) -> Chat:
        """Create a chat on first use; the bot may then write to it."""
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = self.chats[chat_id] = Chat(chat_id, chat_type, first_name=user.first_name)
            self.sent[chat_id] = []
        return chat

    def enqueue(self, kind: str, payload: dict[str, Any]) -> int:
        """Queue an update for getUpdates and return its update_id."""
        self.last_update_id += 1
        self.updates.append({"update_id": self.last_update_id, kind: payload})
        self.notify()
        return self.last_update_id

    def confirm(self, offset: int) -> None:
        """Forget updates as getUpdates' offset says: below offset, or all but the last -offset."""
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        elif offset < 0:
            self.updates = self.updates[offset:]
        self.notify()

    def deliverable(self, limit: int) -> list[dict[str, Any]]:
        """Drop updates of types the bot did not ask for; return the first `limit` of the rest."""
        allowed = set(self.allowed_updates)

        def wanted(update: dict[str, Any]) -> bool:
            kind = next(key for key in update if key != "update_id")
            return kind in allowed if allowed else kind not in DEFAULT_EXCLUDED_UPDATES

        kept = [u for u in self.updates if wanted(u)]
        if len(kept) != len(self.updates):
            self.updates = kept
            self.notify()
        return kept[:limit]

    def target(self, chat_id: Any) -> Chat:
        """Return the chat a method writes to, or raise Telegram's error for it."""
        try:
            chat = self.chats.get(int(chat_id))
        except (TypeError, ValueError):
            chat = None
        if chat is None:
            raise bad_request("chat not found")
        if chat.type == "private" and chat.id in self.blocked:
            raise forbidden("bot was blocked by the user")
        return chat

    def find_sent(self, chat_id: int, message_id: int) -> SentMessage | None:
        """Return a bot message that still exists."""
        # From the newest: edits and presses are mostly about recent messages.
        for message in reversed(self.sent.get(chat_id, [])):
            if message.message_id == message_id and not message.deleted:
                return message
        return None

    def exists(self, chat_id: int, message_id: int) -> bool:
        """Tell whether a message (the bot's or the user's) exists in the chat."""
        return (chat_id, message_id) in self.user_messages or bool(
            self.find_sent(chat_id, message_id)
        )
