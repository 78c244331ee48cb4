"""Automatic checks a suggestion passes at submission; what they find holds it for a moderator."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.hearing.blocklist import Blocklist
from bot.model.values import FlagReason, ModerationMode
from storage.clock import iso
from storage.repositories import Repositories

LINK = re.compile(r"(?:https?://|www\.|t\.me/)\S+", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Pakistani CNIC numbers are written 12345-1234567-1.
CNIC = re.compile(r"(?<!\d)\d{5}-\d{7}-\d(?!\d)")
# Ten or more digits, spaces or dashes between them allowed: phone numbers (03xx-xxxxxxx,
# +92 3xx xxxxxxx), CNICs written without dashes, account numbers. Years and figures are shorter.
LONG_NUMBER = re.compile(r"(?<![\d])\+?\d(?:[ \-]?\d){9,}(?!\d)")
FLOOD_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Flag:
    """One thing a check found; `detail` names it without repeating personal data."""

    reason: FlagReason
    detail: str | None = None


def content_flags(text: str, blocklist: Blocklist) -> list[Flag]:
    """Check the text alone: blocklisted terms, personal data, links."""
    flags = []
    term = blocklist.find(text)
    if term is not None:
        flags.append(Flag(FlagReason.BLOCKLIST, term))
    for kind, pattern in (("email", EMAIL), ("cnic", CNIC), ("number", LONG_NUMBER)):
        if pattern.search(text):
            flags.append(Flag(FlagReason.PERSONAL_DATA, kind))
            break
    if LINK.search(text):
        flags.append(Flag(FlagReason.LINK))
    return flags


class Screening:
    """Run every check on a suggestion about to be posted, inside its transaction."""

    def __init__(self, blocklist: Blocklist, mode: ModerationMode, per_hour: int) -> None:
        self.blocklist = blocklist
        self.mode = mode
        self.per_hour = per_hour

    async def screen(self, repos: Repositories, pid: str, text: str, now: datetime) -> list[Flag]:
        """Return the flags a suggestion raises; none means it may be shown at once."""
        flags = content_flags(text, self.blocklist)
        if await repos.suggestions.text_exists(text):
            flags.append(Flag(FlagReason.REPEATED))
        posted = await repos.suggestions.count_since(pid, iso(now - FLOOD_WINDOW))
        if posted >= self.per_hour:
            flags.append(Flag(FlagReason.FLOOD, str(posted)))
        if self.mode is ModerationMode.PRE:
            flags.append(Flag(FlagReason.PRE_MODERATION))
        return flags
