"""A flooding chat end to end (polling and webhook): its excess is dropped before the inbox,
it is asked once to slow down, and every other citizen is served as usual (#15, point 1)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import Emulator
from tests.harness import Hearing, WebhookHearing, free_port, make_settings, query

FLOODER, CITIZENS, MODERATOR = 8001, (8101, 8102, 8103), 8901
GROUP = -1008800
FLOOD = 300
SETUP = 5  # the flooder's updates before the flood: open an item, answer it, "Add a suggestion"
BURST, BACKLOG = SETUP + 5, 3
SLOW_DOWN = "You are sending messages faster than the bot can answer them"


def limited(tmp_path: Path, webhook: bool) -> dict[str, object]:
    """Settings with a tight flood gate (and a webhook, if asked) and a moderators' group."""
    options: dict[str, object] = {
        "rate_limit_per_minute": 1,  # nothing refills during the test
        "rate_limit_burst": BURST,
        "chat_backlog": BACKLOG,
        "moderator_ids": frozenset({MODERATOR}),
        "moderator_chat_id": GROUP,
    }
    if webhook:
        options |= {
            "webhook_url": "https://hearing.example/telegram/hook",
            "webhook_listen": ("127.0.0.1", free_port()),
            "webhook_secret": "hook-secret_0123456789-abcdef",
        }
    return options


@pytest.fixture(params=["polling", "webhook"])
async def gated(
    request: pytest.FixtureRequest, emu: Emulator, tmp_path: Path
) -> AsyncIterator[Hearing]:
    """A running hearing with a tight flood gate, long polling or behind a webhook."""
    webhook = request.param == "webhook"
    settings = make_settings(tmp_path, **limited(tmp_path, webhook))
    hearing: Hearing = WebhookHearing(emu, settings) if webhook else Hearing(emu, settings)
    async with hearing:
        if not webhook:
            yield hearing
            return
        host, port = settings.webhook_listen
        async with emu.webhook_delivery(f"http://{host}:{port}"):
            yield hearing


def notices(hearing: Hearing, chat: int) -> int:
    """Count the slow-down notices in a chat."""
    return sum(SLOW_DOWN in m.plain_text() for m in hearing.emu.messages(chat))


async def stored(hearing: Hearing, update_ids: list[int]) -> int:
    """Count how many of these updates the inbox ever stored (handled or not)."""
    marks = ", ".join("?" * len(update_ids))
    rows = await query(
        hearing.settings.database_path,
        f"SELECT COUNT(*) FROM inbox WHERE update_id IN ({marks})",
        *update_ids,
    )
    return int(str(rows[0][0]))


async def test_a_flood_is_dropped_before_the_inbox_and_others_are_served(
    gated: Hearing,
) -> None:
    emu = gated.emu
    emu.send_message(MODERATOR, "hello", chat_id=GROUP, chat_type="supergroup")
    await gated.settle()
    await gated.open_link(FLOODER, "item-3")
    await gated.press(FLOODER, "👍 Support")
    await gated.press(FLOODER, "High")
    await gated.press(FLOODER, "✍️ Add a suggestion")  # the flood's texts are suggestions
    mark = len(emu.messages(FLOODER))
    flood = []
    for n in range(FLOOD):
        flood.append(emu.send_message(FLOODER, f"Flood message number {n} about the plan"))
        if n % 100 == 50:  # other citizens arrive in the middle of the flood
            for citizen in CITIZENS:
                emu.send_message(citizen, "/start")
    await gated.settle()
    for citizen in CITIZENS:
        assert "You will be walked through the draft" in gated.last(citizen).plain_text(), (
            "nothing of the others is lost"
        )
    assert notices(gated, FLOODER) == 1, "asked once to slow down, not once per dropped update"
    assert BACKLOG <= await stored(gated, flood) <= BURST - SETUP, "the excess is never stored"
    replies = emu.messages_since(FLOODER, mark)
    assert len(replies) <= 3 * (BURST - SETUP) + 1, "only what was admitted was answered"
    suggestions = await query(gated.settings.database_path, "SELECT COUNT(*) FROM suggestions")
    assert suggestions == [(1,)], "the first admitted text is the suggestion, no more"
    alerts = [m for m in emu.messages(GROUP) if "Flood message" in m.plain_text()]
    assert alerts == [], "nothing of the flood reaches the moderators"
    assert emu.pending_updates == [], "every update confirmed: Telegram sends none again"
