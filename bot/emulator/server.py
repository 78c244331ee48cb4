"""HTTP side: route /bot{token}/{method}, decode parameters, answer in Telegram's JSON."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import BodyPartReader, web

from . import (
    apispec,
    conformance,
    methods_messages,  # noqa: F401  (registers the chat-writing methods)
)
from .errors import ApiError, too_many_requests
from .faults import AnswerLost
from .limits import GROUP_TYPES
from .methods_bot import METHODS
from .params import Params, Upload
from .state import World

MAX_BODY = 50 * 1024 * 1024  # Telegram's upload limit for bots
CANONICAL = {name.lower(): name for name in METHODS}


def build_app(world: World, token: str) -> web.Application:
    """Build the aiohttp application serving the Bot API for one token."""
    spec = apispec.load()

    async def handle(request: web.Request) -> web.Response:
        if world.latency:
            await asyncio.sleep(world.latency / 2)
        response = await answer(request)
        if world.latency:
            await asyncio.sleep(world.latency / 2)
        return response

    async def answer(request: web.Request) -> web.Response:
        if request.match_info["token"] != token:
            return _answer(ApiError(401, "Unauthorized").to_json(), 401)
        shape = spec.method(request.match_info["method"])
        name = CANONICAL.get(request.match_info["method"].lower())
        if shape is None or name is None:
            # Telegram's answer to a method it does not have; one the emulator lacks alike.
            return _answer(ApiError(404, "Not Found").to_json(), 404)
        params = Params({})
        try:
            params = await _decode(request)
            world.calls.append((name, params.logged()))
            world.notify()
            conformance.check_call(spec, shape, params)
            injected = world.injected.get(name)
            if injected:
                raise injected.pop(0)
            chat_id = params.values.get("chat_id")
            if (fault := world.faults.before(name, chat_id)) is not None:
                raise fault
            # Admit and record run without an await between them in the send methods, so two
            # concurrent calls cannot both take the last free slot.
            lane = _lane(world, name, params)
            if lane is not None and (retry_after := world.traffic.admit(lane[0])) is not None:
                raise too_many_requests(retry_after)
            result = await METHODS[name](world, params)
            if lane is not None:
                world.traffic.record(*lane)
            # Observers see what was done, even if its answer is then lost on the way back.
            for observer in world.observers:
                observer(name, params.values, result)
            world.faults.after(name, chat_id)
        except ApiError as err:
            return _answer(err.to_json(), err.code)
        except AnswerLost:
            # Done, but the bot never hears so: the connection closes without an answer.
            world.notify()
            if request.transport is not None:
                request.transport.close()
            raise web.HTTPServiceUnavailable() from None
        finally:
            world.warn(name, params.warnings)
        return _answer({"ok": True, "result": result}, 200)

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_route("*", "/bot{token}/{method}", handle)
    return app


def _lane(world: World, name: str, params: Params) -> tuple[int, bool] | None:
    """Return (chat id, is a group) when the call is a message to a chat the limits count."""
    if not world.traffic.counts(name):
        return None
    try:
        chat = world.target(params.values.get("chat_id"))
    except ApiError:
        return None  # the method itself answers with Telegram's 400 or 403
    return chat.id, chat.type in GROUP_TYPES


def _answer(body: dict[str, Any], status: int) -> web.Response:
    return web.json_response(body, status=status)


async def _decode(request: web.Request) -> Params:
    """Merge query string and body (urlencoded, multipart or JSON) into Params."""
    values: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.content_type == "application/json" and request.can_read_body:
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON body") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON body must be an object")
        values.update(body)
    elif request.content_type == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            data = await part.read()
            if part.filename is not None:
                files[part.name] = Upload(part.filename, bytes(data))
            else:
                values[part.name] = data.decode(part.get_charset(default="utf-8"))
    elif request.can_read_body:
        values.update((key, str(value)) for key, value in (await request.post()).items())
    return Params(values, files)
