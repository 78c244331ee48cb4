"""An aiohttp-based python-telegram-bot request: the Bot API over one pooled aiohttp session.

python-telegram-bot's default `HTTPXRequest` spends most of a bot's CPU per update in httpx and
httpcore; this request does the same work through aiohttp, which the project already depends
on (BENCHMARKS.md has the measurements that chose it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Literal

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.ext import ApplicationBuilder
from telegram.request import BaseRequest, RequestData

Transport = Literal["aiohttp", "httpx"]
TRANSPORTS: tuple[Transport, ...] = ("aiohttp", "httpx")
DEFAULT_TRANSPORT: Transport = "aiohttp"
Builder = ApplicationBuilder[Any, Any, Any, Any, Any, Any]

POOL_SIZE = 256
READ_TIMEOUT = 5.0
WRITE_TIMEOUT = 5.0
CONNECT_TIMEOUT = 5.0
# Uploads (the digest's chart, exports) may take longer to write than a short message.
MEDIA_WRITE_TIMEOUT = 20.0


@dataclass
class Leaving:
    """What to do just before a request's body is written, once (bot/runtime/replies.py)."""

    hook: Callable[[], Awaitable[None]]
    done: bool = False


_leaving: ContextVar[Leaving | None] = ContextVar("leaving", default=None)


@contextmanager
def before_bytes_leave(hook: Callable[[], Awaitable[None]]) -> Iterator[Leaving]:
    """Run `hook` just before the body of the next request made in this block is written.

    Once per request: set `done` back to False before a retry, and it runs again.
    """
    leaving = Leaving(hook)
    token = _leaving.set(leaving)
    try:
        yield leaving
    finally:
        _leaving.reset(token)


async def _body_about_to_leave(
    session: aiohttp.ClientSession, context: SimpleNamespace, params: object
) -> None:
    # aiohttp calls this before it writes each chunk of a body (`on_request_chunk_sent`): what
    # runs here without yielding is done before a single byte of the body reaches Telegram.
    leaving = _leaving.get()
    if leaving is not None and not leaving.done:
        leaving.done = True
        await leaving.hook()


class AiohttpRequest(BaseRequest):
    """Send Bot API requests through an aiohttp session with a bounded connection pool."""

    def __init__(
        self,
        connection_pool_size: int = POOL_SIZE,
        read_timeout: float | None = READ_TIMEOUT,
        write_timeout: float | None = WRITE_TIMEOUT,
        connect_timeout: float | None = CONNECT_TIMEOUT,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """Return the default read timeout in seconds."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (on the running event loop); a second call does nothing."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300)
            tracing = aiohttp.TraceConfig()
            tracing.on_request_chunk_sent.append(_body_about_to_leave)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                trace_configs=[tracing],
            )

    async def shutdown(self) -> None:
        """Close the session and its connections; a second call does nothing."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request and return its status and body (see BaseRequest.do_request)."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else {}
        read = _value(read_timeout, self._read_timeout)
        write = _value(write_timeout, MEDIA_WRITE_TIMEOUT if files else self._write_timeout)
        connect = _value(connect_timeout, self._connect_timeout)
        # aiohttp has no write timeout of its own: the whole request is bounded by their sum.
        total = None if read is None or write is None else read + write + (connect or 0.0)
        timeout = aiohttp.ClientTimeout(total=total, sock_connect=connect, sock_read=read)
        body: aiohttp.FormData | bytes | None = None
        headers: dict[str, str] = {}
        if files and request_data is not None:
            body = _form(request_data)
        elif request_data is not None:
            body = request_data.json_payload
            headers["Content-Type"] = "application/json"
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp: {type(err).__name__}: {err}") from err


def use_transport(builder: Builder, transport: Transport) -> Builder:
    """Give the builder this transport for API calls and getUpdates ("httpx": PTB's default)."""
    if transport == "httpx":
        return builder
    # One connection for the long poll, as python-telegram-bot does for its own.
    updates = AiohttpRequest(connection_pool_size=1)
    return builder.request(AiohttpRequest()).get_updates_request(updates)


def _value(given: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(given, DefaultValue) else given


def _form(request_data: RequestData) -> aiohttp.FormData:
    """Encode parameters and files as multipart/form-data, as the Bot API accepts uploads."""
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        data = content if isinstance(content, bytes) else content.read()
        form.add_field(name, data, filename=filename, content_type=mimetype)
    return form
