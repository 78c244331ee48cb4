"""Pseudonymous participant ids: a keyed hash of the Telegram user id."""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import string
import zlib
from collections.abc import Callable

# The secret must hold as much chance as 32 random bytes (256 bits): fewer, and anyone with
# their own pseudonym (/mydata) and their Telegram id can search for it offline.
SECRET_BITS = 256
# The alphabets random secrets are written in, smallest first, with what each character bears.
_ALPHABETS = (
    (frozenset(string.digits), math.log2(10)),
    (frozenset(string.hexdigits), math.log2(16)),
    (frozenset(string.ascii_letters + string.digits + "-_+/="), math.log2(64)),
)
# Any other text counts as printable ASCII (95 characters): generous to words, which bear less.
_ANY_TEXT_BITS = math.log2(95)
# Random text does not compress: a secret zlib shortens by more than this repeats itself.
_MOST_SAVED_BYTES = 12


def pseudonym(secret: str, user_id: int) -> str:
    """Derive the stable pseudonymous id of a Telegram user; without the secret it is opaque."""
    digest = hmac.new(secret.encode("utf-8"), str(user_id).encode("ascii"), hashlib.sha256)
    return "p" + digest.hexdigest()[:31]


def strong_secret(secret: str) -> bool:
    """Say whether a secret bears at least 32 random bytes, as a secure generator writes them."""
    raw = secret.encode("utf-8")
    if len(raw) < SECRET_BITS // 8:
        return False
    per_char = next((bits for chars, bits in _ALPHABETS if chars.issuperset(secret)), None)
    if len(secret) * (per_char or _ANY_TEXT_BITS) < SECRET_BITS:
        return False
    return len(zlib.compress(raw, 9)) >= len(raw) - _MOST_SAVED_BYTES


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
