"""Item followers on a migrated database: follow, unfollow, at most one batch a day each."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.hearing.item_followers import BATCH_INTERVAL, Batch
from bot.hearing.tracking import TELEGRAM
from bot.model.refusals import Refusal, Refused
from bot.model.tracking import Change
from bot.services import Services
from storage.backend import Store
from tests.harness import Clock, citizen, rows


async def change(services: Services, clock: Clock, item: str, status: str) -> None:
    """A drafter sets an item's status."""
    await services.tracking.change([Change(item, "status", status)], "drafter", TELEGRAM, clock())


async def send(services: Services, clock: Clock) -> list[Batch]:
    """Do what the follower job does: gather the batches due now and record each as sent."""
    batches = await services.following.due(clock())
    for batch in batches:
        await services.following.record(batch, f"changed: {', '.join(batch.item_ids)}", clock())
    return batches


async def test_follow_and_unfollow(services: Services) -> None:
    pid = await citizen(services, 501)
    assert await services.following.follow(pid, ["18", "3"]) == 2
    assert await services.following.follow(pid, ["3", "7"]) == 1, "3 was followed already"
    assert await services.following.followed(pid) == {"3", "7", "18"}
    await services.following.unfollow(pid, "3")
    await services.following.unfollow(pid, "3")  # twice is harmless
    assert await services.following.followed(pid) == {"7", "18"}


@pytest.mark.parametrize("items", [[], ["21"], ["18", "99"], ["9.1"], ["new"], [""]])
async def test_following_an_item_the_plan_lacks_follows_nothing(
    services: Services, items: list[str]
) -> None:
    pid = await citizen(services, 501)
    with pytest.raises(Refused) as refused:
        await services.following.follow(pid, items)
    assert refused.value.code is Refusal.UNKNOWN_ITEM
    assert await services.following.followed(pid) == set()


@pytest.mark.parametrize("item", ["21", "9.1", ""])
async def test_unfollowing_an_item_the_plan_lacks_is_refused(
    services: Services, item: str
) -> None:
    pid = await citizen(services, 501)
    await services.following.follow(pid, ["18"])
    with pytest.raises(Refused) as refused:
        await services.following.unfollow(pid, item)
    assert refused.value.code is Refusal.UNKNOWN_ITEM
    assert await services.following.followed(pid) == {"18"}


async def test_changes_reach_followers_in_one_batch_in_plan_order(
    services: Services, clock: Clock, db: Store
) -> None:
    follower, other = await citizen(services, 501), await citizen(services, 502)
    await services.following.follow(follower, ["18", "3"])
    await services.following.follow(other, ["7"])
    for item, status in (("18", "adopted"), ("3", "adopted"), ("18", "in_progress")):
        await change(services, clock, item, status)
    (batch,) = await send(services, clock)
    assert (batch.participant_id, batch.item_ids) == (follower, ("3", "18"))
    assert await rows(db, "SELECT participant_id, kind, body FROM outbox") == [
        (follower, "followers", "changed: 3, 18")
    ]
    assert await services.following.due(clock() + BATCH_INTERVAL) == [], "nothing new since"


async def test_changes_before_following_are_not_told(services: Services, clock: Clock) -> None:
    pid = await citizen(services, 501)
    await change(services, clock, "18", "adopted")
    await services.following.follow(pid, ["18"])
    assert await services.following.due(clock()) == []
    await change(services, clock, "18", "done")
    assert [b.item_ids for b in await services.following.due(clock())] == [("18",)]


@pytest.mark.parametrize(
    ("later", "told"),
    [
        (timedelta(hours=1), False),
        (timedelta(hours=23, minutes=59), False),
        (BATCH_INTERVAL, True),
    ],
)
async def test_at_most_one_batch_a_day(
    services: Services, clock: Clock, db: Store, later: timedelta, told: bool
) -> None:
    pid = await citizen(services, 501)
    await services.following.follow(pid, ["18", "3"])
    await change(services, clock, "18", "adopted")
    assert len(await send(services, clock)) == 1
    clock.now += later
    await change(services, clock, "3", "adopted")
    batches = await send(services, clock)
    assert [b.item_ids for b in batches] == ([("3",)] if told else [])
    assert await rows(db, "SELECT COUNT(*) FROM outbox") == [(1 + told,)]


async def test_unfollowed_items_and_blocked_followers_are_not_told(
    services: Services, clock: Clock
) -> None:
    stays, leaves, blocked = [await citizen(services, 500 + n) for n in range(3)]
    for pid in (stays, leaves, blocked):
        await services.following.follow(pid, ["18"])
    await services.following.unfollow(leaves, "18")
    await services.participants.mark_blocked(blocked)
    await change(services, clock, "18", "adopted")
    assert [b.participant_id for b in await services.following.due(clock())] == [stays]
