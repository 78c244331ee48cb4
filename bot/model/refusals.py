"""Refusals: bad input a service turns down politely, changing nothing."""

from __future__ import annotations

from enum import StrEnum


class Refusal(StrEnum):
    """Why a command was refused; each has a polite text in content/ under `refused.<code>`."""

    UNKNOWN_ITEM = "unknown_item"
    UNKNOWN_PARTICIPANT = "unknown_participant"
    STANCE_FIRST = "stance_first"
    FIRST_ITEM = "first_item"
    EMPTY_SUGGESTION = "empty_suggestion"
    SUGGESTION_TOO_LONG = "suggestion_too_long"
    NOT_WAITING_FOR_TEXT = "not_waiting_for_text"
    NO_WORDS = "no_words"
    LINK_ONLY = "link_only"
    UNKNOWN_SUGGESTION = "unknown_suggestion"
    SUGGESTION_GONE = "suggestion_gone"
    OWN_SUGGESTION = "own_suggestion"
    ALREADY_VOTED = "already_voted"
    ALREADY_REPORTED = "already_reported"
    NOT_YOURS = "not_yours"
    ALREADY_WITHDRAWN = "already_withdrawn"
    DRAFT_DECIDED = "draft_decided"
    NOT_HELD = "not_held"
    NO_OTHER_MODERATOR = "no_other_moderator"
    OWN_REPORT = "own_report"
    UNKNOWN_BAN = "unknown_ban"
    ALREADY_ANSWERED = "already_answered"
    EMPTY_RESPONSE = "empty_response"
    RESPONSE_TOO_LONG = "response_too_long"
    UNKNOWN_BROADCAST = "unknown_broadcast"
    BROADCAST_STARTED = "broadcast_started"
    NOT_YOUR_BROADCAST = "not_your_broadcast"
    BANNED = "banned"
    ALREADY_DECIDED = "already_decided"
    CLAIMED_BY_OTHER = "claimed_by_other"
    SECOND_REVIEW_BY_OTHER = "second_review_by_other"
    NOT_HIDDEN = "not_hidden"
    ALREADY_APPEALED = "already_appealed"
    SAME_RESPONSE = "same_response"
    BAD_DATE = "bad_date"
    NOT_A_NUMBER = "not_a_number"
    BAD_METRIC = "bad_metric"
    UNKNOWN_METRIC = "unknown_metric"
    GROUP_TOO_SMALL = "group_too_small"
    UNKNOWN_QUESTION = "unknown_question"
    QUESTION_CLOSED = "question_closed"
    NOT_ASKED = "not_asked"
    PLAN_UNCHANGED = "plan_unchanged"
    NOTHING_TO_FOLLOW = "nothing_to_follow"
    NOT_YOUR_QUESTION = "not_your_question"
    SUGGESTIONS_PAUSED = "suggestions_paused"


class Refused(Exception):
    """Raised by a service before any change is committed; carries values for the text."""

    def __init__(self, code: Refusal, **values: object) -> None:
        super().__init__(code.value)
        self.code = code
        self.values = values
