"""Pseudonymous participant ids: a keyed hash of the Telegram user id."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable


def pseudonym(secret: str, user_id: int) -> str:
    """Derive the stable pseudonymous id of a Telegram user; without the secret it is opaque."""
    digest = hmac.new(secret.encode("utf-8"), str(user_id).encode("ascii"), hashlib.sha256)
    return "p" + digest.hexdigest()[:31]


# A participant's pseudonym: "p" and 31 hex digits.
PSEUDONYM = re.compile(r"p[0-9a-f]{31}")
StaffIds = Callable[[str], str]


def staff_pseudonym(secret: str, participant_id: str) -> str:
    """Derive the pseudonym a person's staff actions are shown and exported under.

    Drafters, moderators and overseers take part as citizens too: their decisions carry this
    second pseudonym, which cannot be linked to their answers and votes without the secret.
    Anything that is not a participant's pseudonym (a tracking file's name) is kept as it is.
    """
    if not PSEUDONYM.fullmatch(participant_id):
        return participant_id
    message = f"staff:{participant_id}".encode()
    return "s" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()[:31]


def short_tag(participant_id: str) -> str:
    """Shorten a pseudonym for moderators' screens: enough to tell authors apart, no more."""
    return participant_id[:8]
