"""Webhook mode: a small aiohttp server that stores each update before answering Telegram."""

from __future__ import annotations

import hmac
import json
import logging
from http import HTTPStatus
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Bot, Update

from bot.runtime.flood_gate import FloodGate
from bot.runtime.inbox import InboxQueue, InboxUnavailable
from bot.runtime.logs import Throttled

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# An update is a few kilobytes; Telegram sends no files in a webhook request.
MAX_BODY = 1024 * 1024
# Requests in flight at shutdown get this long to be stored and answered.
SHUTDOWN_SECONDS = 5.0

# Why our own server and not python-telegram-bot's `Updater.start_webhook`: that one (tornado,
# an extra dependency) compares the secret token with `!=` (not in constant time), logs a wrong
# token and, at DEBUG, every update's raw JSON (message texts and Telegram ids), and answers a
# failure to store an update the same way as a malformed one. Here the update goes through the
# same InboxQueue as in polling mode: it is stored (or dropped as a duplicate) before the 200,
# and any failure to store it answers 500, so Telegram keeps it and retries.


def webhook_path(public_url: str) -> str:
    """Return the path part of the public webhook URL, which the server listens on."""
    return urlsplit(public_url).path or "/"


class WebhookServer:
    """Receive Telegram's POSTs on one path: check the secret, store the update, answer."""

    def __init__(
        self, queue: InboxQueue, bot: Bot, secret: str, path: str, host: str, port: int,
        gate: FloodGate | None = None,
    ) -> None:  # fmt: skip
        self._queue = queue
        self._gate = gate
        self._bot = bot
        self._secret = secret.encode()
        self._path = path
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        # Anyone who finds the port can post: their requests are counted, not each logged.
        self._refused = Throttled(log, "refused webhook requests without the right secret token")

    @property
    def port(self) -> int:
        """Return the port the server listens on (the one chosen, when asked for port 0)."""
        if self._runner is None or not self._runner.addresses:
            raise RuntimeError("the webhook server is not listening")
        return int(self._runner.addresses[0][1])

    async def start(self) -> None:
        """Start listening."""
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self._path, self.receive)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._host, self._port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        log.info("webhook server listening on port %d", self.port)

    async def stop(self) -> None:
        """Stop listening; requests being handled are finished first. Safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        self._refused.flush()

    async def receive(self, request: web.Request) -> web.Response:
        """Answer 200 only once the update is stored (or known); 403 without the secret."""
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, self._secret):
            self._refused.note()
            return web.Response(status=HTTPStatus.FORBIDDEN)
        try:
            data = json.loads(await request.read())
            if self._gate is not None and isinstance(data, dict) and not self._gate.admit(data):
                # A flood's excess: answered as received, so Telegram does not send it again;
                # never built, never stored (bot/runtime/flood_gate.py).
                return web.Response(status=HTTPStatus.OK)
            update = Update.de_json(data, self._bot) if isinstance(data, dict) else None
        except Exception as exc:  # whatever a malformed body raises, nothing is stored
            log.warning("refused a webhook request that is not an update: %s", type(exc).__name__)
            return web.Response(status=HTTPStatus.BAD_REQUEST)
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if update is None or not isinstance(update_id, int) or isinstance(update_id, bool):
            log.warning("refused a webhook request that is not an update")
            return web.Response(status=HTTPStatus.BAD_REQUEST)
        try:
            await self._queue.put(update)
        except InboxUnavailable as exc:
            cause = type(exc.__cause__).__name__
            log.error("cannot store an update, so Telegram will retry it: %s", cause)
            return web.Response(status=HTTPStatus.INTERNAL_SERVER_ERROR)
        return web.Response(status=HTTPStatus.OK)
