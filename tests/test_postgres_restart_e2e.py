"""PostgreSQL restarted under a running bot: an update that arrives meanwhile cannot be stored,
so it is not confirmed; Telegram gives it again, and once the server is back it is handled,
once. The bot does not crash (the server of its own, since the shared one must not stop)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import Emulator
from tests.harness import Hearing, database_of, make_settings, rows
from tests.postgres_cluster import Cluster, start_cluster

ANA = 8801


@pytest.fixture
async def own_cluster(postgres_cluster: Cluster | str) -> AsyncIterator[Cluster]:
    """A throwaway cluster this test may stop and start (the session's must keep running)."""
    if isinstance(postgres_cluster, str):
        pytest.skip(f"PostgreSQL half skipped: {postgres_cluster}")
    cluster = await asyncio.to_thread(start_cluster)
    if isinstance(cluster, str):
        pytest.skip(f"PostgreSQL half skipped: {cluster}")
    try:
        yield cluster
    finally:
        await asyncio.to_thread(cluster.stop)


def polls(emu: Emulator) -> int:
    """Count the bot's getUpdates calls so far."""
    return sum(1 for method, _ in emu.calls if method == "getUpdates")


async def test_an_update_sent_while_the_server_restarts_is_handled_once_it_is_back(
    emu: Emulator, tmp_path: Path, own_cluster: Cluster
) -> None:
    url = await own_cluster.fresh_database()
    hearing = Hearing(emu, make_settings(tmp_path, database_url=url))
    await hearing.start()
    try:
        await hearing.answer_item(ANA, "1")
        seen = len(emu.messages(ANA))
        await asyncio.to_thread(own_cluster.pause)
        before = polls(emu)
        emu.send_message(ANA, "/help")
        [waiting] = emu.pending_updates
        # Fetched, not stored, so not confirmed: fetched again, and again.
        await emu.wait_until(lambda: polls(emu) >= before + 3, timeout=30)
        assert emu.pending_updates == [waiting] and len(emu.messages(ANA)) == seen
        await asyncio.to_thread(own_cluster.resume)
        await emu.wait_delivered(timeout=60)
        await hearing.settle()
        assert len(emu.messages(ANA)) == seen + 1, "answered once"
        async with database_of(hearing.settings) as db:
            entries = await rows(db, "SELECT status FROM inbox WHERE update_id = ?", waiting)
        assert entries == [("done",)], "stored once, handled"
    finally:
        await hearing.stop()
