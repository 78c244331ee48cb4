"""/export: send a drafter the hearing's data as a zip of CSV files."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ChatAction

from bot.hearing.export import ExportFormat, export_hearing, zip_folder
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
    now = datetime.now(ZoneInfo(s.settings.timezone))
    name = f"hearing-export-{now:%Y%m%d-%H%M}.zip"
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    with tempfile.TemporaryDirectory(prefix="hearing-export-") as scratch:
        result = await export_hearing(s.db, s.plan, ExportFormat.CSV, Path(scratch) / "export")
        archive = await asyncio.to_thread(zip_folder, result.folder, Path(scratch) / name)
        caption = context.t(
            "export.caption",
            time=f"{now:%Y-%m-%d %H:%M}",
            participants=result.rows["participants.csv"],
            suggestions=result.rows["suggestions.csv"],
            votes=result.rows["votes.csv"],
        )
        await context.bot.send_document(chat.id, archive, filename=name, caption=caption)
