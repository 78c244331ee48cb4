"""Faults Telegram shows under load: 429 with retry_after, 5xx, and answers lost after the fact.

A lost answer is what a bot sees when Telegram delivered the message but the answer never came
back (a read timeout, a dropped connection): the call is performed, then the connection is
closed without a response, so the bot cannot tell whether the message went out.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError, too_many_requests
from .limits import EDITS, SENDS

FAULTY_METHODS = SENDS | EDITS | {"answerCallbackQuery"}


class AnswerLost(Exception):
    """The call was performed; its answer is dropped on the way back."""


@dataclass(frozen=True)
class FaultShares:
    """Shares of calls (0 to 1) to fail, and which calls may fail: methods, and chats if given."""

    too_many_requests: float = 0.0
    server_error: float = 0.0
    lost_answer: float = 0.0
    retry_after: int = 1
    methods: frozenset[str] = FAULTY_METHODS
    chats: frozenset[int] | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        shares = (self.too_many_requests, self.server_error, self.lost_answer)
        if min(shares) < 0 or sum(shares) > 1:
            raise ValueError(f"fault shares must be from 0 to 1 in all, got {shares}")


@dataclass
class Faults:
    """Decide, call by call, whether to fail it; count what was done."""

    shares: FaultShares | None = None
    planned_losses: dict[str, int] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    _rng: random.Random = field(default_factory=random.Random)

    def configure(self, shares: FaultShares | None) -> None:
        """Fail this share of calls from now on; None stops random faults."""
        self.shares = shares
        self._rng = random.Random(shares.seed if shares else 0)

    def lose_answers(self, method: str, times: int) -> None:
        """Perform the next `times` calls of a method, then lose their answers."""
        self.planned_losses[method] = self.planned_losses.get(method, 0) + times

    def before(self, method: str, chat_id: Any) -> ApiError | None:
        """Return the error to answer instead of performing the call, if any."""
        if not self._applies(method, chat_id):
            return None
        assert self.shares is not None
        draw = self._rng.random()
        if draw < self.shares.too_many_requests:
            self.counts["too_many_requests"] += 1
            return too_many_requests(self.shares.retry_after)
        if draw < self.shares.too_many_requests + self.shares.server_error:
            self.counts["server_error"] += 1
            return ApiError(500, "Internal Server Error")
        return None

    def after(self, method: str, chat_id: Any) -> None:
        """Raise AnswerLost if the answer to a performed call is to be lost."""
        if self.planned_losses.get(method, 0) > 0:
            self.planned_losses[method] -= 1
        elif not (
            self._applies(method, chat_id)
            and self.shares is not None
            and self._rng.random() < self.shares.lost_answer
        ):
            return
        self.counts["lost_answer"] += 1
        raise AnswerLost(method)

    def _applies(self, method: str, chat_id: Any) -> bool:
        shares = self.shares
        if shares is None or method not in shares.methods:
            return False
        if shares.chats is None:
            return True
        try:
            return int(chat_id) in shares.chats
        except (TypeError, ValueError):
            return False
