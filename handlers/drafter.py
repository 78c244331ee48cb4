"""Drafter commands: the digest and the weekly oversight report on demand, every suggestion page
by page."""

from __future__ import annotations

from telegram import CallbackQuery, Update

from bot.hearing.digest_schedule import RenderedDigest
from bot.views.buttons import Action
from bot.views.codec import Button
from bot.views.digest import chart_caption, render_for_drafters
from bot.views.new_suggestions import render_page
from bot.views.opinion_groups import map_caption
from bot.views.reports import render_oversight
from handlers.context import HearingContext
from handlers.messaging import edit, send, toast
from handlers.roles import drafter_only, tracker_only


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
    intro = [context.t("digest.on_demand", time=at)]
    least = services.settings.min_group_size
    if least > 1:  # say why a figure may lag behind: it waits for enough changes
        intro.append(context.t("digest.on_demand_releases", count=least))
    await context.bot.send_message(chat_id, " ".join(intro))
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


async def report_now(update: Update, context: HearingContext) -> None:
    """Send a drafter or oversight member the weekly oversight report so far."""
    if not await tracker_only(update, context) or update.effective_chat is None:
        return
    s, chat_id = context.services, update.effective_chat.id
    language, t = context.language, context.t
    rendered = await s.oversight.on_demand(
        s.clock(),
        lambda report: _rendered(render_oversight(t, s.plan_for(language), report,
                                                  s.settings.timezone)),
    )  # fmt: skip
    at = s.settings.digest_time.strftime("%H:%M")
    await context.bot.send_message(chat_id, t("oversight.on_demand", time=at))
    for body in rendered.messages:
        await context.bot.send_message(chat_id, body)


async def _rendered(messages: list[str]) -> RenderedDigest:
    return RenderedDigest(messages, None)


async def list_suggestions(update: Update, context: HearingContext) -> None:
    """Send the drafter the newest suggestions shown to citizens, with a button to older ones."""
    if not await drafter_only(update, context) or update.effective_chat is None:
        return
    page = await context.services.suggestions.page()
    min_group = context.services.settings.min_group_size
    await send(context, update.effective_chat.id, render_page(context.ui, page, min_group))


async def suggestions_page(
    query: CallbackQuery, context: HearingContext, _: str, b: Button
) -> None:
    before = b.number("before") if b.action is Action.SUGGESTIONS_OLDER else None
    page = await context.services.suggestions.page(before)
    min_group = context.services.settings.min_group_size
    await edit(context, query, render_page(context.ui, page, min_group))
    await toast(query)
