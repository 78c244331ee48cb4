"""Deep links into the bot (`t.me/<bot>?start=...`) and Telegram's share dialog."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

# Telegram allows up to 64 characters from this alphabet in a start parameter.
_START_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ITEM_RE = re.compile(r"item-([0-9]{1,3})")
_SUGGESTION_RE = re.compile(r"s-([1-9][0-9]{0,11})")
_REVIEW_RE = re.compile(r"d-([1-9][0-9]{0,11})")


@dataclass(frozen=True)
class StartLink:
    """What a deep link asks to open: an item, or a suggestion to vote on."""

    item_id: str | None = None
    suggestion_id: int | None = None
    review_id: int | None = None  # a drafter opening a suggestion from the digest


def parse_start(payload: str | None) -> StartLink | None:
    """Read a /start parameter; anything malformed is None (the normal welcome)."""
    if payload is None or not _START_RE.fullmatch(payload):
        return None
    if match := _ITEM_RE.fullmatch(payload):
        return StartLink(item_id=str(int(match.group(1))))
    if match := _SUGGESTION_RE.fullmatch(payload):
        return StartLink(suggestion_id=int(match.group(1)))
    if match := _REVIEW_RE.fullmatch(payload):
        return StartLink(review_id=int(match.group(1)))
    return None


@dataclass(frozen=True)
class Links:
    """Build links to this bot."""

    username: str

    def item(self, item_id: str) -> str:
        """Return the deep link that opens an item."""
        return f"https://t.me/{self.username}?start=item-{item_id}"

    def suggestion(self, suggestion_id: int) -> str:
        """Return the deep link that opens a suggestion for voting."""
        return f"https://t.me/{self.username}?start=s-{suggestion_id}"

    def review(self, suggestion_id: int) -> str:
        """Return the deep link a drafter taps to answer or decide on a suggestion."""
        return f"https://t.me/{self.username}?start=d-{suggestion_id}"

    def share(self, url: str, text: str) -> str:
        """Return a link that opens Telegram's share dialog for `url`."""
        return "https://t.me/share/url?" + urlencode({"url": url, "text": text})
