"""What of an update the inbox stores: all that handling it again needs, and no one's name.

An update names its sender and their chat (first and last name, username), and may carry a
contact card, a forwarded message's original sender or a mention of someone else. The bot
never reads a name, so none is stored: a replayed update is handled as the original was.
"""

from __future__ import annotations

from typing import Any

# Keys whose value names a person (users, chats, contacts, forwards, mentions, shared users).
# Blanked rather than removed where python-telegram-bot requires them to read the update back.
_BLANKED = frozenset({"first_name", "sender_user_name"})
_REMOVED = frozenset({"last_name", "username", "author_signature", "vcard"})
# The shared contact's number: read only by the opt-in eligibility check.
_PHONE = "phone_number"


def without_names(data: Any, keep_phone: bool = False) -> Any:
    """Return a copy of an update's data with every name blanked or removed.

    `keep_phone` keeps a shared contact's number, which the eligibility check reads (it keeps
    only a keyed fingerprint); without that feature nothing reads it, so it is not stored.
    """
    if isinstance(data, list):
        return [without_names(value, keep_phone) for value in data]
    if not isinstance(data, dict):
        return data
    kept = {}
    for key, value in data.items():
        if key in _REMOVED:
            continue
        if key in _BLANKED or (key == _PHONE and not keep_phone):
            kept[key] = ""
        else:
            kept[key] = without_names(value, keep_phone)
    return kept
