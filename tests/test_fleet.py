"""Several workers on one PostgreSQL (docs/postgres.md, Several workers), in one process: the
settings they must share, one poller, chats claimed per worker, a dead worker's chats taken
over, bulk work sent by one worker, and one copy of an update posted to two workers."""

from __future__ import annotations

import asyncio
import io
import itertools
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import time
from pathlib import Path

import aiohttp
import pytest
from telegram import Update

from bot.commands.tracking import publish_plan
from bot.config import Settings
from bot.emulator import Emulator
from bot.model.values import ModerationMode
from bot.runtime import claims
from bot.runtime.claims import FleetQueue
from bot.runtime.fleet_settings import SettingsMismatch, fingerprints, join_fleet
from bot.runtime.inbox import Inbox
from bot.runtime.leadership import Leadership, Role
from bot.runtime.webhook import SECRET_HEADER
from handlers.context import HearingApp
from storage.pg_fleet import POLL_LOCK, FleetLink
from storage.postgres import PostgresDatabase
from tests.harness import (
    POSTGRES_ONLY,
    SECRET,
    Hearing,
    database_of,
    make_settings,
    rows,
)
from tests.test_crash_restart import BotProcess
from tests.test_inbox import update_data
from tests.test_webhook import HOOK_SECRET, HOOK_URL, WebhookHearing, free_port

CITIZENS = range(9101, 9111)
OTHER_TZ = "Europe/Berlin"


def claims_of(app: HearingApp | None) -> FleetQueue:
    """The fleet's update queue of a running worker."""
    assert app is not None and isinstance(app.update_queue, FleetQueue)
    return app.update_queue


def polls(hearing: Hearing) -> bool:
    """Tell whether this worker polls Telegram now."""
    return hearing.app is not None and hearing.app.updater is not None and (
        hearing.app.updater.running)  # fmt: skip


@pytest.fixture
async def first(emu: Emulator, tmp_path: Path, database_url: str) -> AsyncIterator[Hearing]:
    """The first worker of the fleet."""
    async with Hearing(emu, make_settings(tmp_path)) as running:
        yield running


@POSTGRES_ONLY
@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("TIMEZONE", {"timezone": OTHER_TZ}),
        ("DIGEST_TIME", {"digest_time": time(7, 30)}),
        ("MODERATION_MODE", {"moderation_mode": ModerationMode.PRE}),
        ("DRAFTER_IDS", {"drafter_ids": frozenset({4242})}),
        ("PLAN_PATH", {"plan_path": Path(__file__).parent / "data" / "plan_revised.md"}),
    ],
)
async def test_a_worker_with_other_settings_refuses_to_start_naming_the_setting(
    first: Hearing, emu: Emulator, name: str, change: dict[str, object]
) -> None:
    other = Hearing(emu, replace(first.settings, **change))  # type: ignore[arg-type]
    with pytest.raises(SettingsMismatch) as refused:
        await other.start()
    assert refused.value.name == name and name in str(refused.value)
    assert OTHER_TZ not in str(refused.value) and "4242" not in str(refused.value)
    # and the same settings join
    async with Hearing(emu, first.settings) as same:
        assert same.app is not None


async def test_the_pseudonym_secrets_are_compared_by_an_hmac(postgres_url: str) -> None:
    async with PostgresDatabase(postgres_url) as db:
        links = [FleetLink(postgres_url, "db") for _ in range(3)]
        for link in links:
            await link.connect()
        try:
            assert await join_fleet(db, links[0], fingerprints({"TIMEZONE": "UTC"}, SECRET))
            other = SECRET.replace("test", "TEST")
            with pytest.raises(SettingsMismatch, match="PSEUDONYM_SECRET"):
                await join_fleet(db, links[1], fingerprints({"TIMEZONE": "UTC"}, other))
            recorded = await rows(db, "SELECT value FROM app_state WHERE key LIKE 'fleet%'")
            assert not any(SECRET in str(value) for (value,) in recorded)
            await links[0].close()  # the whole fleet stopped: new settings are taken, on purpose
            assert await join_fleet(db, links[2], fingerprints({"TIMEZONE": OTHER_TZ}, other))
        finally:
            for link in links:
                await link.close()


@POSTGRES_ONLY
async def test_run_refuses_in_one_line_with_the_config_exit_status(
    first: Hearing, emu: Emulator, tmp_path: Path
) -> None:
    worker = BotProcess(emu, tmp_path)
    worker.env |= {"TIMEZONE": OTHER_TZ, "LOG_LEVEL": "WARNING"}
    await worker.start()
    assert worker.process is not None
    assert await asyncio.wait_for(worker.process.wait(), timeout=60) == 2
    said = worker.log.read_text("utf-8")
    [line] = [line for line in said.splitlines() if line.startswith("hearing-bot:")]
    assert line.startswith("hearing-bot: configuration error: TIMEZONE differs")
    assert OTHER_TZ not in said


@POSTGRES_ONLY
async def test_publish_plan_records_the_plan_the_fleet_serves_next(
    first: Hearing, emu: Emulator
) -> None:
    revised = Path(__file__).parent / "data" / "plan_revised.md"
    refused = Hearing(emu, replace(first.settings, plan_path=revised))
    with pytest.raises(SettingsMismatch, match="PLAN_PATH"):
        await refused.start()
    await asyncio.to_thread(main_publish, first, revised)
    # A worker started now serves the published version, whatever its own file says.
    async with Hearing(emu, first.settings) as joined:
        assert joined.app is not None


def main_publish(hearing: Hearing, path: Path) -> None:
    """Run `hearing-bot publish-plan FILE` beside the running fleet."""
    assert publish_plan(hearing.settings, path, io.StringIO(), io.StringIO()) == 0


async def answered(hearing: Hearing, users: range, text: str = "/help") -> None:
    """Have every citizen say something at once, and wait until each has their answer."""
    before = {user: len(hearing.emu.messages(user)) for user in users}
    for user in users:
        hearing.emu.send_message(user, text)
    await hearing.emu.wait_until(
        lambda: all(len(hearing.emu.messages(u)) > before[u] for u in users), timeout=30
    )


@POSTGRES_ONLY
async def test_one_worker_polls_and_every_worker_handles_chats_once_each(
    emu: Emulator, tmp_path: Path, database_url: str
) -> None:
    # One chat at a time each: the poller cannot take every chat, so the other claims some.
    settings = make_settings(tmp_path, max_concurrent_updates=1)
    async with Hearing(emu, settings) as one, Hearing(emu, settings) as two:
        assert [polls(one), polls(two)].count(True) == 1, "exactly one worker polls"
        assert [w.app.bot_data.scheduled_here() for w in (one, two) if w.app].count(True) == 1
        await answered(one, CITIZENS, "/start")
        await answered(one, CITIZENS, "/help")
        await one.settle()
        await two.settle()
        assert claims_of(one.app).claims and claims_of(two.app).claims
        handed = [claims_of(w.app).claims.handed_on for w in (one, two)]  # type: ignore[union-attr]
        assert all(count > 0 for count in handed), f"both workers handled chats: {handed}"
    for user in CITIZENS:
        texts = [m.plain_text() for m in emu.messages(user)]
        assert len(texts) == 2 and "How this hearing works" in texts[1], "once each, in order"
    async with database_of(settings) as db:
        assert await rows(db, "SELECT status, COUNT(*) FROM inbox GROUP BY status") == [
            ("done", 2 * len(CITIZENS))
        ]
        assert await rows(db, "SELECT COUNT(*) FROM chat_claims") == [(0,)], "all given back"


@POSTGRES_ONLY
async def test_when_the_poller_stops_another_worker_polls_within_seconds(
    emu: Emulator, tmp_path: Path, database_url: str
) -> None:
    settings = make_settings(tmp_path)
    one, two = Hearing(emu, settings), Hearing(emu, settings)
    await one.start()
    await two.start()
    try:
        poller, other = (one, two) if polls(one) else (two, one)
        await poller.stop()
        await emu.wait_until(lambda: polls(other), timeout=10)
        await answered(other, range(9201, 9203))
    finally:
        await one.stop()
        await two.stop()


async def record_with_a_dead_claim(settings: Settings, user: int, lease_seconds: int) -> None:
    """Store two updates of a chat that a worker claimed just before it died."""
    updates = ((501, "/start"), (502, "/help"))
    async with database_of(settings) as db:
        async with db.transaction() as repos:
            await repos.conn.execute(
                "INSERT INTO chat_claims (chat_key, worker, lease_until)"
                " VALUES (?, 'gone:1:dead', now() + make_interval(secs => ?))",
                (user, lease_seconds),
            )
        inbox = Inbox(db)
        for update_id, text in updates:
            assert await inbox.record(Update.de_json(update_data(update_id, text, user), None))


async def replayed_in_order(emu: Emulator, settings: Settings, user: int) -> None:
    """Assert the chat's two updates were answered in order, each replayed once."""
    texts = [m.plain_text() for m in emu.messages(user)]
    assert "Your privacy" in texts[0] and "How this hearing works" in texts[1], "in order"
    async with database_of(settings) as db:
        found = await rows(db, "SELECT update_id, status, attempts FROM inbox ORDER BY update_id")
    assert found == [(501, "done", 1), (502, "done", 1)], "replayed, the attempts counted"


@POSTGRES_ONLY
async def test_a_dead_workers_chat_is_taken_over_once_its_lease_ends_and_replayed(
    emu: Emulator, tmp_path: Path, database_url: str
) -> None:
    settings = make_settings(tmp_path)
    emu.meet(9301)
    async with Hearing(emu, settings) as worker:  # the fleet runs on: the claim may be live
        await record_with_a_dead_claim(settings, 9301, lease_seconds=3)
        await asyncio.sleep(1.5)
        assert emu.messages(9301) == [], "not while the dead worker's lease runs"
        await emu.wait_until(lambda: len(emu.messages(9301)) == 2, timeout=15)
        await worker.settle()
    await replayed_in_order(emu, settings, 9301)


@POSTGRES_ONLY
async def test_a_lone_worker_started_after_a_kill_takes_its_chats_at_once(
    emu: Emulator, tmp_path: Path, database_url: str
) -> None:
    settings = make_settings(tmp_path)
    emu.meet(9302)
    await record_with_a_dead_claim(settings, 9302, lease_seconds=600)
    async with Hearing(emu, settings) as worker:  # alone: every claim left is a dead worker's
        await emu.wait_until(lambda: len(emu.messages(9302)) == 2, timeout=5)
        await worker.settle()
    await replayed_in_order(emu, settings, 9302)


@POSTGRES_ONLY
async def test_a_restarted_worker_looks_for_what_was_left_pending_at_once(
    emu: Emulator, tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not at its first periodic look: a worker killed again within a second of each start
    would otherwise never reach what its earlier runs left (the crash test's citizens did
    not get their answers)."""
    monkeypatch.setattr(claims, "LOOK_EVERY_SECONDS", 3600.0)
    settings = make_settings(tmp_path)
    emu.meet(9303)
    await record_with_a_dead_claim(settings, 9303, lease_seconds=0)
    async with Hearing(emu, settings):
        await emu.wait_until(lambda: len(emu.messages(9303)) == 2, timeout=10)
    await replayed_in_order(emu, settings, 9303)


@POSTGRES_ONLY
async def test_each_update_is_handed_on_once(
    emu: Emulator, tmp_path: Path, database_url: str
) -> None:
    """A chat is given back only once its handled updates are marked so: a round that found
    one still pending would claim the chat again and hand the update on a second time (with
    its reply kept, nothing is sent twice; with none, its handler would run again)."""
    async with Hearing(emu, make_settings(tmp_path)) as hearing:
        for user, item in itertools.product((9304, 9305), ("1", "2", "3")):
            await hearing.answer_item(user, item)
        await hearing.settle()
        queue = hearing.app.update_queue
        assert isinstance(queue, FleetQueue) and queue.claims is not None
        async with database_of(hearing.settings) as db:
            [(stored,)] = await rows(db, "SELECT COUNT(*) FROM inbox")
        assert queue.claims.handed_on == stored


@POSTGRES_ONLY
async def test_one_update_posted_to_two_workers_is_stored_and_handled_once(
    emu: Emulator, tmp_path: Path, database_url: str
) -> None:
    hooks = [
        make_settings(
            tmp_path,
            webhook_url=HOOK_URL,
            webhook_listen=("127.0.0.1", free_port()),
            webhook_secret=HOOK_SECRET,
        )
        for _ in range(2)
    ]
    async with WebhookHearing(emu, hooks[0]) as one, WebhookHearing(emu, hooks[1]) as two:
        emu.meet(9401)
        body = update_data(777, "/help", 9401)
        async with aiohttp.ClientSession() as session:

            async def post(url: str) -> int:
                headers = {SECRET_HEADER: HOOK_SECRET}
                async with session.post(url, json=body, headers=headers) as answer:
                    return answer.status

            statuses = await asyncio.gather(*(post(w.local_url) for w in (one, two, one, two)))
        assert statuses == [200] * 4
        await emu.wait_until(lambda: len(emu.messages(9401)) == 1, timeout=15)
        await one.settle()
        await two.settle()
    assert len(emu.messages(9401)) == 1
    async with database_of(hooks[0]) as db:
        assert await rows(db, "SELECT status FROM inbox WHERE update_id = 777") == [("done",)]


@POSTGRES_ONLY
async def test_bulk_work_kicked_on_another_worker_is_sent_by_the_scheduler_once(
    emu: Emulator, tmp_path: Path, database_url: str
) -> None:
    settings = make_settings(tmp_path)
    async with Hearing(emu, settings) as one, Hearing(emu, settings) as two:
        await answered(one, range(9501, 9504), "/start")
        one_schedules = one.app is not None and one.app.bot_data.scheduled_here()
        other = two if one_schedules else one
        assert other.app is not None and other.app.bot_data.senders is not None
        services = other.app.bot_data.require_services()
        async with services.db.transaction() as repos:
            for user in range(9501, 9504):
                pid = services.participants.identify(user)
                await repos.outbox.add(pid, "followers", f"news for {user}")
        other.app.bot_data.senders.kick_outbox()  # passed on to the scheduler's worker
        await emu.wait_until(
            lambda: all(any("news for" in m.plain_text() for m in emu.messages(u))
                        for u in range(9501, 9504)), timeout=15)  # fmt: skip
        await asyncio.sleep(0.5)
    for user in range(9501, 9504):
        assert [m.plain_text() for m in emu.messages(user)].count(f"news for {user}") == 1


async def test_a_role_that_fails_to_start_is_let_go_for_another_worker(postgres_url: str) -> None:
    links = [FleetLink(postgres_url, "db") for _ in range(2)]
    for link in links:
        await link.connect()
    tries: list[str] = []

    async def fails() -> None:
        tries.append("start")
        raise RuntimeError("Telegram is down")

    async def nothing() -> None:
        tries.append("stop")

    leadership = Leadership(links[0], [Role("polls Telegram", POLL_LOCK, fails, nothing)])
    try:
        await leadership.start()
        assert tries == ["start", "stop"] and not leadership.holds("polls Telegram")
        assert await links[1].try_lock(POLL_LOCK), "free for another worker"
    finally:
        await leadership.stop()
        for link in links:
            await link.close()


@POSTGRES_ONLY
@pytest.mark.parametrize("turns", range(4))
async def test_claims_halted_just_after_a_kick_stop_at_once(
    first: Hearing, database_url: str, turns: int
) -> None:
    # A kick wakes the claiming loop; a stop (SIGTERM) halts it that many turns of the event
    # loop later. Python 3.11's asyncio.wait_for swallowed a cancel that came as what it waited
    # for was done, and the loop went on: the worker never stopped (the crash test's SIGTERM
    # not ended within 10 s).
    claims = claims_of(first.app).claims
    assert claims is not None
    await first.settle()
    await asyncio.sleep(0.2)  # the loop waits for a kick (or its next look, in a second)
    claims.kick()
    for _ in range(turns):
        await asyncio.sleep(0)
    halting = asyncio.create_task(claims.halt())
    done, _ = await asyncio.wait({halting}, timeout=5)
    assert done, "the claims' loops ended when halted"
