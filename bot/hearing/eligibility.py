"""Opt-in eligibility: one participant per phone number of one country (CONSUL checks a census;
this is the lighter rule a messenger allows).

The citizen shares their own number with Telegram's contact button. The bot checks its country
code and keeps only a keyed fingerprint (HMAC with the pseudonym secret), never the number: it
cannot be read back, is never exported, and /delete erases it.
"""

from __future__ import annotations

import hashlib
import hmac
from enum import StrEnum

from storage.backend import Store


class Checked(StrEnum):
    """What a shared contact showed."""

    VERIFIED = "verified"
    NOT_OWN = "not_own"  # someone else's contact card, not the sender's own number
    WRONG_COUNTRY = "wrong_country"
    TAKEN = "taken"  # the number takes part from another account


class Eligibility:
    """Check citizens' numbers when a country code is set; with none, everyone is eligible."""

    def __init__(self, db: Store, secret: str, country_code: str | None) -> None:
        self.db = db
        self.secret = secret
        self.country_code = country_code

    @property
    def required(self) -> bool:
        """Tell whether this hearing asks for a phone number at all."""
        return self.country_code is not None

    async def needs_check(self, pid: str) -> bool:
        """Tell whether a citizen must still share their number before taking part."""
        if self.country_code is None:
            return False
        async with self.db.reading() as repos:
            return not await repos.eligibility.verified(pid)

    async def check(self, pid: str, own: bool, phone: str) -> Checked:
        """Check a shared contact; record the fingerprint of an eligible number."""
        if not own:
            return Checked.NOT_OWN
        digits = "".join(ch for ch in phone if ch.isdigit())
        if self.country_code is None or not digits.startswith(self.country_code):
            return Checked.WRONG_COUNTRY
        fingerprint = hmac.new(
            self.secret.encode("utf-8"), f"phone:{digits}".encode(), hashlib.sha256
        ).hexdigest()
        async with self.db.transaction() as repos:
            holder = await repos.eligibility.holder(fingerprint)
            if holder is not None and holder != pid:
                return Checked.TAKEN
            await repos.eligibility.add(pid, fingerprint)
        return Checked.VERIFIED
