"""/export: send a drafter the hearing's data as a zip of CSV files."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ChatAction

from bot.hearing.export import ExportFormat, open_export
from bot.views.export_files import zip_export
from handlers.context import HearingContext
from handlers.roles import drafter_only


async def export_data(update: Update, context: HearingContext) -> None:
    """Send a drafter every table of the hearing as CSV files in one zip (pseudonymous ids)."""
    if not await drafter_only(update, context):
        return
    chat = update.effective_chat
    if chat is None:
        return
    s = context.services
    zone = ZoneInfo(s.settings.timezone)
    now = s.clock().astimezone(zone)
    name = f"hearing-export-{now:%Y%m%d-%H%M}.zip"
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    staff = s.participants.staff_id  # staff under a pseudonym of their own
    # Rows dated by the hearing's day, never to the millisecond (docs/privacy.md, "Exports").
    async with open_export(
        s.db, s.plan, ExportFormat.CSV, zone, now=s.clock, staff=staff
    ) as export:
        archive = await zip_export(export)
    caption = context.t(
        "export.caption",
        time=f"{now:%Y-%m-%d %H:%M}",
        participants=export.rows["participants.csv"],
        suggestions=export.rows["suggestions.csv"],
        votes=export.rows["votes.csv"],
    )
    await context.bot.send_document(chat.id, archive, filename=name, caption=caption)
