"""What the walkthrough shows: answers, an item at a step, the overview; plain data."""

from __future__ import annotations

from dataclasses import dataclass

from bot.hearing.plan import Item
from bot.model.records import StanceRecord, SuggestionRecord
from bot.model.values import Priority, Stance, Step


@dataclass(frozen=True)
class Answer:
    """A citizen's current answer on one item."""

    stance: Stance
    priority: Priority | None

    @classmethod
    def of(cls, record: StanceRecord | None) -> Answer | None:
        """Convert a stored answer, if any."""
        if record is None:
            return None
        priority = Priority(record.priority) if record.priority else None
        return cls(Stance(record.stance), priority)


@dataclass(frozen=True)
class ItemView:
    """An item at a step of the walkthrough, with the citizen's answer and progress."""

    item: Item
    step: Step
    answer: Answer | None
    position: int
    total: int
    answered: int = 0  # items of the plan the citizen has answered, for the progress bar
    returned: bool = False  # back at the resume point after visiting an item a link opened


@dataclass(frozen=True)
class Overview:
    """Every item with the citizen's answer, and the citizen's suggestions."""

    rows: tuple[tuple[Item, Answer | None], ...]
    suggestions: tuple[SuggestionRecord, ...]

    @property
    def answered(self) -> int:
        """Count the items the citizen has answered."""
        return sum(1 for _, answer in self.rows if answer is not None)

    def count(self, stance: Stance) -> int:
        """Count the items answered with one stance."""
        return sum(1 for _, answer in self.rows if answer and answer.stance is stance)

    def high_priority(self) -> tuple[Item, ...]:
        """Return the items the citizen marked high priority."""
        return tuple(i for i, a in self.rows if a is not None and a.priority is Priority.HIGH)


@dataclass(frozen=True)
class Finished:
    """The citizen reached the end of the plan."""

    overview: Overview


@dataclass(frozen=True)
class Welcome:
    """What /start offers: begin, or continue from where the citizen stopped."""

    step: Step
    resume_at: ItemView | None


View = ItemView | Finished


@dataclass(frozen=True)
class Moved:
    """The citizen left `closed` (shown with its answer) for `next`."""

    closed: ItemView
    next: View
