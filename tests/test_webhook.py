"""Webhook mode: updates stored before the 200, duplicates dropped, forged requests refused."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.emulator import Emulator
from bot.runtime.logs import Throttled
from bot.runtime.webhook import SECRET_HEADER
from tests.harness import (
    Hearing,
    SecondsClock,
    WebhookHearing,
    database_at,
    free_port,
    make_settings,
    query,
)

CITIZEN = 7070
HOOK_URL = "https://hearing.example/telegram/hook"
HOOK_SECRET = "hook-secret_0123456789-abcdef"
FLOOD = 1000


@pytest.fixture
async def hooked(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> AsyncIterator[WebhookHearing]:
    """A bot in webhook mode; the emulator's delivery is started by each test."""
    port = free_port()
    settings = make_settings(
        tmp_path,
        webhook_url=HOOK_URL,
        webhook_listen=("127.0.0.1", port),
        webhook_secret=HOOK_SECRET,
    )
    async with WebhookHearing(emu, settings) as running:
        yield running


def proxy(hooked: WebhookHearing) -> str:
    """Return where the emulated TLS proxy forwards Telegram's POSTs."""
    host, port = hooked.settings.webhook_listen
    return f"http://{host}:{port}"


# A trigger that refuses every insert into the inbox, and its removal: (SQLite, PostgreSQL).
REFUSE_INBOX = {
    False: (
        "CREATE TRIGGER refuse BEFORE INSERT ON inbox BEGIN SELECT RAISE(ABORT, 'full'); END",
        "DROP TRIGGER refuse",
    ),
    True: (
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'full'; END $$;"
        " CREATE TRIGGER refuse BEFORE INSERT ON inbox FOR EACH ROW EXECUTE FUNCTION refuse()",
        "DROP TRIGGER refuse ON inbox; DROP FUNCTION refuse()",
    ),
}


async def run_sql(path: Path, sql: str) -> None:
    """Run a statement in a transaction of its own on the test database at a path."""
    async with database_at(path) as db, db.transaction() as repos:
        await repos.conn.execute(sql)


async def inbox_rows(hooked: WebhookHearing) -> list[tuple[object, ...]]:
    """Return (update_id, status) of every inbox entry."""
    return await query(
        hooked.settings.database_path, "SELECT update_id, status FROM inbox ORDER BY id"
    )


async def test_citizen_is_served_through_the_webhook(
    emu: Emulator, hooked: WebhookHearing
) -> None:
    assert emu.webhook_url == HOOK_URL, "the bot told Telegram its public URL"
    async with emu.webhook_delivery(proxy(hooked)) as delivery:
        await hooked.say(CITIZEN, "/start")
        await hooked.press(CITIZEN, "Begin")
    assert "Item 1 of 20" in hooked.last(CITIZEN).plain_text()
    assert [status for _, status in delivery.attempts] == [200, 200]
    assert "getUpdates" not in [name for name, _ in emu.calls], "no long polling"
    set_hook = [params for name, params in emu.calls if name == "setWebhook"]
    assert set_hook[-1]["secret_token"] == HOOK_SECRET


async def test_telegram_retries_are_dropped_as_duplicates(
    emu: Emulator, hooked: WebhookHearing
) -> None:
    async with emu.webhook_delivery(proxy(hooked), copies=3) as delivery:
        await hooked.say(CITIZEN, "/start")
        await hooked.press(CITIZEN, "Begin")
        await hooked.press(CITIZEN, "👍 Support")
    assert [status for _, status in delivery.attempts] == [200] * 9, "each answered 200"
    rows = await inbox_rows(hooked)
    assert [update_id for update_id, _ in rows] == [1, 2, 3], "each update stored once"
    texts = [m.plain_text() for m in emu.messages(CITIZEN)]
    assert sum("Your privacy" in text for text in texts) == 1, "the welcome was sent once"
    assert await query(hooked.settings.database_path, "SELECT stance FROM stances") == [
        ("support",)
    ]


async def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST to the bot's webhook server as anyone on the network could; return the status."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            url, data=body, headers={"Content-Type": "application/json", **headers}
        ) as answer,
    ):
        return answer.status


UPDATE = {
    "update_id": 999,
    "message": {
        "message_id": 1,
        "date": 0,
        "chat": {"id": CITIZEN, "type": "private"},
        "from": {"id": CITIZEN, "is_bot": False, "first_name": "Mallory"},
        "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    },
}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {SECRET_HEADER: ""},
        {SECRET_HEADER: HOOK_SECRET[:-1]},
        {SECRET_HEADER: HOOK_SECRET + "x"},
        {SECRET_HEADER: HOOK_SECRET.upper()},
        {SECRET_HEADER: "ключ-" + HOOK_SECRET},
    ],
    ids=["missing", "empty", "shorter", "longer", "other-case", "non-ascii"],
)
async def test_forged_requests_are_refused_and_store_nothing(
    emu: Emulator, hooked: WebhookHearing, headers: dict[str, str]
) -> None:
    status = await post(hooked.local_url, json.dumps(UPDATE).encode(), headers)
    assert status == 403
    await hooked.settle()
    assert await inbox_rows(hooked) == []
    assert emu.messages(CITIZEN) == [], "the forged /start got no answer"


async def test_a_flood_of_forged_requests_is_refused_and_logged_as_a_count(
    emu: Emulator, hooked: WebhookHearing, caplog: pytest.LogCaptureFixture
) -> None:
    forged = json.dumps(UPDATE).encode()
    headers = {"Content-Type": "application/json", SECRET_HEADER: "guess"}
    with caplog.at_level(logging.INFO, logger="bot.runtime.webhook"):
        async with aiohttp.ClientSession() as session:

            async def attempt(number: int) -> int:
                guess = {**headers, SECRET_HEADER: f"guess-{number}"} if number % 2 else headers
                async with session.post(hooked.local_url, data=forged, headers=guess) as answer:
                    return answer.status

            statuses = await asyncio.gather(*(attempt(n) for n in range(FLOOD)))
        await hooked.stop()  # what is still counted is logged when the server stops
    assert statuses == [403] * FLOOD, "every one refused"
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.runtime.webhook"]
    refused = [line for line in lines if "without the right secret token" in line]
    assert 1 <= len(refused) <= 2, lines
    assert sum(int(re.findall(r"\((\d+) in all", line)[0]) for line in refused) == FLOOD
    assert all("guess" not in line for line in lines), "never what they sent"
    assert await inbox_rows(hooked) == [] and emu.messages(CITIZEN) == []


def test_a_flood_is_logged_once_a_minute_with_its_count(caplog: pytest.LogCaptureFixture) -> None:
    clock = SecondsClock(0.0)
    throttled = Throttled(logging.getLogger("flood"), "refused", period=60, clock=clock)
    with caplog.at_level(logging.WARNING, logger="flood"):
        for second in range(0, 150):  # 2.5 minutes, ten events a second
            clock.now = float(second)
            for _ in range(10):
                throttled.note()
        throttled.flush()
    assert [r.getMessage() for r in caplog.records] == [
        "refused (1 in all since the last such line)",
        "refused (600 in all since the last such line)",
        "refused (600 in all since the last such line)",
        "refused (299 in all since the last such line)",
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'{"message": {}}',
        b'{"update_id": "7"}',
        b'{"update_id": true}',
        "\ud800".encode("utf-8", "surrogatepass"),
    ],
    ids=["empty", "not-json", "list", "no-update-id", "string-id", "boolean-id", "lone-surrogate"],
)
async def test_malformed_bodies_are_refused_and_store_nothing(
    hooked: WebhookHearing, body: bytes
) -> None:
    assert await post(hooked.local_url, body, {SECRET_HEADER: HOOK_SECRET}) == 400
    assert await inbox_rows(hooked) == []


async def test_update_is_stored_before_the_answer(hooked: WebhookHearing) -> None:
    assert (
        await post(hooked.local_url, json.dumps(UPDATE).encode(), {SECRET_HEADER: HOOK_SECRET})
        == 200
    )
    # The row is there (handled meanwhile or not, a row stays, without its payload).
    assert [update_id for update_id, _ in await inbox_rows(hooked)] == [999]
    await hooked.settle()


async def test_update_that_cannot_be_stored_is_answered_500_and_retried(
    emu: Emulator, hooked: WebhookHearing
) -> None:
    # A real database failure (not a mock): every insert into the inbox is refused for a while.
    refuse, allow = REFUSE_INBOX[hooked.settings.database_url is not None]
    await run_sql(hooked.settings.database_path, refuse)
    async with emu.webhook_delivery(proxy(hooked)) as delivery:
        emu.send_message(CITIZEN, "/start")
        await emu.wait_until(lambda: len(delivery.attempts) >= 3)
        assert emu.messages(CITIZEN) == []
        await run_sql(hooked.settings.database_path, allow)
        await hooked.settle()
    statuses = [status for _, status in delivery.attempts]
    assert statuses[:3] == [500] * 3 and statuses[-1] == 200
    assert "Your privacy" in hooked.last(CITIZEN).plain_text(), "the retry got through"
    assert [update_id for update_id, _ in await inbox_rows(hooked)] == [1]


async def test_updates_sent_while_the_bot_is_down_arrive_after_restart(
    emu: Emulator, hooked: WebhookHearing
) -> None:
    async with emu.webhook_delivery(proxy(hooked)) as delivery:
        await hooked.say(CITIZEN, "/start")
        await hooked.stop()
        emu.send_message(CITIZEN, "/help")
        await emu.wait_until(lambda: delivery.attempts[-1][1] is None)
        await hooked.start()
        await hooked.settle()
    assert "How this hearing works" in hooked.last(CITIZEN).plain_text()
    assert [update_id for update_id, _ in await inbox_rows(hooked)] == [1, 2]


async def test_running_with_polling_again_removes_the_webhook(
    emu: Emulator, hooked: WebhookHearing
) -> None:
    async with emu.webhook_delivery(proxy(hooked)):
        await hooked.say(CITIZEN, "/start")
    await hooked.stop()
    polling = Hearing(emu, hooked.settings)
    await polling.start()
    try:
        assert emu.webhook_url == ""
        await polling.say(CITIZEN, "/help")
        assert "How this hearing works" in polling.last(CITIZEN).plain_text()
    finally:
        await polling.stop()
