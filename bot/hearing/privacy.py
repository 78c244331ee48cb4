"""Pseudonymous participant ids: a keyed hash of the Telegram user id."""

from __future__ import annotations

import hashlib
import hmac


def pseudonym(secret: str, user_id: int) -> str:
    """Derive the stable pseudonymous id of a Telegram user; without the secret it is opaque."""
    digest = hmac.new(secret.encode("utf-8"), str(user_id).encode("ascii"), hashlib.sha256)
    return "p" + digest.hexdigest()[:31]


def short_tag(participant_id: str) -> str:
    """Shorten a pseudonym for moderators' screens: enough to tell authors apart, no more."""
    return participant_id[:8]
