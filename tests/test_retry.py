"""Which failed Bot API calls may have been performed, and the emulator's fault shares."""

from __future__ import annotations

import httpx
import pytest
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.emulator import FaultShares
from bot.emulator.faults import AnswerLost, Faults
from bot.runtime.retry import RetryPolicy, TryHooks, maybe_delivered, tries_reported_to


def caused(error: TelegramError, cause: Exception) -> TelegramError:
    """Chain an error to its cause, as python-telegram-bot's HTTP layer does."""
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (RetryAfter(3), False),
        (BadRequest("Bad Request: chat not found"), False),
        (Forbidden("Forbidden: bot was blocked by the user"), False),
        (NetworkError("Internal Server Error"), False),
        (NetworkError("Bad Gateway"), False),
        (NetworkError("Gateway Timeout (504)"), False),
        (caused(NetworkError("httpx.ConnectError: refused"), httpx.ConnectError("x")), False),
        (caused(TimedOut(), httpx.ConnectTimeout("x")), False),
        (TimedOut("Pool timeout: All connections in the connection pool are occupied."), False),
        (caused(TimedOut(), httpx.ReadTimeout("x")), True),
        (caused(NetworkError("httpx.RemoteProtocolError"), httpx.RemoteProtocolError("x")), True),
        (NetworkError("Unknown HTTPError (420)"), True),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_maybe_delivered(error: TelegramError, expected: bool) -> None:
    assert maybe_delivered(error) is expected


@pytest.mark.parametrize(
    "shares",
    [
        {"too_many_requests": -0.1},
        {"server_error": 0.6, "lost_answer": 0.6},
    ],
)
def test_fault_shares_are_checked(shares: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="fault shares"):
        FaultShares(**shares)


def test_faults_only_hit_the_chosen_chats_and_methods() -> None:
    faults = Faults()
    faults.configure(FaultShares(server_error=1.0, chats=frozenset({5})))
    assert faults.before("sendMessage", 6) is None
    assert faults.before("getMe", 5) is None
    error = faults.before("sendMessage", "5")
    assert error is not None and error.code == 500
    faults.configure(FaultShares(lost_answer=1.0))
    with pytest.raises(AnswerLost):
        faults.after("editMessageText", 1)
    assert faults.counts == {"server_error": 1, "lost_answer": 1}


async def _no_wait(_: float) -> None:
    """Let the retry policy go on at once."""


@pytest.mark.parametrize(
    ("failure", "events"),
    [
        (NetworkError("Internal Server Error (500)"), ["unsent", "before"]),
        (RetryAfter(1), ["unsent", "before"]),
    ],
)
async def test_a_try_telegram_refused_is_reported_unsent_before_the_retry(
    failure: TelegramError, events: list[str]
) -> None:
    seen: list[str] = []
    tries = 0

    async def send() -> bool:
        nonlocal tries
        tries += 1
        if tries == 1:
            raise failure
        return True

    async def before() -> None:
        seen.append("before")

    async def unsent() -> None:
        seen.append("unsent")

    with tries_reported_to(TryHooks(before=before, unsent=unsent)):
        assert await RetryPolicy(sleep=_no_wait).process_request(
            send, (), {}, "sendMessage", {}, None
        )
    assert seen == events


async def test_a_message_whose_answer_was_lost_stays_begun() -> None:
    seen: list[str] = []
    lost = TimedOut("Timed out")
    lost.__cause__ = TimeoutError()

    async def send() -> bool:
        raise lost

    async def note(event: str) -> None:
        seen.append(event)

    hooks = TryHooks(before=lambda: note("before"), unsent=lambda: note("unsent"))
    with tries_reported_to(hooks), pytest.raises(TimedOut):
        await RetryPolicy(sleep=_no_wait).process_request(send, (), {}, "sendMessage", {}, None)
    assert seen == [], "it may have gone out: a replay must not send it again"
