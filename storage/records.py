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
