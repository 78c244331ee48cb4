"""Retry Bot API calls Telegram refused for now, and only those that cannot be seen twice."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

# A reply that waits longer than this is no use to a citizen: the error reaches the handler.
RETRY_BUDGET_SECONDS = 30.0
# Failures other than flood control are retried this many times, after these pauses.
OTHER_RETRIES = 3
BACKOFF_SECONDS = (0.2, 0.5, 1.0)
# Calls whose repetition nobody can see: an edit to the same content is "not modified", a
# second answer to a button press is refused, the others set or read the bot's own settings.
IDEMPOTENT = frozenset(
    {
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "answerCallbackQuery",
        "deleteMessage",
        "getMe",
        "setMyCommands",
        "deleteMyCommands",
        "setWebhook",
        "deleteWebhook",
        "getWebhookInfo",
        "getFile",
    }
)
# Errors raised before a request reached the server, from httpx (python-telegram-bot's own
# transport) and aiohttp (bot/runtime/transport.py): it cannot have been performed.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
)
Result = bool | dict[str, Any] | list[dict[str, Any]]
_budget_override: ContextVar[float | None] = ContextVar("retry_budget", default=None)


@dataclass(frozen=True)
class TryHooks:
    """Told of each try of a call: before it is made, and once it is known not to have been."""

    before: Callable[[], Awaitable[None]]
    unsent: Callable[[], Awaitable[None]]


_hooks: ContextVar[TryHooks | None] = ContextVar("try_hooks", default=None)


@contextmanager
def tries_reported_to(hooks: TryHooks) -> Iterator[None]:
    """Report the tries of the calls made in this block (bot/runtime/replies.py keeps count)."""
    token = _hooks.set(hooks)
    try:
        yield
    finally:
        _hooks.reset(token)


@contextmanager
def retries_off() -> Iterator[None]:
    """Let Bot API calls in this block fail at once: their caller has its own way to wait."""
    token = _budget_override.set(0.0)
    try:
        yield
    finally:
        _budget_override.reset(token)


def maybe_delivered(exc: TelegramError) -> bool:
    """Tell whether Telegram may have performed a call that failed with this error."""
    if isinstance(exc, RetryAfter | BadRequest) or not isinstance(exc, NetworkError):
        return False  # Telegram answered, and its answer says it did nothing
    if isinstance(exc.__cause__, _NOT_SENT) or (
        isinstance(exc, TimedOut) and "Pool timeout" in exc.message
    ):
        return False
    # A 5xx answer came from Telegram's front end: the call did not go through. Anything else
    # (a read timeout, a connection dropped before the answer) may have come after the fact.
    return exc.__cause__ is not None or not _server_error(exc)


def _server_error(exc: NetworkError) -> bool:
    return exc.message.endswith(tuple(f"({code})" for code in range(500, 600))) or any(
        phrase in exc.message
        for phrase in ("Internal Server Error", "Bad Gateway", "Service Unavailable")
    )


async def _unsent(hooks: TryHooks | None) -> None:
    # Telegram answered that it did nothing (or nothing reached it): the call is not "begun".
    if hooks is not None:
        await hooks.unsent()


def seconds(value: float | timedelta) -> float:
    """Return a retry_after (seconds or a timedelta, by PTB's setting) in seconds."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class RetryPolicy(BaseRateLimiter[None]):
    """python-telegram-bot's hook around every API call (but getUpdates, retried by PTB itself).

    Flood control (429) says the call was not performed: it is retried after `retry_after`
    while the total wait stays within the budget. Other failures are retried only when the
    call was certainly not performed, or when performing it twice changes nothing anybody sees;
    a message that may have gone out is never sent again. One call waiting holds up only its
    own chat: other chats' updates are handled meanwhile (bot.runtime.chat_order).
    """

    def __init__(
        self,
        budget: float = RETRY_BUDGET_SECONDS,
        sleep: Callable[[float], Coroutine[Any, Any, None]] = asyncio.sleep,
    ) -> None:
        self.budget = budget
        self._sleep = sleep

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Result:
        """Make the call, retrying what is safe to retry within the budget."""
        budget = _budget_override.get()
        budget = self.budget if budget is None else budget
        hooks = _hooks.get()
        waited, others = 0.0, 0
        while True:
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                await _unsent(hooks)
                delay = seconds(exc.retry_after)
                if waited + delay > budget:
                    raise
                log.info("%s: flood control, retrying in %.1f s", endpoint, delay)
            except NetworkError as exc:
                if maybe_delivered(exc) and endpoint not in IDEMPOTENT:
                    raise
                await _unsent(hooks)
                if isinstance(exc, BadRequest) or others >= OTHER_RETRIES:
                    raise
                delay = BACKOFF_SECONDS[min(others, len(BACKOFF_SECONDS) - 1)]
                if waited + delay > budget:
                    raise
                others += 1
                log.info("%s: %s, retrying in %.1f s", endpoint, type(exc).__name__, delay)
            await self._sleep(delay)
            waited += delay
            if hooks is not None:
                await hooks.before()
