"""Build the python-telegram-bot Application and run it over the hearing's storage."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, Defaults

import handlers
from bot.config import Settings
from bot.hearing.outbox import Outbox
from bot.hearing.plan import load_plan
from bot.hearing.plan_revision import PlanRevisions
from bot.model.clock import Clock, system_clock
from bot.model.values import Language
from bot.runtime.chat_order import ChatOrderedProcessor
from bot.runtime.flood_gate import FloodGate, FloodLimits
from bot.runtime.inbox import Inbox, InboxQueue
from bot.runtime.pacer import Pacing
from bot.runtime.polling import InboxApplicationBuilder, InboxBot
from bot.runtime.retry import RetryPolicy, retries_off
from bot.runtime.transport import DEFAULT_TRANSPORT, Transport, use_transport
from bot.runtime.webhook import WebhookServer, webhook_path
from bot.senders.broadcasts import IN_FLIGHT, Broadcaster
from bot.senders.digests import catch_up, schedule_digests
from bot.senders.flood_notices import ask_to_slow_down
from bot.senders.followers import announce_revision, notify_followers, schedule_followers
from bot.senders.hub import BackgroundSenders
from bot.senders.moderation_notices import tell_pending_authors
from bot.senders.outbox import OutboxSender
from bot.senders.response_notices import deliver_pending
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
    handle = inbox.handle if inbox is not None else None
    start = ApplicationBuilder() if inbox is None else InboxApplicationBuilder(inbox, gate)
    builder = (
        start.token(token)
        .base_url(settings.telegram_api_url)
        .base_file_url(file_url_for(settings.telegram_api_url))
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(
            ChatOrderedProcessor(settings.max_concurrent_updates, on_done, on_start, handle)
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
        services = Services.build(settings, db, plans[Language.ENGLISH], secret, plans)
        # Before any update is handled: a restored backup must not bring an erased person back.
        await services.erasure.reapply()
        await services.submissions.key_old_texts()  # texts stored before the repeat check's keys
        eligibility = settings.eligibility_country_code is not None
        queue = InboxQueue(Inbox(db, keep_phone=eligibility))
        # The gate's notice is sent in the background: the update that found the flood is
        # dropped, and the gate runs where updates arrive, which must not wait for a send.
        gate = FloodGate(
            flood_limits(settings),
            notify=lambda sender: app.create_task(ask_to_slow_down(app, sender)),
        )
        app = build_application(settings, services, token, queue, transport, gate)
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
        try:
            await app.bot.set_my_commands(command_menu(services.texts))
            # Clients set to Urdu show this menu until the citizen chooses (then their chat's).
            urdu = command_menu(services.texts_in(Language.URDU))
            await app.bot.set_my_commands(urdu, language_code=Language.URDU.value)
            await app.start()
            schedule_digests(app)
            schedule_followers(app)
            await catch_up(app)
            broadcaster.kick()  # resumes a broadcast an earlier run did not finish
            await announce_revision(app)
            await notify_followers(app)
            outbox.kick()  # sends what an earlier run queued and did not send
            await deliver_pending(app.bot, services)
            await tell_pending_authors(app.bot, services)
            if app.updater is None:
                raise RuntimeError("the application was built without an updater")
            # Before polling, so that a chat's leftovers run before its new updates.
            await queue.replay_pending(app.bot)
            if webhook:
                server = await start_webhook(settings, app, queue, gate)
            else:
                await app.updater.start_polling(
                    poll_interval=0, timeout=LONG_POLL_SECONDS, allowed_updates=Update.ALL_TYPES
                )
            log.info("hearing %r is running with %d items", plan.title, len(plan.items))
            yield app
        finally:
            await broadcaster.stop()
            if server is not None:
                await server.stop()
            await outbox.stop()
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
                await queue.inbox.confirm_polled(app.bot)
            if app.running:
                await app.stop()
            await queue.inbox.flush()
            await app.shutdown()


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


async def settle(app: HearingApp) -> None:
    """Wait until every update the application has received is fully handled."""
    await app.update_queue.join()
    processor = app.update_processor
    if isinstance(processor, ChatOrderedProcessor):
        await processor.wait_idle()
    if isinstance(app.update_queue, InboxQueue):
        await app.update_queue.inbox.flush()
