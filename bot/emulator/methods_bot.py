"""Bot API methods about the bot itself: identity, updates, webhook, commands, descriptions."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from . import validation
from .errors import bad_request, conflict
from .params import Params
from .state import World

Method = Callable[[World, Params], Awaitable[Any]]
METHODS: dict[str, Method] = {}


def method(func: Method) -> Method:
    """Register an implementation under its Bot API name (the function name in camelCase)."""
    head, *rest = func.__name__.split("_")
    METHODS[head + "".join(word.title() for word in rest)] = func
    return func


@method
async def get_me(world: World, p: Params) -> Any:
    """Describe the bot user."""
    return {
        **world.bot.to_json(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method
async def log_out(world: World, p: Params) -> Any:
    """Accept logging out of the cloud Bot API server."""
    return True


@method
async def close(world: World, p: Params) -> Any:
    """Accept closing the bot instance."""
    return True


@method
async def get_updates(world: World, p: Params) -> Any:
    """Confirm updates below offset, then return pending ones, long-polling up to timeout."""
    if world.webhook_url:
        raise conflict(
            "can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first"
        )
    offset = p.integer("offset", 0) or 0
    limit = min(max(p.integer("limit", 100) or 100, 1), 100)
    timeout = max(p.number("timeout"), 0.0)
    allowed = p.structured("allowed_updates")
    if isinstance(allowed, list):
        world.allowed_updates = [str(kind) for kind in allowed]
    world.poll_generation += 1
    generation = world.poll_generation
    world.confirm(offset)
    if timeout and not world.deliverable(limit):
        with contextlib.suppress(TimeoutError):
            await world.wait_until(
                lambda: (
                    world.deliverable(limit)
                    or world.closing
                    or world.poll_generation != generation
                ),
                timeout,
            )
    if world.poll_generation != generation:
        raise conflict(
            "terminated by other getUpdates request; "
            "make sure that only one bot instance is running"
        )
    return world.deliverable(limit)


@method
async def set_webhook(world: World, p: Params) -> Any:
    """Set (or, with an empty url, remove) the webhook."""
    url = p.text("url") or ""
    if url and not url.lower().startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.text("secret_token") or ""  # its length and characters are the spec check's
    _drop_pending(world, p)
    world.webhook_url = url
    world.webhook_secret = secret
    allowed = p.structured("allowed_updates")
    if isinstance(allowed, list):
        world.allowed_updates = [str(kind) for kind in allowed]
    world.notify()
    return True


@method
async def delete_webhook(world: World, p: Params) -> Any:
    """Remove the webhook, optionally dropping pending updates."""
    _drop_pending(world, p)
    world.webhook_url = ""
    world.webhook_secret = ""
    world.notify()
    return True


def _drop_pending(world: World, p: Params) -> None:
    if p.flag("drop_pending_updates"):
        world.updates.clear()


@method
async def get_webhook_info(world: World, p: Params) -> Any:
    """Describe the webhook, as Telegram does even when none is set."""
    info: dict[str, Any] = {
        "url": world.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates),
    }
    if world.webhook_url and world.allowed_updates:
        info["allowed_updates"] = world.allowed_updates
    return info


def _scope_key(p: Params) -> str:
    scope = p.structured("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True) + "|" + (p.text("language_code") or "")


@method
async def set_my_commands(world: World, p: Params) -> Any:
    """Store the command list for a scope and language."""
    commands = validation.commands(p.structured("commands"))
    world.scoped_commands[_scope_key(p)] = commands
    world.commands = commands
    world.notify()
    return True


@method
async def get_my_commands(world: World, p: Params) -> Any:
    """Return the command list for a scope and language."""
    return world.scoped_commands.get(_scope_key(p), [])


@method
async def delete_my_commands(world: World, p: Params) -> Any:
    """Forget the command list for a scope and language."""
    removed = world.scoped_commands.pop(_scope_key(p), None)
    if removed is not None and removed is world.commands:
        world.commands = []
    world.notify()
    return True


def _describe(field: str) -> Method:
    async def set_text(world: World, p: Params) -> Any:
        text = p.text(field) or ""  # its length is the spec check's
        world.descriptions[f"{field}|{p.text('language_code') or ''}"] = text
        return True

    async def get_text(world: World, p: Params) -> Any:
        return {field: world.descriptions.get(f"{field}|{p.text('language_code') or ''}", "")}

    prefix = "ShortDescription" if field == "short_description" else "Description"
    METHODS[f"setMy{prefix}"] = set_text
    METHODS[f"getMy{prefix}"] = get_text
    return set_text


_describe("description")
_describe("short_description")
