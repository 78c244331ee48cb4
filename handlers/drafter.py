"""Drafter commands: the digest on demand."""

from __future__ import annotations

from telegram import Update

from bot.views.digest import chart_caption, render_for_drafters
from bot.views.opinion_groups import map_caption
from handlers.context import HearingContext
from handlers.roles import drafter_only


async def digest_now(update: Update, context: HearingContext) -> None:
    """Send the drafter the digest of everything since the last scheduled one."""
    if not await drafter_only(update, context) or update.effective_chat is None:
        return
    services, chat_id = context.services, update.effective_chat.id
    rendered = await services.digests.on_demand(
        services.clock(),
        lambda digest: render_for_drafters(
            services, context.bot.username, digest, context.language
        ),
    )
    at = services.settings.digest_time.strftime("%H:%M")
    await context.bot.send_message(chat_id, context.t("digest.on_demand", time=at))
    for body in rendered.messages:
        await context.bot.send_message(chat_id, body)
    if rendered.chart is not None:
        await context.bot.send_photo(
            chat_id, rendered.chart, caption=chart_caption(services, context.t)
        )
    if rendered.opinion_map is not None:
        today = services.clock().astimezone(services.digests.zone)
        caption = map_caption(context.t, today)
        await context.bot.send_photo(chat_id, rendered.opinion_map, caption=caption)
