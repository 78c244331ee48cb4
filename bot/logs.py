"""Logging set-up that keeps the bot token, message texts and Telegram ids out of the logs."""

from __future__ import annotations

import logging

# httpx logs every request URL, and Bot API URLs contain the token; aiosqlite logs every
# statement with its parameters, which include what citizens wrote.
_QUIET = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "telegram": logging.INFO,
    "apscheduler": logging.WARNING,
    "aiosqlite": logging.WARNING,
    "aiohttp.access": logging.WARNING,
}


def configure_logging(level: str) -> None:
    """Log to stderr at `level`, with chatty libraries held at levels that leak nothing."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name, floor in _QUIET.items():
        logging.getLogger(name).setLevel(max(floor, logging.getLevelName(level)))
