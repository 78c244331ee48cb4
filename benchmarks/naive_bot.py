"""A naive bot with the hearing bot's per-vote UI: the baseline for what one vote costs.

`python -m benchmarks.naive_bot API_URL DB [UPDATES [TRANSPORT]]` prints READY when it polls, and
stops on SIGTERM. UPDATES at a time (1 by default, as in python-telegram-bot), over TRANSPORT
("httpx" by default, python-telegram-bot's; "aiohttp", the hearing bot's, to compare like with
like).
A deep link `/start s-<id>` sends the suggestion's card (the hearing bot's texts, from
content/, and its keyboard: Agree / Disagree / Pass, then Report and Share); a vote button
`v1:vt:<id>:<vote>:<left>` stores the vote, answers the press and edits the card. What a
first version of such a bot would be: plain `sqlite3` in autocommit (no inbox, no pseudonyms,
no participants), python-telegram-bot's defaults (its httpx transport, one update at a time).
`seed` writes the suggestions before the bot starts.
"""

from __future__ import annotations

import asyncio
import re
import signal
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
)

from bot.hearing.plan import load_plan
from bot.runtime.transport import use_transport
from bot.views.texts import load_texts

TOKEN = "123456:BENCH-TOKEN-hearing"  # the benchmarks' token (benchmarks/botproc.py)
USERNAME = "hearing_bench_bot"
VOTES = {"a": "agree", "d": "disagree", "p": "pass"}
LINK = re.compile(r"s-([1-9][0-9]{0,11})")
BUTTON = re.compile(r"v1:vt:([1-9][0-9]{0,11}):([adp]):([0-9]{1,3})")
SCHEMA = """
CREATE TABLE IF NOT EXISTS suggestions (
    id INTEGER PRIMARY KEY, item_id TEXT NOT NULL, text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS votes (
    user_id INTEGER NOT NULL, suggestion_id INTEGER NOT NULL REFERENCES suggestions(id),
    vote TEXT NOT NULL, PRIMARY KEY (user_id, suggestion_id));
"""

texts = load_texts("en")
plan = load_plan()
share_text = texts.plain("card.share", title=plan.title)


def seed(db: Path, item_id: str, suggestions: Sequence[str]) -> list[int]:
    """Create the tables and store the suggestions on one item; return their ids."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.executescript(SCHEMA)
        return [
            int(conn.execute(
                "INSERT INTO suggestions (item_id, text) VALUES (?, ?) RETURNING id",
                (item_id, text),
            ).fetchone()[0])
            for text in suggestions
        ]  # fmt: skip
    finally:
        conn.close()


def card(sid: int, item_id: str, text: str, vote: str | None) -> tuple[str, InlineKeyboardMarkup]:
    """Render a suggestion card as the hearing bot does: its text, the vote, the buttons."""
    item = plan.item(item_id)
    heading = texts("card.item", number=item.number if item else item_id)
    body: str = texts("card.body", heading=heading, text=text)
    if vote is not None:
        body += "\n\n" + texts("card.your_vote", vote=texts(f"vote.{vote}"))
    votes = [
        InlineKeyboardButton(
            texts.plain(f"button.{name}_chosen" if name == vote else f"button.{name}"),
            callback_data=f"v1:vt:{sid}:{code}:0",
        )
        for code, name in VOTES.items()
    ]
    link = f"https://t.me/{USERNAME}?start=s-{sid}"
    share = "https://t.me/share/url?" + urlencode({"url": link, "text": share_text})
    extra = [
        InlineKeyboardButton(texts.plain("button.report"), callback_data=f"v1:rp:{sid}:0"),
        InlineKeyboardButton(texts.plain("button.share"), url=share),
    ]
    return body, InlineKeyboardMarkup([votes, extra])


def suggestion(db: sqlite3.Connection, sid: int) -> tuple[int, str, str] | None:
    """Return a suggestion's id, item and text, or None."""
    row = db.execute("SELECT id, item_id, text FROM suggestions WHERE id = ?", (sid,)).fetchone()
    return (int(row[0]), str(row[1]), str(row[2])) if row else None


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Open the suggestion a deep link names (or say it does not exist); welcome without one."""
    message, db = update.effective_message, context.bot_data["db"]
    if message is None or update.effective_user is None:
        return
    if not context.args:
        total = len(plan.items)
        welcome = texts("welcome.new", title=plan.title, preamble=plan.preamble, total=total)
        await message.reply_text(welcome)
        return
    link = LINK.fullmatch(context.args[0])
    row = suggestion(db, int(link.group(1))) if link else None
    if row is None:
        await message.reply_text(texts("refused.unknown_suggestion"))
        return
    vote = db.execute(
        "SELECT vote FROM votes WHERE user_id = ? AND suggestion_id = ?",
        (update.effective_user.id, row[0]),
    ).fetchone()
    text, markup = card(row[0], row[1], row[2], vote[0] if vote else None)
    await message.reply_text(text, reply_markup=markup)


async def vote(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Store the vote, answer the press and show the card with the vote."""
    query, db = update.callback_query, context.bot_data["db"]
    if query is None:
        return
    pressed = BUTTON.fullmatch(query.data or "")
    row = suggestion(db, int(pressed.group(1))) if pressed else None
    if pressed is None or row is None:
        await query.answer(texts.plain("toast.invalid"), show_alert=True)
        return
    chosen = VOTES[pressed.group(2)]
    previous = db.execute(
        "SELECT vote FROM votes WHERE user_id = ? AND suggestion_id = ?",
        (query.from_user.id, row[0]),
    ).fetchone()
    if previous and previous[0] == chosen:
        refused = texts.plain("refused.already_voted", vote=chosen)
        await query.answer(refused, show_alert=True)
        return
    db.execute(
        "INSERT INTO votes (user_id, suggestion_id, vote) VALUES (?, ?, ?) "
        "ON CONFLICT (user_id, suggestion_id) DO UPDATE SET vote = excluded.vote",
        (query.from_user.id, row[0], chosen),
    )
    await query.answer(texts.plain("toast.saved_vote", vote=texts.plain(f"vote.{chosen}")))
    text, markup = card(row[0], row[1], row[2], chosen)
    await query.edit_message_text(text, reply_markup=markup)


async def main(api_url: str, db_path: str, updates: str = "1", transport: str = "httpx") -> None:
    """Run the naive bot until SIGTERM, `updates` updates at a time, over `transport`."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    defaults = Defaults(parse_mode=ParseMode.HTML)
    builder = ApplicationBuilder().token(TOKEN).base_url(api_url).defaults(defaults)
    if int(updates) > 1:
        builder = builder.concurrent_updates(int(updates))
    if transport not in ("aiohttp", "httpx"):
        raise SystemExit(f"unknown transport {transport!r}")
    app = use_transport(builder, "aiohttp" if transport == "aiohttp" else "httpx").build()
    app.bot_data["db"] = sqlite3.connect(db_path, isolation_level=None)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(vote))
    async with app:
        await app.start()
        if app.updater is None:
            raise RuntimeError("no updater")
        await app.updater.start_polling(poll_interval=0, timeout=10)
        print("READY", flush=True)
        await stop.wait()
        await app.updater.stop()
        await app.stop()
    app.bot_data["db"].close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
