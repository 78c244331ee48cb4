"""The flood gate on its own, on a clock the test moves: buckets, backlogs, one notice a flood."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Update

from bot.runtime.flood_gate import STALE_SECONDS, FloodGate, FloodLimits, Sender, sender_of
from tests.harness import SecondsClock

FLOODER, OTHER = 501, 502
GROUP = -100777


def text(update_id: int, user: int, chat: int | None = None) -> dict[str, Any]:
    """A text message from a user as Telegram sends it, in their private chat unless given."""
    where = {"id": chat, "type": "supergroup"} if chat else {"id": user, "type": "private"}
    sender = {"id": user, "is_bot": False, "first_name": "Test", "language_code": "ur"}
    message = {"message_id": 1, "date": 0, "chat": where, "from": sender, "text": "hi"}
    return {"update_id": update_id, "message": message}


def press(update_id: int, user: int) -> dict[str, Any]:
    """A button press by a user in their private chat, as Telegram sends it."""
    message = {"message_id": 1, "date": 0, "chat": {"id": user, "type": "private"}}
    sender = {"id": user, "is_bot": False, "first_name": "Test"}
    query = {"id": "q", "from": sender, "chat_instance": "c", "message": message, "data": "v1"}
    return {"update_id": update_id, "callback_query": query}


class Gate:
    """A gate on a hand-moved clock, recording what it asked to be notified of."""

    def __init__(self, limits: FloodLimits) -> None:
        self.clock = SecondsClock()
        self.notified: list[Sender] = []
        self.gate = FloodGate(limits, self.notified.append, self.clock)
        self.next_id = 0

    def send(self, user: int, count: int, chat: int | None = None) -> list[bool]:
        """Let `count` updates from a user arrive at once; return which were admitted."""
        decided = []
        for _ in range(count):
            self.next_id += 1
            decided.append(self.gate.admit(text(self.next_id, user, chat)))
        return decided


def test_a_burst_is_admitted_then_the_excess_is_dropped() -> None:
    g = Gate(FloodLimits(per_minute=60, burst=5, backlog=100))
    assert g.send(FLOODER, 8) == [True] * 5 + [False] * 3
    assert g.gate.dropped == 3
    assert g.notified == [Sender(6, FLOODER, FLOODER, True, "ur")], "one notice, the first drop"


def test_the_bucket_refills_at_the_sustained_rate() -> None:
    g = Gate(FloodLimits(per_minute=60, burst=5, backlog=100))
    g.send(FLOODER, 5)
    g.clock.now += 2.5  # two and a half tokens back
    assert g.send(FLOODER, 3) == [True, True, False]


def test_a_chat_may_have_only_its_backlog_waiting() -> None:
    g = Gate(FloodLimits(per_minute=6000, burst=1000, backlog=3))
    first = [text(n, FLOODER) for n in range(1, 6)]
    assert [g.gate.admit(u) for u in first] == [True, True, True, False, False]
    assert g.gate.waiting(FLOODER) == 3
    g.gate.finished(Update(1))  # handled: room for one more
    assert g.gate.admit(text(6, FLOODER)) and not g.gate.admit(text(7, FLOODER))


def test_other_users_are_untouched_by_a_flood() -> None:
    g = Gate(FloodLimits(per_minute=60, burst=5, backlog=3))
    g.send(FLOODER, 1000)
    assert g.send(OTHER, 3) == [True] * 3
    assert [n.update_id for n in g.notified] == [4]


def test_one_notice_per_flood_and_a_new_one_after_a_quiet_spell() -> None:
    limits = FloodLimits(per_minute=60, burst=5, backlog=100)
    g = Gate(limits)
    for _ in range(30):  # a flood that goes on for half a minute
        g.send(FLOODER, 10)
        g.clock.now += 1
    assert len(g.notified) == 1
    g.clock.now += limits.quiet_seconds + 1
    g.send(FLOODER, 10)
    assert len(g.notified) == 2


def test_the_same_update_fetched_again_is_not_counted_twice() -> None:
    g = Gate(FloodLimits(per_minute=60, burst=3, backlog=3))
    batch = [text(n, FLOODER) for n in (1, 2, 3)]
    assert all(g.gate.admit(raw) for raw in batch)
    assert all(g.gate.admit(raw) for raw in batch), "a batch fetched again after a failed store"
    assert g.gate.waiting(FLOODER) == 3


def test_a_backlog_entry_never_finished_stops_counting_when_stale() -> None:
    g = Gate(FloodLimits(per_minute=6000, burst=1000, backlog=2))
    g.send(FLOODER, 2)  # e.g. duplicates the inbox dropped: never reported finished
    assert g.send(FLOODER, 1) == [False]
    g.clock.now += STALE_SECONDS + 1
    assert g.send(FLOODER, 1) == [True]


@pytest.mark.parametrize("kind", ["press", "group"])
def test_presses_and_group_messages_count_too(kind: str) -> None:
    g = Gate(FloodLimits(per_minute=60, burst=2, backlog=100))
    if kind == "press":
        decided = [g.gate.admit(press(n, FLOODER)) for n in (1, 2, 3)]
    else:
        decided = g.send(FLOODER, 3, chat=GROUP)
    assert decided == [True, True, False]


@pytest.mark.parametrize(
    "raw",
    [
        {"update_id": 1, "poll": {"id": "p", "question": "?"}},
        {"update_id": "1", "message": {"chat": {"id": 1}}},
        {"message": {"chat": {"id": 1}}},
        {"update_id": 1},
    ],
    ids=["poll", "odd-id", "no-id", "empty"],
)
def test_what_belongs_to_no_chat_passes(raw: dict[str, Any]) -> None:
    g = Gate(FloodLimits(per_minute=1, burst=1, backlog=1))
    assert all(g.gate.admit(raw) for _ in range(5))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (text(7, 11), Sender(7, 11, 11, True, "ur")),
        (text(7, 11, GROUP), Sender(7, GROUP, 11, False, "ur")),
        (press(7, 11), Sender(7, 11, 11, True, None)),
        ({"update_id": 7, "inline_query": {"id": "q", "from": {"id": 11}}},
         Sender(7, 11, 11, False)),
        ({"update_id": 7, "channel_post": {"chat": {"id": -5, "type": "channel"}}},
         Sender(7, -5, -5, False)),
    ],
    ids=["text", "group", "press", "inline", "channel"],
)  # fmt: skip
def test_the_sender_is_read_from_telegrams_json(raw: dict[str, Any], expected: Sender) -> None:
    assert sender_of(raw) == expected


def test_idle_users_are_forgotten() -> None:
    limits = FloodLimits(per_minute=60, burst=5, backlog=100)
    g = Gate(limits)
    for user in range(1000, 1100):
        g.send(user, 1)
    g.clock.now += limits.quiet_seconds + 1
    g.send(OTHER, 1)
    assert len(g.gate._buckets) == 1


@pytest.mark.parametrize(
    "limits", [{"per_minute": 0}, {"burst": 0}, {"backlog": 0}], ids=["rate", "burst", "backlog"]
)
def test_limits_must_be_positive(limits: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="positive"):
        FloodLimits(**limits)  # type: ignore[arg-type]
