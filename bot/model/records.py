"""Plain records the repositories return: no SQL rows leak past storage/."""

from __future__ import annotations

from dataclasses import dataclass

from bot.model.values import BroadcastStatus


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
    resume_item: str | None = None  # set while visiting an item a shared link opened


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


@dataclass(frozen=True)
class ResponseRecord:
    """One reply or decision on a suggestion."""

    id: int
    suggestion_id: int
    kind: str
    item_id: str | None
    text: str | None


@dataclass(frozen=True)
class BroadcastRecord:
    """A drafter's message to every citizen."""

    id: int
    author_id: str
    text: str
    status: BroadcastStatus


@dataclass(frozen=True)
class Recipient:
    """Someone a broadcast is still to reach."""

    participant_id: str
    chat_id: int


@dataclass(frozen=True)
class QueueRecord:
    """One suggestion's place in the moderation queue."""

    suggestion_id: int
    state: str
    claimed_by: str | None
    claimed_until: str | None
    decided_by: str | None
    reason: str | None
    excluded: str | None
    appealed_at: str | None
    author_told_at: str | None


@dataclass(frozen=True)
class LogRecord:
    """One entry of the moderation log."""

    id: int
    suggestion_id: int | None
    actor_id: str | None
    action: str
    reason: str | None
    previous_status: str | None
    new_status: str | None
    created_at: str


@dataclass(frozen=True)
class OutboxRow:
    """A message waiting to be sent, with the chat to send it to (None: unreachable)."""

    id: int
    participant_id: str
    kind: str
    body: str
    question_id: int | None
    chat_id: int | None
