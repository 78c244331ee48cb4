"""Make an incoming update valid Unicode before anything stores or answers it.

Real Telegram sends valid UTF-8 only, but JSON can escape a lone surrogate (`"\\ud800"`), and
Python then holds a string that SQLite and every HTTP request refuse to encode. One such update
used to stop the inbox for everyone: it is mended here, as a UTF-8 decoder would mend it.
"""

from __future__ import annotations

import json

from telegram import Update

from bot.runtime.redact import without_names


def admitted(update: Update, keep_phone: bool = False) -> tuple[Update, str]:
    """Return the update, mended if it holds a lone surrogate, and its JSON: serialised once.

    The JSON is what the inbox stores, so it holds no names (bot/runtime/redact.py); the update
    handled now keeps them, unread, in memory only.
    """
    data = without_names(update.to_dict(), keep_phone)
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # Through UTF-16 so that a high and low surrogate that do form a pair are kept as one.
        mended = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        return Update.de_json(json.loads(mended), update.get_bot()), mended
    return update, text


def well_formed(update: Update) -> Update:
    """Return the update, with every lone surrogate in it replaced by U+FFFD if it has any."""
    return admitted(update)[0]
