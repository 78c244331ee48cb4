"""The flood gate: updates beyond a user's rate or a chat's backlog are dropped on arrival.

It stands before the inbox (bot/runtime/polling.py, bot/runtime/webhook.py), so a dropped
update is never stored, never handled and never reaches the moderators: one chat that sends
thousands of updates can hold at most `backlog` of them waiting, and every other chat is served
as if it were quiet. Each user has a token bucket (`burst` updates at once, `per_minute` in the
long run); each chat, a bound on its updates admitted and not yet handled. The first update
dropped in a flood is reported (`notify`), so the sender is told once to slow down.

The gate reads the update as Telegram sent it (JSON), before python-telegram-bot builds objects
of it: building them costs a fifth of a millisecond an update, two seconds of the bot's time for
a flood of ten thousand, during which every other chat's updates would wait.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from telegram import Update

log = logging.getLogger(__name__)
# An update admitted longer ago than this and never reported finished (a duplicate the inbox
# dropped, an update lost with a crashed task) stops counting against its chat's backlog.
STALE_SECONDS = 600.0
# A new flood (a new notice) starts after the sender was quiet this long, at least.
QUIET_SECONDS = 60.0
# Every this many decisions, stale entries of every chat are forgotten.
SWEEP_EVERY = 4096


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


@dataclass(frozen=True)
class Sender:
    """Who sent an update, as its JSON says: enough to count it and to answer a flood."""

    update_id: int
    chat: int
    user: int
    private: bool
    language_code: str | None = None


def sender_of(data: Mapping[str, Any]) -> Sender | None:
    """Read who sent an update (JSON as Telegram sends it); None if it has no chat or user."""
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    # Every kind of update carries one object beside its id: a message, a button press...
    body = next((v for k, v in data.items() if k != "update_id" and isinstance(v, dict)), None)
    if body is None:
        return None
    person = _dict(body.get("from")) or _dict(body.get("user"))
    chat = _dict(body.get("chat")) or _dict(_dict(body.get("message")).get("chat"))
    user_id, chat_id = person.get("id"), chat.get("id")
    key = chat_id if isinstance(chat_id, int) else user_id
    if not isinstance(key, int):
        return None
    language = person.get("language_code")
    return Sender(
        update_id,
        key,
        user_id if isinstance(user_id, int) else key,
        chat.get("type") == "private",
        language if isinstance(language, str) else None,
    )


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


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
        notify: Callable[[Sender], object] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits
        self.notify = notify
        self.monotonic = monotonic
        self.dropped = 0
        # Least recently active first, so that idle users are forgotten from the front.
        self._buckets: OrderedDict[int, _Bucket] = OrderedDict()
        self._backlogs: dict[int, _Backlog] = {}
        self._chat_of: dict[int, int] = {}  # admitted update id -> its chat
        self._decisions = 0

    def admit(self, data: Mapping[str, Any]) -> bool:
        """Decide whether an arriving update (its JSON) is admitted (counted) or dropped.

        An update already admitted (the same batch fetched again after a failed store, a
        webhook retried) is admitted again without being counted twice.
        """
        sender = sender_of(data)
        if sender is None:
            return True
        if sender.update_id in self._chat_of:
            return True
        now = self.monotonic()
        self._decisions += 1
        if self._decisions % SWEEP_EVERY == 0:
            self._sweep(now)
        bucket = self._bucket(sender.user, now)
        backlog = self._backlogs.setdefault(sender.chat, _Backlog())
        self._forget_stale(backlog, now)
        if bucket.tokens < 1 or len(backlog.admitted) >= self.limits.backlog:
            self._drop(sender, bucket, now)
            if not backlog.admitted:
                del self._backlogs[sender.chat]
            return False
        bucket.tokens -= 1
        backlog.admitted[sender.update_id] = now
        self._chat_of[sender.update_id] = sender.chat
        return True

    def finished(self, update: object) -> None:
        """Stop counting a handled update against its chat's backlog."""
        if not isinstance(update, Update):
            return
        chat = self._chat_of.pop(update.update_id, None)
        backlog = self._backlogs.get(chat) if chat is not None else None
        if chat is None or backlog is None:
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
            self._chat_of.pop(uid, None)

    def _sweep(self, now: float) -> None:
        # Stale entries of chats that send nothing more would otherwise stay for ever.
        for chat, backlog in list(self._backlogs.items()):
            self._forget_stale(backlog, now)
            if not backlog.admitted:
                del self._backlogs[chat]

    def _drop(self, sender: Sender, bucket: _Bucket, now: float) -> None:
        self.dropped += 1
        starts = bucket.dropped_at is None or now - bucket.dropped_at > self.limits.quiet_seconds
        bucket.dropped_at = now
        if not starts:
            return
        # Once a flood, and without ids: the log must not become the flood's next target.
        log.warning("a chat sends faster than its limits allow: its excess is dropped")
        if self.notify is not None:
            self.notify(sender)
