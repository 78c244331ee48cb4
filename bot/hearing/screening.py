"""Automatic checks a suggestion passes at submission; what they find holds it for a moderator."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.hearing.blocklist import Blocklist
from bot.hearing.typed_text import close_digit_gaps, repeat_key, screening_form
from bot.model.refusals import Refusal, Refused
from bot.model.values import FlagReason, ModerationMode
from storage.clock import iso
from storage.repositories import Repositories

LINK = re.compile(r"(?:https?://|www\.|t\.me/)\S+", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Pakistani CNIC numbers are written 12345-1234567-1.
CNIC = re.compile(r"(?<![0-9])[0-9]{5}-[0-9]{7}-[0-9](?![0-9])")
# Ten or more digits, once the spacing inside numbers is removed (typed_text.DIGIT_GAP): phone
# numbers (03xx-xxxxxxx, +92 3xx xxxxxxx, 0300.123.4567), CNICs written without dashes, account
# numbers. Years and figures are shorter.
LONG_NUMBER = re.compile(r"(?<![0-9])\+?[0-9]{10,}(?![0-9])")
FLOOD_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Flag:
    """One thing a check found; `detail` names it without repeating personal data."""

    reason: FlagReason
    detail: str | None = None


def content_flags(text: str, blocklist: Blocklist) -> list[Flag]:
    """Check the text alone: blocklisted terms, personal data, links.

    Every check reads the screening form (NFKC, no invisible characters, ASCII digits), so that
    a zero-width space, a fullwidth letter or dots inside a phone number slip past none of them.
    """
    flags = []
    screened = screening_form(text)
    term = blocklist.find(screened)
    if term is not None:
        flags.append(Flag(FlagReason.BLOCKLIST, term))
    found = (
        ("email", EMAIL.search(screened)),
        ("cnic", CNIC.search(screened)),
        ("number", LONG_NUMBER.search(close_digit_gaps(screened))),
    )
    kind = next((kind for kind, match in found if match), None)
    if kind is not None:
        flags.append(Flag(FlagReason.PERSONAL_DATA, kind))
    if LINK.search(screened):
        flags.append(Flag(FlagReason.LINK))
    return flags


class Screening:
    """Run every check on a suggestion about to be posted, inside its transaction."""

    def __init__(self, blocklist: Blocklist, mode: ModerationMode, per_hour: int) -> None:
        self.blocklist = blocklist
        self.mode = mode
        self.per_hour = per_hour

    async def check_pace(self, repos: Repositories, pid: str, now: datetime) -> None:
        """Refuse a suggestion beyond the first one held for coming too fast (nothing stored).

        The first one past SUGGESTIONS_PER_HOUR is kept and held for a moderator, who is alerted
        once; the next ones in the hour are turned down, so that a flood neither fills the
        moderators' queue nor posts each text to their group.
        """
        posted = await repos.suggestions.count_since(pid, iso(now - FLOOD_WINDOW))
        if posted > self.per_hour:
            raise Refused(Refusal.SUGGESTIONS_PAUSED)

    async def screen(self, repos: Repositories, pid: str, text: str, now: datetime) -> list[Flag]:
        """Return the flags a suggestion raises; none means it may be shown at once."""
        flags = content_flags(text, self.blocklist)
        if await repos.suggestions.key_exists(repeat_key(text)):
            flags.append(Flag(FlagReason.REPEATED))
        posted = await repos.suggestions.count_since(pid, iso(now - FLOOD_WINDOW))
        if posted >= self.per_hour:
            flags.append(Flag(FlagReason.FLOOD, str(posted)))
        if self.mode is ModerationMode.PRE:
            flags.append(Flag(FlagReason.PRE_MODERATION))
        return flags
