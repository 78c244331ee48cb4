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


# python-telegram-bot logs a batch of updates it cannot parse in full ("Received data was
# [...]"): citizens' messages and Telegram ids. The data is cut off; the error itself stays.
_PAYLOAD_MARK = "Received data was"
_PAYLOAD_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot")


class _WithholdPayloads(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _PAYLOAD_MARK in message:
            record.msg = message.split(_PAYLOAD_MARK, 1)[0] + "(data withheld)"
            record.args = ()
        return True


_WITHHOLD = _WithholdPayloads()


def configure_logging(level: str) -> None:
    """Log to stderr at `level`, with chatty libraries held at levels that leak nothing."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name, floor in _QUIET.items():
        logging.getLogger(name).setLevel(max(floor, logging.getLevelName(level)))
    for name in _PAYLOAD_LOGGERS:
        logging.getLogger(name).addFilter(_WITHHOLD)
