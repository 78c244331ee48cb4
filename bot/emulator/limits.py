"""Telegram's sending limits: enforce them on the bot's messages and measure its sending rate.

Telegram documents three limits (core.telegram.org/bots/faq, "My bot is hitting limits"):
about 30 messages per second overall, one message per second to one chat ("we may allow short
bursts that go over this limit"), and 20 messages per minute to one group. It publishes neither
the algorithm nor the burst size, so the emulator uses sliding windows (a log of recent send
times per rule) and the burst rule documented on `Limits`.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# Clock values are Unix-epoch floats, whose sums lose ~1e-7 s: a bot pacing exactly at a limit
# must not be refused for rounding.
EPSILON = 1e-6
GROUP_TYPES = frozenset({"group", "supergroup"})
SENDS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendAudio",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendVideoNote",
        "sendSticker",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendDice",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
    }
)
EDITS = frozenset(
    {
        "editMessageText",
        "editMessageCaption",
        "editMessageMedia",
        "editMessageReplyMarkup",
        "editMessageLiveLocation",
    }
)


@dataclass(frozen=True)
class Limits:
    """Telegram's sending limits, as the emulator enforces (or, when off, measures) them.

    Per chat, a call is allowed when the chat received fewer than `burst` counted calls in the
    last `burst / per_chat_per_second` seconds: with the defaults, up to 3 messages back to back,
    and 1 per second on average over any 3 seconds. Three covers what one user action makes a
    bot do at once (edit the pressed message, send the next one, maybe a notice), while the
    long-run rate stays at Telegram's documented one per second; `burst=1` is the strict reading.

    Telegram does not say whether edits count; experience (429s on frequent editMessageText)
    says they do, so they count by default and `count_edits=False` turns that off.
    """

    overall_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    group_per_minute: float = 20.0
    burst: int = 3
    retry_after: int | None = None
    count_edits: bool = True

    def __post_init__(self) -> None:
        rates = (self.overall_per_second, self.per_chat_per_second, self.group_per_minute)
        if min(rates) <= 0:
            raise ValueError(f"limits must be positive rates, got {rates}")
        if self.burst < 1:
            raise ValueError(f"burst must be at least 1, got {self.burst}")
        if self.retry_after is not None and self.retry_after < 1:
            raise ValueError(f"retry_after must be at least 1 or None, got {self.retry_after}")


DEFAULTS = Limits()


@dataclass(frozen=True)
class RateReport:
    """What the bot's counted calls measured since the start or the last reset."""

    sent: int
    rejected_429: int
    first_at: float | None
    last_at: float | None
    overall_rate: float
    max_in_any_second: int
    max_per_chat_in_any_second: int
    per_chat_violations: int


class _Window:
    """One rule: at most `capacity` calls in any `period` seconds; remembers the last few."""

    __slots__ = ("period", "times")

    def __init__(self, count: float, period: float, times: Iterable[float] = ()) -> None:
        capacity = max(1, int(count))
        # A fractional rate such as 0.5/s becomes 1 call per 2 s rather than 0 per second.
        self.period = period * capacity / count
        self.times: deque[float] = deque(times, maxlen=capacity)

    def wait(self, now: float) -> float:
        """Return how long until one more call fits, 0 when it fits now."""
        if len(self.times) < (self.times.maxlen or 0):
            return 0.0
        wait = self.times[0] + self.period - now
        return wait if wait > EPSILON else 0.0


class _Second:
    """Calls in the last second, and the most ever seen in one sliding second."""

    __slots__ = ("peak", "times")

    def __init__(self) -> None:
        self.times: deque[float] = deque()
        self.peak = 0

    def add(self, now: float) -> None:
        """Count a call at `now` and update the peak."""
        while self.times and self.times[0] <= now - 1.0 + EPSILON:
            self.times.popleft()
        self.times.append(now)
        self.peak = max(self.peak, len(self.times))


class _Chat:
    """One chat's rules (per-chat burst, and the per-minute rule for groups) and meter."""

    __slots__ = ("group", "second", "windows")

    def __init__(self, rules: Limits, group: bool) -> None:
        self.group = group
        self.second = _Second()
        self.windows: list[_Window] = []
        self.apply(rules)

    def apply(self, rules: Limits) -> None:
        """Rebuild the windows for new limits, keeping the history they can hold."""
        kept: list[Iterable[float]] = [w.times for w in self.windows] + [(), ()]
        rate = rules.per_chat_per_second
        self.windows = [_Window(rules.burst, rules.burst / rate, kept[0])]
        if self.group:
            self.windows.append(_Window(rules.group_per_minute, 60.0, kept[1]))

    def wait(self, now: float) -> float:
        """Return how long until this chat may receive one more call."""
        return max(window.wait(now) for window in self.windows)

    def add(self, now: float) -> None:
        """Count a delivered call at `now`."""
        for window in self.windows:
            window.times.append(now)
        self.second.add(now)


class Traffic:
    """The bot's counted calls: refused over the limits when they are set, always measured."""

    _overall: _Window
    _chats: dict[int, _Chat]
    _first: float | None
    _last: float | None

    def __init__(self, clock: Callable[[], float], limits: Limits | None = None) -> None:
        self.clock = clock
        self.limits = limits
        self.reset()

    @property
    def rules(self) -> Limits:
        """Return the limits in force, or the defaults that measurement compares against."""
        return self.limits or DEFAULTS

    def set_limits(self, limits: Limits | None) -> None:
        """Enforce these limits from now on (None: only measure), keeping recent history."""
        self.limits = limits
        self._overall = _Window(self.rules.overall_per_second, 1.0, self._overall.times)
        for chat in self._chats.values():
            chat.apply(self.rules)

    def reset(self) -> None:
        """Forget every call: the report and the windows the limits check."""
        self._overall = _Window(self.rules.overall_per_second, 1.0)
        self._second = _Second()
        self._chats = {}
        self._sent = self._rejected = self._violations = self._chat_peak = 0
        self._first = self._last = None

    def counts(self, method: str) -> bool:
        """Tell whether a Bot API method is a message the limits count."""
        return method in SENDS or (self.rules.count_edits and method in EDITS)

    def admit(self, chat_id: int) -> int | None:
        """Return the retry_after to refuse a call to this chat with, or None to let it pass."""
        if self.limits is None:
            return None
        now = self.clock()
        chat = self._chats.get(chat_id)
        wait = max(self._overall.wait(now), chat.wait(now) if chat else 0.0)
        if not wait:
            return None
        self._rejected += 1
        if self.limits.retry_after is not None:
            return self.limits.retry_after
        return max(1, math.ceil(wait - EPSILON))

    def record(self, chat_id: int, group: bool) -> None:
        """Count a delivered call to this chat."""
        now = self.clock()
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat(self.rules, group)
        elif chat.wait(now):
            self._violations += 1
        chat.add(now)
        self._chat_peak = max(self._chat_peak, chat.second.peak)
        self._overall.times.append(now)
        self._second.add(now)
        self._sent += 1
        self._first = now if self._first is None else self._first
        self._last = now

    def report(self) -> RateReport:
        """Return the measurements so far."""
        span = (self._last or 0.0) - (self._first or 0.0)
        return RateReport(
            sent=self._sent,
            rejected_429=self._rejected,
            first_at=self._first,
            last_at=self._last,
            overall_rate=self._sent / span if span > 0 else 0.0,
            max_in_any_second=self._second.peak,
            max_per_chat_in_any_second=self._chat_peak,
            per_chat_violations=self._violations,
        )
