"""Run a bot in its own process for a benchmark: the hearing bot, or a bare echo bot.

`python -m benchmarks.botproc hearing|gated|echo|mirror API_URL DB TRANSPORT CONCURRENCY` prints
READY when it polls, and stops on SIGTERM. `mirror` is the echo bot making the hearing bot's Bot
API calls (answer and edit for a press, a send with buttons for a text), without storage.
`hearing` lifts the per-person limits (a replay compresses hours into minutes); `gated` keeps
the settings' defaults (flood gate, suggestions per hour), as a deployment would. A
separate process, so that its CPU time and peak memory are the bot's alone, not the emulator's
or the driver's. The hearing bot runs on PostgreSQL when DATABASE_URL is set in its environment
(DB then only places the hearing's files, as `DATABASE_PATH` does).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler

from bot.app import running_hearing
from bot.config import MAX_SUGGESTION_CHARS, Settings
from bot.runtime.transport import Transport, use_transport

TOKEN = "123456:BENCH-TOKEN-hearing"
SECRET = "bench-only-71E7HekgfaD-mh2Ld8-JQifmeLc4An3iTk6dyZcVXc8"
os.environ.setdefault("PTB_TIMEDELTA", "1")


async def echo_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back."""
    if update.effective_chat is not None and update.message is not None:
        await context.bot.send_message(update.effective_chat.id, update.message.text or "?")


async def echo_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the button press."""
    if update.callback_query is not None:
        await update.callback_query.answer()


# What a card carries: three buttons, as the hearing bot's vote cards do.
CARD = InlineKeyboardMarkup(
    [[InlineKeyboardButton(label, callback_data=f"v1:x:{label}") for label in ("a", "d", "p")]]
)


async def mirror_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back with a card's buttons: one sendMessage, as the hearing bot does."""
    if update.effective_chat is not None and update.message is not None:
        text = update.message.text or "?"
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=CARD)


async def mirror_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press and edit the pressed message at once, as the hearing bot does."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return
    edited = query.message.edit_text(f"pressed {query.data}", reply_markup=CARD)
    await asyncio.gather(query.answer("saved"), edited)


async def run_echo(
    api_url: str, transport: Transport, concurrency: int, stop: Any, mirror: bool = False
) -> None:
    """Echo texts and answer presses (mirror: with the hearing bot's Bot API calls)."""
    builder = ApplicationBuilder().token(TOKEN).base_url(api_url).concurrent_updates(concurrency)
    app = use_transport(builder, transport).build()
    app.add_handler(MessageHandler(None, mirror_text if mirror else echo_text))
    app.add_handler(CallbackQueryHandler(mirror_press if mirror else echo_press))
    async with app:
        await app.start()
        if app.updater is None:
            raise RuntimeError("no updater")
        await app.updater.start_polling(poll_interval=0, timeout=10)
        print("READY", flush=True)
        await stop.wait()
        await app.updater.stop()
        await app.stop()


async def run_hearing(
    api_url: str, db: Path, transport: Transport, concurrency: int, stop: Any, gated: bool = False
) -> None:
    """Run the full hearing bot on its own database (gated: with the per-person limits)."""
    settings = Settings(
        telegram_api_url=api_url,
        database_path=db,
        database_url=os.environ.get("DATABASE_URL") or None,
        pseudonym_secret=SECRET,
        max_concurrent_updates=concurrency,
        suggestion_max_chars=MAX_SUGGESTION_CHARS,
        log_level="WARNING",
    )
    if not gated:
        # A replay compresses hours of a conversation into minutes: no author is flooding,
        # and no citizen's pace is a flood either.
        settings = replace(
            settings, suggestions_per_hour=1000, rate_limit_per_minute=100_000,
            rate_limit_burst=100_000, chat_backlog=100_000,
        )  # fmt: skip
    async with running_hearing(settings, TOKEN, SECRET, transport=transport):
        print("READY", flush=True)
        await stop.wait()


async def main(argv: list[str]) -> None:
    """Run the bot named on the command line until SIGTERM."""
    kind, api_url, db, transport, concurrency = argv
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    if transport not in ("aiohttp", "httpx"):
        raise SystemExit(f"unknown transport {transport!r}")
    chosen: Transport = "aiohttp" if transport == "aiohttp" else "httpx"
    if kind in ("echo", "mirror"):
        await run_echo(api_url, chosen, int(concurrency), stop, mirror=kind == "mirror")
    else:
        await run_hearing(api_url, Path(db), chosen, int(concurrency), stop, kind == "gated")


if __name__ == "__main__":
    import logging

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    asyncio.run(main(sys.argv[1:]))
