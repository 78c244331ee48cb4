"""Named values stored as text: stances, priorities, walkthrough steps, suggestion states."""

from __future__ import annotations

from enum import StrEnum


class Stance(StrEnum):
    """A citizen's position on an item."""

    SUPPORT = "support"
    OPPOSE = "oppose"
    UNSURE = "unsure"


class Priority(StrEnum):
    """How urgent a citizen thinks an item is."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Step(StrEnum):
    """What the bot is waiting for from a citizen."""

    WELCOME = "welcome"
    STANCE = "stance"
    PRIORITY = "priority"
    SUGGEST = "suggest"
    SUGGESTION_TEXT = "suggestion_text"
    FINISHED = "finished"


class SuggestionStatus(StrEnum):
    """Whether other citizens can see a suggestion."""

    VISIBLE = "visible"
    PENDING = "pending"
    HIDDEN = "hidden"
    WITHDRAWN = "withdrawn"


class Vote(StrEnum):
    """A citizen's vote on someone else's suggestion; PASS is recorded but counts neither way."""

    AGREE = "agree"
    DISAGREE = "disagree"
    PASS = "pass"


class Awaiting(StrEnum):
    """Free text the bot waits for outside the walkthrough's steps."""

    PROPOSAL = "proposal"
    REPLY = "reply"
    DECLINE_REASON = "decline_reason"
    BROADCAST = "broadcast"
    TRACKING = "tracking"
    FOLLOW_UP_ANSWER = "follow_up_answer"
    CORRECTION = "correction"  # a corrected text for a held suggestion (the target)
    AUTHOR_ANSWER = "author_answer"  # an author's answer to a drafter's reply (the target)


class DraftOutcome(StrEnum):
    """What became of a text a citizen sent as a suggestion."""

    POSTED = "posted"
    AGREED = "agreed"
    REPLACED = "replaced"


class BroadcastStatus(StrEnum):
    """Where a drafter's broadcast stands."""

    DRAFT = "draft"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class DeliveryStatus(StrEnum):
    """What became of a broadcast for one recipient."""

    PENDING = "pending"
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"


# Proposals for items the plan lacks are suggestions on this pseudo-item.
NEW_ITEMS = "new"


class ReportReason(StrEnum):
    """Why a citizen reports a suggestion; moderators hide for the same reasons."""

    SPAM = "spam"
    OFFENSIVE = "offensive"
    PERSONAL = "personal"  # a personal attack
    PRIVATE_DATA = "private_data"  # a phone number, an ID card number, an address...
    OFF_TOPIC = "off_topic"


class FlagReason(StrEnum):
    """What the automatic checks at submission can find."""

    BLOCKLIST = "blocklist"
    PERSONAL_DATA = "personal_data"
    LINK = "link"
    REPEATED = "repeated"
    FLOOD = "flood"
    PRE_MODERATION = "pre_moderation"


class QueueState(StrEnum):
    """Where a suggestion stands in the moderation queue."""

    OPEN = "open"
    APPROVED = "approved"
    HIDDEN = "hidden"


class ModerationMode(StrEnum):
    """`post`: visible until flagged; `pre`: nothing visible until a moderator approves it."""

    POST = "post"
    PRE = "pre"


class Language(StrEnum):
    """A language the hearing is held in: a catalogue in content/locale/ and a plan."""

    ENGLISH = "en"
    URDU = "ur"

    @classmethod
    def stored(cls, code: str | None) -> Language | None:
        """Return a language as stored (NULL: not chosen)."""
        return cls(code) if code is not None else None

    @classmethod
    def from_telegram(cls, language_code: str | None) -> Language | None:
        """Return the language a Telegram client reports ("ur", "ur-PK"), if the bot has it."""
        code = (language_code or "").split("-")[0].lower()
        return next((language for language in cls if language.value == code), None)
