"""Logging set-up that keeps the bot token, message texts and Telegram ids out of the logs."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

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
# A flood of one event is logged as one line per this many seconds, with its count.
THROTTLE_SECONDS = 60.0


def configure_logging(level: str) -> None:
    """Log to stderr at `level`, with chatty libraries held at levels that leak nothing."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name, floor in _QUIET.items():
        logging.getLogger(name).setLevel(max(floor, logging.getLevelName(level)))
    for name in _PAYLOAD_LOGGERS:
        logging.getLogger(name).addFilter(_WITHHOLD)


class Throttled:
    """Log one event that may come in floods: the first at once, then a count at most per period.

    Whoever can reach a port can send a thousand bad requests a second; one line each would
    fill the disk and bury everything else in the log.
    """

    def __init__(
        self,
        logger: logging.Logger,
        message: str,
        period: float = THROTTLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._logger = logger
        self._message = message
        self._period = period
        self._clock = clock
        self._logged_at: float | None = None
        self._unlogged = 0

    def note(self) -> None:
        """Count one event; log it (with those counted since the last line) if a period passed."""
        self._unlogged += 1
        now = self._clock()
        if self._logged_at is None or now - self._logged_at >= self._period:
            self.flush()
            self._logged_at = now

    def flush(self) -> None:
        """Log the events counted since the last line, if any."""
        if self._unlogged:
            self._logger.warning("%s (%d in all since the last such line)", self._message,
                                 self._unlogged)  # fmt: skip
            self._unlogged = 0
