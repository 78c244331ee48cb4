"""/results: send a drafter the public results site as a zip, ready to publish."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ChatAction

from bot.hearing.results import build_results
from bot.model.values import Language
from bot.views.results.site import packed_site
from handlers.context import HearingContext
from handlers.roles import drafter_only


async def send_results(update: Update, context: HearingContext) -> None:
    """Send a drafter the results site (both languages, nothing under MIN_GROUP_SIZE) zipped."""
    if not await drafter_only(update, context):
        return
    chat = update.effective_chat
    if chat is None:
        return
    s = context.services
    now = s.clock()
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    page = await build_results(
        s.db, s.plan, s.settings.timezone, s.settings.min_group_size, now, s.opinions
    )
    local = now.astimezone(ZoneInfo(s.settings.timezone))
    folder = f"hearing-results-{local:%Y%m%d-%H%M}"
    archive = await packed_site(page, {Language.ENGLISH: s.plan, **s.plans}, folder)
    caption = context.t(
        "results.caption", time=f"{local:%Y-%m-%d %H:%M}", count=s.settings.min_group_size
    )
    await context.bot.send_document(chat.id, archive, filename=f"{folder}.zip", caption=caption)
