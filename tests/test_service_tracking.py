"""Tracking on a migrated database: status, body, deadline, metrics, and their history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.hearing.tracking import IMPORT, TELEGRAM, Received
from bot.model.refusals import Refusal, Refused
from bot.model.tracking import Change, Metric, TrackingStatus
from bot.model.values import Awaiting
from bot.services import Services
from storage.backend import Store
from tests.harness import Clock, citizen, rows

ITEM = "18"
TODAY = date(2026, 11, 27)
RATE = Metric("conviction rate", "%", 10, 50)


async def history(db: Store) -> list[tuple[object, ...]]:
    """Every recorded change: item, field, before, after, who and how, oldest first."""
    return await rows(
        db, "SELECT item_id, field, old_value, new_value, actor, source"
        " FROM tracking_history ORDER BY id",
    )  # fmt: skip


async def test_an_untracked_item_is_proposed_with_nothing_set(services: Services) -> None:
    tracking = await services.tracking.get(ITEM)
    assert tracking.status is TrackingStatus.PROPOSED
    assert (tracking.responsible, tracking.deadline, tracking.metrics) == (None, None, ())
    assert list(await services.tracking.all()) == [item.id for item in services.plan.items]
    assert await services.tracking.history(ITEM) == []


@pytest.mark.parametrize(
    ("field", "first", "second"),
    [
        ("status", TrackingStatus.ADOPTED.value, TrackingStatus.IN_PROGRESS.value),
        ("responsible", "Ministry of Interior", "Ministry of Law"),
        ("deadline", "2026-12-31", "2027-03-31"),
    ],
)
async def test_a_field_change_is_kept_in_the_history_with_its_previous_value(
    services: Services, db: Store, clock: Clock, field: str, first: str, second: str
) -> None:
    changes = [Change(ITEM, field, first), Change(ITEM, field, second)]
    for change in changes:
        assert await services.tracking.change([change], "drafter", TELEGRAM, clock()) == 1
    # The same value again is no change: nothing applied, nothing added to the history.
    assert await services.tracking.change([changes[1]], "drafter", IMPORT, clock()) == 0
    before = None if field != "status" else TrackingStatus.PROPOSED.value
    assert await history(db) == [
        (ITEM, field, before, first, "drafter", TELEGRAM),
        (ITEM, field, first, second, "drafter", TELEGRAM),
    ]
    current = getattr(await services.tracking.get(ITEM), field)
    assert (current.isoformat() if isinstance(current, date) else current) == second
    kept = await services.tracking.history(ITEM)
    assert [(h.old_value, h.new_value) for h in kept] == [(before, first), (first, second)]


async def test_changes_apply_together_or_not_at_all(services: Services, db: Store,
                                                    clock: Clock) -> None:  # fmt: skip
    fine = Change(ITEM, "status", TrackingStatus.ADOPTED.value)
    with pytest.raises(Refused) as unknown_item:
        await services.tracking.change(
            [fine, Change("99", "status", "done")], "d", IMPORT, clock()
        )
    assert unknown_item.value.code is Refusal.UNKNOWN_ITEM
    value_of_unknown_metric = Change(ITEM, "value", "3", Metric("absent", "", 0, 0, 3, TODAY))
    with pytest.raises(Refused) as unknown_metric:
        await services.tracking.change([fine, value_of_unknown_metric], "d", IMPORT, clock())
    assert unknown_metric.value.code is Refusal.UNKNOWN_METRIC
    assert await history(db) == []
    assert (await services.tracking.get(ITEM)).status is TrackingStatus.PROPOSED


async def waiting(services: Services, field: str, metric: str | None = None) -> str:
    """A drafter who chose a field to set on the item; return their id."""
    pid = await citizen(services, 7001)
    await services.tracking.await_text(pid, ITEM, field, metric)
    participant = await services.walkthrough.current(pid)
    assert (participant.awaiting, participant.awaiting_target) == (Awaiting.TRACKING, int(ITEM))
    return pid


async def test_a_deadline_typed_in_is_set_and_makes_the_item_overdue_after_it(
    services: Services, clock: Clock
) -> None:
    pid = await waiting(services, "deadline")
    received = await services.tracking.receive_text(pid, " 2026-11-30 ", clock(), TODAY)
    assert received == Received(ITEM, past_deadline=False)
    assert (await services.tracking.get(ITEM)).deadline == date(2026, 11, 30)
    assert (await services.walkthrough.current(pid)).awaiting is None
    assert await services.tracking.overdue(date(2026, 11, 30)) == []
    assert [t.item_id for t in await services.tracking.overdue(date(2026, 12, 1))] == [ITEM]
    await services.tracking.change([Change(ITEM, "status", "done")], pid, TELEGRAM, clock())
    assert await services.tracking.overdue(date(2026, 12, 1)) == [], "done is never overdue"


@pytest.mark.parametrize(
    ("field", "text", "code"),
    [
        ("deadline", "30/11/2026", Refusal.BAD_DATE),
        ("responsible", "   ", Refusal.EMPTY_RESPONSE),
        ("metric_new", "rate | % | ten | 50", Refusal.NOT_A_NUMBER),
        ("metric_new", "only a name", Refusal.BAD_METRIC),
        ("metric_value", "about forty", Refusal.NOT_A_NUMBER),
        ("metric_value", "nan", Refusal.NOT_A_NUMBER),
    ],
)
async def test_a_bad_value_typed_in_is_refused_and_the_wait_goes_on(
    services: Services, db: Store, clock: Clock, field: str, text: str, code: Refusal
) -> None:
    metric = None
    if field == "metric_value":
        await services.tracking.change([Change(ITEM, "metric", "", RATE)], "d", IMPORT, clock())
        metric = RATE.name
    before = await history(db)
    pid = await waiting(services, field, metric)
    with pytest.raises(Refused) as refused:
        await services.tracking.receive_text(pid, text, clock(), TODAY)
    assert refused.value.code is code
    assert await history(db) == before
    assert (await services.walkthrough.current(pid)).awaiting == Awaiting.TRACKING


async def test_a_metric_and_its_values_keep_their_history(
    services: Services, db: Store, clock: Clock
) -> None:
    pid = await waiting(services, "metric_new")
    await services.tracking.receive_text(pid, "conviction rate | % | 10 | 50", clock(), TODAY)
    await services.tracking.await_text(pid, ITEM, "metric_value", RATE.name)
    await services.tracking.receive_text(pid, "35", clock(), TODAY)
    clock.now += timedelta(days=7)
    later = TODAY + timedelta(days=7)
    await services.tracking.await_text(pid, ITEM, "metric_value", RATE.name)
    await services.tracking.receive_text(pid, "42,5", clock(), later)
    (metric,) = (await services.tracking.get(ITEM)).metrics
    assert (metric.current, metric.measured_on) == (42.5, later)
    assert metric.progress == pytest.approx((42.5 - 10) / (50 - 10))
    assert [(f, old, new) for _, f, old, new, _, _ in await history(db)] == [
        ("metric:conviction rate", None, "% | 10 | 50"),
        ("value:conviction rate", None, "35 (2026-11-27)"),
        ("value:conviction rate", "35 (2026-11-27)", "42.5 (2026-12-04)"),
    ]


@pytest.mark.parametrize("item", ["0", "21", "9.1", "new", "", "18 "])
async def test_an_item_the_plan_does_not_have_is_refused(
    services: Services, db: Store, clock: Clock, item: str
) -> None:
    pid = await citizen(services, 7001)
    attempts = [
        services.tracking.get(item),
        services.tracking.history(item),
        services.tracking.await_text(pid, item, "responsible", None),
        services.tracking.change([Change(item, "status", "done")], pid, TELEGRAM, clock()),
    ]
    for attempt in attempts:
        with pytest.raises(Refused) as refused:
            await attempt
        assert refused.value.code is Refusal.UNKNOWN_ITEM
    assert await history(db) == []
    assert (await services.walkthrough.current(pid)).awaiting is None


async def test_a_value_for_a_metric_the_item_lacks_is_refused(
    services: Services, clock: Clock
) -> None:
    pid = await citizen(services, 7001)
    with pytest.raises(Refused) as refused:
        await services.tracking.await_text(pid, ITEM, "metric_value", "invented metric")
    assert refused.value.code is Refusal.UNKNOWN_METRIC
    assert (await services.walkthrough.current(pid)).awaiting is None


async def test_text_nobody_waits_for_is_refused(services: Services, clock: Clock) -> None:
    pid = await citizen(services, 7001)
    with pytest.raises(Refused) as refused:
        await services.tracking.receive_text(pid, "2026-12-31", clock(), TODAY)
    assert refused.value.code is Refusal.NOT_WAITING_FOR_TEXT


async def test_a_deadline_already_missed_is_recorded_and_said_so(
    services: Services, clock: Clock
) -> None:
    pid = await waiting(services, "deadline")
    received = await services.tracking.receive_text(pid, "2026-11-26", clock(), TODAY)
    assert received == Received(ITEM, past_deadline=True)
    assert (await services.tracking.get(ITEM)).deadline == date(2026, 11, 26)
    assert [t.item_id for t in await services.tracking.overdue(TODAY)] == [ITEM]
