"""The one rule for figures about people: small groups withheld, no two releases one person apart.

Each test plays a drafter comparing what two publications showed (a digest, `/digest`, a
results page, `/suggestions`) around a few citizens' answers, and checks that the difference
never covers fewer than MIN_GROUP_SIZE people.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.hearing.digest import DigestBuilder, stats_snapshot
from bot.hearing.digest_model import Digest, ItemStats
from bot.hearing.plan import Plan
from bot.hearing.publishable import Publisher
from storage.db import Database
from storage.repositories import Repositories

K = 5
ITEM = "5"
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
LATER = datetime(2100, 1, 1, tzinfo=UTC)  # after the rows stamped by the system clock


async def answer(db: Database, plan: Plan, *people: tuple[str, str]) -> None:
    """Record each (participant, stance) on ITEM."""
    async with db.transaction() as repos:
        for pid, stance in people:
            await repos.participants.ensure(pid)
            await repos.stances.record(pid, ITEM, stance, "high", plan.version)


def split(digest: Digest) -> ItemStats:
    stats = digest.item(ITEM)
    assert stats is not None
    return stats


def counts(stats: ItemStats) -> tuple[int, int, int]:
    return stats.support, stats.oppose, stats.unsure


async def test_a_split_of_five_shows_no_change_from_the_withheld_four(
    db: Database, plan: Plan
) -> None:
    builder = DigestBuilder(db, plan, min_group=K)
    await answer(db, plan, *[(f"p{n}", "support") for n in range(3)], ("p3", "oppose"))
    four = await builder.build(None, NOW)
    assert split(four).withheld
    await answer(db, plan, ("p4", "oppose"))
    five = await builder.build(NOW, NOW, stats_snapshot(four))
    assert counts(split(five)) == (3, 2, 0)
    # A "+1 oppose" here would say how the fifth person answered, and so how the four did.
    assert split(five).change is None, "the four were never shown: no change to show"


async def test_one_more_answer_leaves_every_figure_as_it_was_shown(
    db: Database, plan: Plan
) -> None:
    builder = DigestBuilder(db, plan, min_group=K)
    await answer(db, plan, *[(f"p{n}", "support") for n in range(6)])
    first = await builder.build(None, NOW)
    await answer(db, plan, ("late", "oppose"))
    again = await builder.build(None, NOW)
    assert split(again) == split(first) and again.participation == first.participation
    assert (split(again).priority_score, again.most_supported) == (100.0, first.most_supported)


@pytest.mark.parametrize("changes", [K - 1, K])
async def test_a_figure_is_published_again_once_enough_people_changed_it(
    db: Database, plan: Plan, changes: int
) -> None:
    builder = DigestBuilder(db, plan, min_group=K)
    await answer(db, plan, *[(f"p{n}", "support") for n in range(6)])
    first = await builder.build(None, NOW)
    # New answers and changed ones both count; each person once.
    await answer(db, plan, *[(f"p{n}", "oppose") for n in range(changes - 1)], ("new", "unsure"))
    second = await builder.build(NOW, NOW, stats_snapshot(first))
    if changes < K:
        assert counts(split(second)) == (6, 0, 0) and split(second).change == (0, 0, 0)
    else:
        assert counts(split(second)) == (2, 4, 1) and split(second).change == (-4, 4, 1)


async def test_changing_an_answer_and_back_is_no_change(db: Database, plan: Plan) -> None:
    builder = DigestBuilder(db, plan, min_group=K)
    await answer(db, plan, *[(f"p{n}", "support") for n in range(6)])
    first = await builder.build(None, NOW)
    for stance in ("oppose", "support"):
        await answer(db, plan, *[(f"p{n}", stance) for n in range(4)])
    await answer(db, plan, ("new", "oppose"))  # the only real change: one person
    assert split(await builder.build(None, NOW)) == split(first)


async def test_an_erasure_is_a_change_like_any_other(db: Database, plan: Plan) -> None:
    builder = DigestBuilder(db, plan, min_group=K)
    await answer(db, plan, *[(f"p{n}", "support") for n in range(8)])
    first = await builder.build(None, NOW)
    async with db.transaction() as repos:
        await repos.personal.erase("p0", repos.stances.timestamp())
    assert counts(split(await builder.build(None, NOW))) == (8, 0, 0), "shown as it was"
    await answer(db, plan, *[(f"q{n}", "oppose") for n in range(4)])
    later = await builder.build(NOW, NOW, stats_snapshot(first))
    assert counts(split(later)) == (7, 4, 0) and split(later).change == (-1, 4, 0)


async def test_a_figure_that_falls_under_the_floor_is_withheld(db: Database, plan: Plan) -> None:
    builder = DigestBuilder(db, plan, min_group=K)
    await answer(db, plan, *[(f"p{n}", "support") for n in range(5)])
    first = await builder.build(None, NOW)
    async with db.transaction() as repos:
        for n in range(5):
            await repos.personal.erase(f"p{n}", repos.stances.timestamp())
    await answer(db, plan, ("new", "oppose"))
    later = await builder.build(NOW, NOW, stats_snapshot(first))
    assert split(later).withheld and split(later).change is None


async def test_head_counts_are_withheld_then_move_in_steps_of_a_group(
    db: Database, plan: Plan
) -> None:
    builder = DigestBuilder(db, plan, min_group=K)
    await answer(db, plan, *[(f"p{n}", "support") for n in range(4)])
    few = (await builder.build(None, LATER)).participation
    assert (few.total, few.active) == (None, None), "four people: fewer than a group"
    await answer(db, plan, ("p4", "support"))
    five = await builder.build(None, NOW)
    assert (five.participation.total, five.participation.total_change) == (5, None)
    await answer(db, plan, *[(f"q{n}", "support") for n in range(4)])
    same = await builder.build(NOW, NOW, stats_snapshot(five))
    assert same.participation.total == 5 and same.participation.total_change == 0
    await answer(db, plan, ("q4", "oppose"))
    ten = await builder.build(NOW, NOW, stats_snapshot(five))
    assert ten.participation.total == 10 and ten.participation.total_change == 5


async def vote(repos: Repositories, sid: int, voters: range, value: str = "agree") -> None:
    for n in voters:
        await repos.participants.ensure(f"v{n}")
        await repos.votes.record(f"v{n}", sid, value)


async def test_votes_on_a_suggestion_follow_the_same_rule(db: Database, plan: Plan) -> None:
    async with db.transaction() as repos:
        await repos.participants.ensure("author")
        sid = await repos.suggestions.add("author", ITEM, "Publish the list", "visible", "v")
        await vote(repos, sid, range(4))
        assert (await Publisher.within(repos, K).votes([sid]))[sid].withheld, "four voters"
        await vote(repos, sid, range(4, 6), "disagree")
        six = (await Publisher.within(repos, K).votes([sid]))[sid]
        assert six.figures is not None and (six.figures.agree, six.figures.disagree) == (4, 2)
        await vote(repos, sid, range(6, 7), "disagree")
        await vote(repos, sid, range(0, 3), "pass")  # three changed votes
        await vote(repos, sid, range(0, 1), "agree")  # and one changed back: not a change
        again = (await Publisher.within(repos, K).votes([sid]))[sid]
        assert (again.figures, again.at) == (six.figures, six.at), "three changed: too few"
        await vote(repos, sid, range(1, 2), "agree")  # changed back too: two changes left
        await vote(repos, sid, range(7, 10), "agree")  # and three new voters
        fresh = (await Publisher.within(repos, K).votes([sid]))[sid]
        assert fresh.fresh and fresh.figures is not None
        assert (fresh.figures.agree, fresh.figures.disagree, fresh.figures.passed) == (6, 3, 1)
