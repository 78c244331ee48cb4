"""The flood gate: updates beyond a user's rate or a chat's backlog are dropped on arrival.

It stands before the inbox (bot/runtime/polling.py, bot/runtime/webhook.py), so a dropped
update is never stored, never handled and never reaches the moderators: one chat that sends
thousands of updates can hold at most `backlog` of them waiting, and every other chat is served
as if it were quiet. Each user has a token bucket (`burst` updates at once, `per_minute` in the
long run); each chat, a bound on its updates admitted and not yet handled. The first update
dropped in a flood is reported (`notify`), so the sender is told once to slow down.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from telegram import Update

from bot.runtime.chat_order import chat_key

# An update admitted longer ago than this and never reported finished (a duplicate the inbox
# dropped, an update lost with a crashed task) stops counting against its chat's backlog.
STALE_SECONDS = 600.0
# A new flood (a new notice) starts after the sender was quiet this long, at least.
QUIET_SECONDS = 60.0


@dataclass(frozen=True)
class FloodLimits:
    """How much one user and one chat may send (RATE_LIMIT_* and CHAT_BACKLOG settings)."""

    per_minute: float = 60.0
    burst: int = 20
    backlog: int = 10

    def __post_init__(self) -> None:
        if self.per_minute <= 0 or self.burst < 1 or self.backlog < 1:
            raise ValueError(f"flood limits must be positive, got {self}")

    @property
    def quiet_seconds(self) -> float:
        """Return how long a user must be quiet before a new flood is a new one."""
        return max(QUIET_SECONDS, self.burst * 60.0 / self.per_minute)


@dataclass
class _Bucket:
    tokens: float
    at: float
    dropped_at: float | None = None


@dataclass
class _Backlog:
    admitted: dict[int, float] = field(default_factory=dict)  # update id -> when


class FloodGate:
    """Admit each user's updates within a token bucket, and each chat's within its backlog."""

    def __init__(
        self,
        limits: FloodLimits,
        notify: Callable[[Update], object] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits
        self.notify = notify
        self.monotonic = monotonic
        self.dropped = 0
        # Least recently active first, so that idle users are forgotten from the front.
        self._buckets: OrderedDict[int, _Bucket] = OrderedDict()
        self._backlogs: dict[int, _Backlog] = {}

    def sift(self, updates: Sequence[Update]) -> list[Update]:
        """Return the updates to admit, in order; the others are dropped."""
        return [update for update in updates if self.admit(update)]

    def admit(self, update: object) -> bool:
        """Decide whether an arriving update is admitted (counted) or dropped.

        An update already admitted (the same batch fetched again after a failed store) is
        admitted again without being counted twice.
        """
        if not isinstance(update, Update):
            return True
        chat = chat_key(update)
        if chat is None:
            return True
        now = self.monotonic()
        backlog = self._backlogs.setdefault(chat, _Backlog())
        if update.update_id in backlog.admitted:
            return True
        user = update.effective_user.id if update.effective_user is not None else chat
        bucket = self._bucket(user, now)
        self._forget_stale(backlog, now)
        if bucket.tokens < 1 or len(backlog.admitted) >= self.limits.backlog:
            self._drop(update, bucket, now)
            if not backlog.admitted:
                del self._backlogs[chat]
            return False
        bucket.tokens -= 1
        backlog.admitted[update.update_id] = now
        return True

    def finished(self, update: object) -> None:
        """Stop counting a handled update against its chat's backlog."""
        if not isinstance(update, Update) or (chat := chat_key(update)) is None:
            return
        backlog = self._backlogs.get(chat)
        if backlog is None:
            return
        backlog.admitted.pop(update.update_id, None)
        if not backlog.admitted:
            del self._backlogs[chat]

    def waiting(self, chat: int) -> int:
        """Return how many of a chat's admitted updates are not handled yet."""
        backlog = self._backlogs.get(chat)
        return len(backlog.admitted) if backlog is not None else 0

    def _bucket(self, user: int, now: float) -> _Bucket:
        bucket = self._buckets.pop(user, None)
        if bucket is None:
            bucket = _Bucket(float(self.limits.burst), now)
        else:
            refill = (now - bucket.at) * self.limits.per_minute / 60.0
            bucket.tokens = min(float(self.limits.burst), bucket.tokens + refill)
            bucket.at = now
        self._buckets[user] = bucket  # now the most recently active
        self._forget_idle(now)
        return bucket

    def _forget_idle(self, now: float) -> None:
        # A user quiet for longer than a refill and a flood's end has a full bucket and no
        # flood going: remembering them changes nothing, so memory stays bounded by activity.
        horizon = now - self.limits.quiet_seconds
        while self._buckets:
            user, oldest = next(iter(self._buckets.items()))
            if oldest.at >= horizon:
                return
            del self._buckets[user]

    def _forget_stale(self, backlog: _Backlog, now: float) -> None:
        stale = [uid for uid, at in backlog.admitted.items() if now - at > STALE_SECONDS]
        for uid in stale:
            del backlog.admitted[uid]

    def _drop(self, update: Update, bucket: _Bucket, now: float) -> None:
        self.dropped += 1
        starts = bucket.dropped_at is None or now - bucket.dropped_at > self.limits.quiet_seconds
        bucket.dropped_at = now
        if starts and self.notify is not None:
            self.notify(update)
