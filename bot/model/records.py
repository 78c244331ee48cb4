"""Plain records the repositories return: no SQL rows leak past storage/."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParticipantRecord:
    """A participant's pseudonymous row, including where they are in the walkthrough."""

    id: str
    current_item: str | None
    step: str
    completed_at: str | None
    created_at: str
    awaiting: str | None
    awaiting_target: int | None


@dataclass(frozen=True)
class StanceRecord:
    """A participant's current answer on one item."""

    participant_id: str
    item_id: str
    stance: str
    priority: str | None
    updated_at: str


@dataclass(frozen=True)
class SuggestionRecord:
    """One suggestion a participant wrote on an item."""

    id: int
    participant_id: str
    item_id: str
    text: str
    status: str
    created_at: str


@dataclass(frozen=True)
class DraftRecord:
    """A text sent as a suggestion, and what became of it (None while undecided)."""

    id: int
    participant_id: str
    item_id: str
    text: str
    outcome: str | None
    suggestion_id: int | None


@dataclass(frozen=True)
class Tally:
    """Current votes on one suggestion."""

    agree: int = 0
    disagree: int = 0
    passed: int = 0

    def plus(self, vote: str, count: int) -> Tally:
        """Return this tally with `count` more votes of one kind."""
        if vote == "agree":
            return Tally(self.agree + count, self.disagree, self.passed)
        if vote == "disagree":
            return Tally(self.agree, self.disagree + count, self.passed)
        return Tally(self.agree, self.disagree, self.passed + count)
