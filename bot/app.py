"""Build the python-telegram-bot Application and run it over the hearing's storage."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, Defaults, Updater

import handlers
from bot.config import Settings
from bot.hearing.outbox import Outbox
from bot.hearing.plan import load_plan
from bot.hearing.plan_revision import PlanRevisions
from bot.model.clock import Clock, system_clock
from bot.model.values import Language
from bot.runtime.chat_order import ChatOrderedProcessor
from bot.runtime.claims import FleetQueue
from bot.runtime.fleet import Fleet
from bot.runtime.fleet_settings import fingerprints
from bot.runtime.flood_gate import FloodGate, FloodLimits
from bot.runtime.inbox import Inbox, InboxQueue
from bot.runtime.pacer import Pacing
from bot.runtime.polling import InboxApplicationBuilder, InboxBot
from bot.runtime.retry import RetryPolicy, retries_off
from bot.runtime.transport import DEFAULT_TRANSPORT, Transport, use_transport
from bot.runtime.webhook import WebhookServer, webhook_path
from bot.senders.broadcasts import IN_FLIGHT, Broadcaster
from bot.senders.digests import schedule_digests
from bot.senders.flood_notices import ask_to_slow_down
from bot.senders.followers import schedule_followers
from bot.senders.hub import BackgroundSenders
from bot.senders.outbox import OutboxSender
from bot.senders.startup import resume_scheduled
from bot.services import Services
from bot.views.menu import command_menu
from handlers.context import CONTEXT_TYPES, HearingApp
from storage.backend import open_database

log = logging.getLogger(__name__)

LONG_POLL_SECONDS = 10
OUTBOX_SHARE = 5


def file_url_for(api_url: str) -> str:
    """Derive the Bot API file URL from its method URL (`…/bot` becomes `…/file/bot`)."""
    if api_url.endswith("/bot"):
        return api_url[: -len("bot")] + "file/bot"
    return api_url.rstrip("/") + "/file/bot"


def build_application(
    settings: Settings,
    services: Services,
    token: str,
    queue: InboxQueue | None = None,
    transport: Transport = DEFAULT_TRANSPORT,
    gate: FloodGate | None = None,
) -> HearingApp:
    """Wire handlers, the per-chat update processor and HTML defaults into an Application."""
    defaults = Defaults(
        parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
    )
    inbox = queue.inbox if queue is not None else None

    async def on_done(update: object) -> None:
        if gate is not None:
            gate.finished(update)  # no longer waiting: the chat's backlog shrinks
        if inbox is not None:
            await inbox.complete(update)

    on_start = inbox.starting if inbox is not None else None

    async def handle(update: object, handling: Awaitable[Any]) -> None:
        # A unit undone by a conflict runs again: python-telegram-bot's handling anew.
        if inbox is not None:
            await inbox.handle(update, handling, again=lambda: app.process_update(update))

    start = ApplicationBuilder() if inbox is None else InboxApplicationBuilder(inbox, gate)
    builder = (
        start.token(token)
        .base_url(settings.telegram_api_url)
        .base_file_url(file_url_for(settings.telegram_api_url))
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(
            ChatOrderedProcessor(
                settings.max_concurrent_updates, on_done, on_start, handle if inbox else None
            )
        )
        .defaults(defaults)
        .rate_limiter(RetryPolicy())
    )
    if queue is not None:
        builder = builder.update_queue(queue)
    app: HearingApp = use_transport(builder, transport).build()
    if inbox is not None and isinstance(app.bot, InboxBot):
        inbox.post = app.bot.post_kept
        inbox.marks_at_write = transport == "aiohttp"
    app.bot_data.services = services
    handlers.register(app)
    return app


@asynccontextmanager
async def running_hearing(
    settings: Settings,
    token: str,
    secret: str,
    clock: Clock | None = None,
    *,
    webhook: bool = False,
    transport: Transport = DEFAULT_TRANSPORT,
) -> AsyncIterator[HearingApp]:
    """Open storage, start the bot (long polling, or a webhook), and stop it all on exit."""
    plan = load_plan(settings.plan_path)
    # The hearing's one clock: storage stamps rows with it, and the services read it too.
    async with open_database(
        settings.database_url, settings.database_path, system_clock if clock is None else clock
    ) as db:
        # The latest `publish-plan`, if any, with the translations published with it.
        plans = await PlanRevisions(db).served_plans(plan, settings.plan_path)
        eligibility = settings.eligibility_country_code is not None
        inbox = Inbox(db, keep_phone=eligibility)
        fleet: Fleet | None = None
        if settings.database_url:  # workers on one PostgreSQL: they must share these settings
            shared = fingerprints(must_match(settings, plans[Language.ENGLISH].version), secret)
            fleet = await Fleet.join(db, settings.database_url, settings.database_where, shared,
                                     inbox, settings.max_concurrent_updates)  # fmt: skip
        try:
            services = Services.build(settings, db, plans[Language.ENGLISH], secret, plans)
            # Before any update is handled: a restored backup must not bring an erased person
            # back.
            await services.erasure.reapply()
            await services.submissions.key_old_texts()  # stored before the repeat check's keys
            # The gate's notice is sent in the background: the update that found the flood is
            # dropped, and the gate runs where updates arrive, which must not wait for a send.
            gate = FloodGate(
                flood_limits(settings),
                notify=lambda sender: app.create_task(ask_to_slow_down(app, sender)),
            )
            queue = FleetQueue(inbox, gate) if fleet is not None else InboxQueue(inbox)
            app = build_application(settings, services, token, queue, transport, gate)
            async with _serving(settings, app, queue, fleet, gate, webhook=webhook):
                log.info("hearing %r is running with %d items", plan.title, len(plan.items))
                yield app
        finally:
            if fleet is not None:
                await fleet.leave()


@asynccontextmanager
async def _serving(
    settings: Settings, app: HearingApp, queue: InboxQueue, fleet: Fleet | None,
    gate: FloodGate, *, webhook: bool,
) -> AsyncIterator[None]:  # fmt: skip
    """Start the application, its senders and its updates (polling or a webhook); stop them."""
    services = app.bot_data.require_services()
    db = services.db
    # A fifth of BROADCAST_RATE: with a broadcast going at the same time (25 + 5 a second by
    # default), the two together stay within Telegram's ~30 messages a second.
    outbox = OutboxSender(
        Outbox(db), services.participants, services.texts_in,
        send=lambda chat_id, text, markup: _send_outbox(app, chat_id, text, markup),
        pacing=Pacing(per_second=max(1.0, settings.broadcast_rate / OUTBOX_SHARE)),
    )  # fmt: skip
    broadcaster = Broadcaster(
        services.broadcasts, services.participants, services.texts_of_participant,
        send=lambda chat_id, text: _send_broadcast(app, chat_id, text),
        pacing=Pacing(per_second=settings.broadcast_rate, in_flight=IN_FLIGHT),
        finished=outbox.kick,  # the author's report waits in the outbox
    )  # fmt: skip
    server: WebhookServer | None = None
    app.bot_data.senders = BackgroundSenders(app, broadcaster, outbox)
    try:
        await app.initialize()
    except BaseException:
        # The transport's sessions were opened before getMe failed (a refused token).
        await app.bot.shutdown()
        raise
    updater = app.updater
    try:
        if updater is None:
            raise RuntimeError("the application was built without an updater")
        await app.bot.set_my_commands(command_menu(services.texts))
        # Clients set to Urdu show this menu until the citizen chooses (then their chat's).
        urdu = command_menu(services.texts_in(Language.URDU))
        await app.bot.set_my_commands(urdu, language_code=Language.URDU.value)
        await app.start()
        schedule_digests(app)
        schedule_followers(app)
        if webhook and fleet is not None:  # every worker receives (behind the reverse proxy)
            server = await start_webhook(settings, app, queue, gate)
        if isinstance(queue, FleetQueue) and fleet is not None:
            app.bot_data.scheduled_here = fleet.schedules
            await queue.inbox.tidy()

            async def stop_polling() -> None:
                if updater.running:
                    await updater.stop()
                    await queue.inbox.confirm_polled(app.bot)

            await fleet.start(
                app.bot, queue, [broadcaster, outbox],
                lambda: resume_scheduled(app, broadcaster, outbox),
                None if webhook else (lambda: _poll(updater), stop_polling),
            )  # fmt: skip
        else:
            await resume_scheduled(app, broadcaster, outbox)
            # Before polling, so that a chat's leftovers run before its new updates.
            await queue.replay_pending(app.bot)
            if webhook:
                server = await start_webhook(settings, app, queue, gate)
            else:
                await _poll(updater)
        yield
    finally:
        if fleet is not None:
            await fleet.stop()  # polling stops, bulk sending pauses
        await broadcaster.stop()
        if server is not None:
            await server.stop()
        await outbox.stop()
        if updater is not None and updater.running:
            await updater.stop()
            await queue.inbox.confirm_polled(app.bot)
        if app.running:
            await app.stop()
        await queue.inbox.flush()
        if fleet is not None:
            await fleet.leave()
        await app.shutdown()


async def _poll(updater: Updater) -> None:
    await updater.start_polling(
        poll_interval=0, timeout=LONG_POLL_SECONDS, allowed_updates=Update.ALL_TYPES
    )


def flood_limits(settings: Settings) -> FloodLimits:
    """Return the flood gate's limits from the settings."""
    return FloodLimits(
        settings.rate_limit_per_minute, settings.rate_limit_burst, settings.chat_backlog
    )


async def start_webhook(
    settings: Settings, app: HearingApp, queue: InboxQueue, gate: FloodGate | None = None
) -> WebhookServer:
    """Listen for Telegram's POSTs, then tell Telegram where to send them (with the secret)."""
    url, secret = settings.require_webhook()
    host, port = settings.webhook_listen
    server = WebhookServer(queue, app.bot, secret, webhook_path(url), host, port, gate)
    await server.start()
    try:
        # Updates Telegram holds for us stay pending and come in as POSTs now.
        await app.bot.set_webhook(url, secret_token=secret, allowed_updates=Update.ALL_TYPES)
    except BaseException:
        await server.stop()
        raise
    return server


async def _send_broadcast(app: HearingApp, chat_id: int, text: str) -> object:
    # The broadcaster paces itself and waits out flood control and outages for everyone.
    with retries_off():
        return await app.bot.send_message(chat_id, text)


async def _send_outbox(
    app: HearingApp, chat_id: int, text: str, markup: InlineKeyboardMarkup | None
) -> object:
    # Like the broadcaster, the outbox paces itself and waits out flood control and outages.
    with retries_off():
        return await app.bot.send_message(chat_id, text, reply_markup=markup)


def must_match(settings: Settings, plan_version: str) -> dict[str, str]:
    """The settings every worker of a fleet must share, by the name an operator sets them by."""
    ids = lambda found: ",".join(map(str, sorted(found)))  # noqa: E731
    return {
        "PLAN_PATH": plan_version,  # the plan served: the file's, or the one published
        "MODERATION_MODE": settings.moderation_mode.value,
        "TIMEZONE": settings.timezone,
        "DIGEST_TIME": settings.digest_time.isoformat(),
        "DRAFTER_IDS": ids(settings.drafter_ids),
        "MODERATOR_IDS": ids(settings.moderator_ids),
        "OVERSIGHT_IDS": ids(settings.oversight_ids),
        "MODERATOR_CHAT_ID": str(settings.moderator_chat_id),
    }


async def settle(app: HearingApp) -> None:
    """Wait until every update the application has received is fully handled.

    On a fleet, also every update stored for a chat this worker holds or can claim.
    """
    while True:
        await app.update_queue.join()
        processor = app.update_processor
        if isinstance(processor, ChatOrderedProcessor):
            await processor.wait_idle()
        if not isinstance(app.update_queue, FleetQueue) or await app.update_queue.settled():
            break
    if isinstance(app.update_queue, InboxQueue):
        await app.update_queue.inbox.flush()
