"""Webhook delivery: POST pending updates to the webhook the bot set, retrying as Telegram does."""

from __future__ import annotations

import asyncio
import contextlib
import json
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from .state import World

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# How long Telegram waits for the bot's answer before it counts the request as failed.
REQUEST_TIMEOUT = 10.0


class WebhookDelivery:
    """Deliver updates one at a time, in order; an update stays pending until answered 2xx.

    Telegram posts to an https:// URL, usually a reverse proxy that terminates TLS in front of
    the bot. `proxy_to` plays that proxy: the webhook URL's scheme and host are replaced by it
    (e.g. ``http://127.0.0.1:8443``), its path is kept. With `copies` above 1, every update is
    posted that many times, as Telegram does when an answer is lost on the way back.
    """

    def __init__(
        self,
        world: World,
        proxy_to: str,
        *,
        copies: int = 1,
        retry_first: float = 0.05,
        retry_max: float = 1.0,
    ) -> None:
        if copies < 1:
            raise ValueError(f"copies must be at least 1, got {copies}")
        self._world = world
        self._proxy_to = proxy_to.rstrip("/")
        self.copies = copies
        self._retry_first = retry_first
        self._retry_max = retry_max
        # (update_id, HTTP status, or None when no answer came), for every POST made.
        self.attempts: list[tuple[int, int | None]] = []
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start delivering in the background; a second call while running does nothing."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="webhook-delivery")

    async def stop(self) -> None:
        """Stop delivering; undelivered updates stay pending."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def __aenter__(self) -> WebhookDelivery:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    def target(self) -> str:
        """Return where the current webhook URL is reached through the proxy."""
        parts = urlsplit(self._world.webhook_url)
        return self._proxy_to + (parts.path or "/")

    async def _run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            delay = self._retry_first
            while True:
                update = await self._world.wait_until(self._next, None)
                if await self._deliver(session, update):
                    self._world.updates = [u for u in self._world.updates if u is not update]
                    self._world.notify()
                    delay = self._retry_first
                else:
                    # Telegram too waits longer and longer before retrying a failing webhook.
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self._retry_max)

    def _next(self) -> dict[str, Any] | None:
        if not self._world.webhook_url or self._world.closing:
            return None
        pending = self._world.deliverable(1)
        return pending[0] if pending else None

    async def _deliver(self, session: aiohttp.ClientSession, update: dict[str, Any]) -> bool:
        headers = {"Content-Type": "application/json"}
        if self._world.webhook_secret:
            headers[SECRET_HEADER] = self._world.webhook_secret
        body = json.dumps(update, ensure_ascii=False).encode()
        delivered = False
        for _ in range(self.copies):
            status: int | None = None
            try:
                async with session.post(self.target(), data=body, headers=headers) as answer:
                    status = answer.status
            except (aiohttp.ClientError, TimeoutError):
                status = None
            self.attempts.append((update["update_id"], status))
            self._world.notify()
            delivered = delivered or (status is not None and 200 <= status < 300)
        return delivered
