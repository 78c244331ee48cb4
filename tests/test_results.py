"""The results page's model: what may be published, withheld below MIN_GROUP_SIZE."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from bot.hearing.erasure import Erasure
from bot.hearing.opinion_groups import GroupsOutcome
from bot.hearing.opinion_summary import Direction
from bot.hearing.participants import Participants
from bot.hearing.plan import Plan
from bot.hearing.plan_revision import PlanRevisions
from bot.hearing.responses import Decision, FollowThrough
from bot.hearing.results import ResultsPage, build_results
from bot.hearing.turnout import turnout
from storage.backend import Store
from tests.harness import SECRET
from tests.results_support import (
    ADOPTED,
    DECLINED_REASON,
    FEW_VOTES,
    HIDDEN,
    HOSTILE,
    MIN_GROUP,
    NOW,
    PENDING,
    PEOPLE,
    PROPOSAL,
    WITHDRAWN,
    camps,
    fill,
)

ZONE = "Asia/Karachi"


async def results(db: Store, plan: Plan) -> ResultsPage:
    """Build the page as the command does."""
    return await build_results(db, plan, ZONE, MIN_GROUP, NOW)


def texts(page: ResultsPage) -> list[str]:
    """Every suggestion and proposal the page quotes."""
    quoted = [s.text for item in page.items for s in item.suggestions]
    return quoted + [s.text for s in page.proposals]


async def test_a_hearing_with_no_answers_says_so(db: Store, plan: Plan) -> None:
    page = await results(db, plan)
    assert not page.answered
    assert page.turnout.total == 0 and page.turnout.periods == ()
    assert all(i.stats.answers == 0 and not i.stats.withheld for i in page.items)
    assert page.proposals == () and page.revisions == () and page.groups is None


async def test_an_item_with_one_answer_is_withheld(db: Store, plan: Plan) -> None:
    await fill(db, plan)
    page = await results(db, plan)
    one = page.item("7")
    assert one is not None and one.stats.withheld
    assert (one.stats.support, one.stats.oppose, one.stats.unsure) == (0, 0, 0)
    assert one.stats.priority_score is None and one.stats.change is None
    assert "7" not in page.most_supported + page.most_opposed + page.most_contested
    shown = page.item("1")
    assert shown is not None and shown.stats.answers == 12 and not shown.stats.withheld


async def test_only_visible_suggestions_with_enough_votes_or_an_answer_are_shown(
    db: Store, plan: Plan
) -> None:
    await fill(db, plan)
    page = await results(db, plan)
    quoted = texts(page)
    assert HOSTILE in quoted and ADOPTED in quoted and PROPOSAL in quoted
    assert not {HIDDEN, PENDING, WITHDRAWN} & set(quoted)
    item3 = page.item("3")
    assert item3 is not None
    adopted = next(s for s in item3.suggestions if s.text == ADOPTED)
    assert adopted.votes is not None and (adopted.votes.agree, adopted.votes.disagree) == (6, 2)
    assert adopted.outcome.decision is Decision.ADOPTED
    assert adopted.outcome.reply == "Thank you <b>all</b>."
    # Two votes: listed only because the drafters answered it, and its votes are withheld.
    item5 = page.item("5")
    assert item5 is not None
    [declined] = item5.suggestions
    assert declined.text == FEW_VOTES and declined.votes is None
    assert declined.outcome.decision is Decision.DECLINED
    # The drafter typed an override: stored without it (bot/hearing/typed_text.py).
    assert declined.outcome.reason == DECLINED_REASON.replace("\u202e", "")


async def test_an_answered_near_duplicate_is_listed_with_its_outcome(
    db: Store, plan: Plan
) -> None:
    await fill(db, plan)
    async with db.transaction() as repos:
        twin = await repos.suggestions.add("p05", "3", ADOPTED + " please", "visible", "v")
    await FollowThrough(db, plan).respond("drafter", twin, Decision.MERGED, "3")
    item3 = (await results(db, plan)).item("3")
    assert item3 is not None
    head = next(s for s in item3.suggestions if s.text == ADOPTED)
    assert head.writers is None, "two wrote it: fewer than a group, so not counted"
    [listed] = [s for s in item3.suggestions if s.text == ADOPTED + " please"]
    assert listed.outcome.decision is Decision.MERGED and listed.outcome.merged_into == "3"
    assert listed.votes is None


async def test_nothing_of_an_erased_participant_is_published(
    db: Store, plan: Plan, tmp_path: Path
) -> None:
    await fill(db, plan)
    before = await results(db, plan)
    erasure = Erasure(db, db.erasure_ledger(), Participants(db, SECRET))
    await erasure.erase("p00")  # wrote the hostile suggestion, answered every item
    page = await results(db, plan)
    assert HOSTILE in texts(before) and HOSTILE not in texts(page)
    item7 = page.item("7")
    assert item7 is not None and item7.stats.answers == 0, "its one answer was p00's"
    # The counts p00 was among stay as published: the page before and after must not differ
    # by one person, or it would say how p00 answered. They drop with enough other changes.
    item1 = page.item("1")
    assert item1 is not None and item1.stats.answers == 12 and page.turnout.total == 12
    assert item1.stats == replace(before.item("1").stats, as_of=item1.stats.as_of)  # type: ignore[union-attr]
    for pid in PEOPLE[8:12]:
        await erasure.erase(pid)
    later = await results(db, plan)
    item1 = later.item("1")
    assert item1 is not None and item1.stats.answers == 7 and later.turnout.total == 7


async def test_the_tracking_is_shown_with_what_is_overdue(db: Store, plan: Plan) -> None:
    await fill(db, plan)
    page = await results(db, plan)
    item3 = page.item("3")
    assert item3 is not None and item3.overdue
    assert item3.tracking.responsible == "Ministry <of> Religious Affairs"
    assert [m.current for m in item3.tracking.metrics] == [60]
    item18 = page.item("18")
    assert item18 is not None and item18.tracking.status == "done" and not item18.overdue


async def test_plan_revisions_are_listed_and_small_version_splits_withheld(
    db: Store, plan: Plan
) -> None:
    await fill(db, plan)
    text = (Path(__file__).parents[1] / "content" / "plan.md").read_text(encoding="utf-8")
    revised = text.replace("Improve precision of action", "Improve the precision of action")
    published = await PlanRevisions(db).publish(plan, text, revised)
    served = await PlanRevisions(db).served(plan)
    page = await results(db, served)
    [revision] = page.revisions
    assert revision.version == published.version and revision.previous == plan.version
    assert [(c.item_id, c.kind) for c in revision.changes] == [("6", "changed")]
    item6 = page.item("6")
    assert item6 is not None and item6.stats.answers == 12
    # Every answer was on the earlier wording, none yet on the new: no split to show, since
    # the current side (0) and the total would let a reader work out the other side.
    assert item6.versions is None


def days(*joined: tuple[int, int]) -> dict[date, int]:
    """Joiners per day of November 2026."""
    return {date(2026, 11, day): count for day, count in joined}


def test_periods_are_merged_until_each_holds_a_group() -> None:
    joined = days((1, 3), (2, 4), (5, 1), (9, 6), (10, 2))
    shown = turnout(joined, 9, date(2026, 11, 10), 5)
    assert shown.total == 16 and shown.completed == 9 and shown.unit == "day"
    assert [(p.start.day, p.end.day, p.joined, p.total) for p in shown.periods] == [
        (1, 2, 7, 7),
        (3, 10, 9, 16),
    ]
    assert all(p.joined >= 5 for p in shown.periods)


def test_too_few_people_are_not_counted_at_all() -> None:
    few = turnout(days((1, 4)), 2, date(2026, 11, 2), 5)
    assert few.withheld and few.total is None and few.periods == ()
    some = turnout(days((1, 6)), 2, date(2026, 11, 2), 5)
    assert some.total == 6 and some.completed is None, "2 finished: fewer than a group"


def test_long_hearings_are_counted_by_week_then_by_month() -> None:
    joined = {date(2026, 1, 5): 5, date(2026, 2, 20): 5}
    assert turnout(joined, 0, date(2026, 2, 25), 5).unit == "week"
    assert turnout(joined, 0, date(2026, 9, 1), 5).unit == "month"


async def test_joining_days_are_the_hearings_own(db: Store, plan: Plan) -> None:
    async with db.transaction() as repos:
        for n in range(5):
            await repos.participants.ensure(f"late-{n}")
            await repos.stances.record(f"late-{n}", "1", "support", None, plan.version)
        # 21:00 UTC on the 1st is the 2nd in Karachi (UTC+5).
        await repos.conn.execute("UPDATE participants SET created_at = '2026-11-01T21:00:00.000'")
    page = await results(db, plan)
    assert [p.start for p in page.turnout.periods] == [date(2026, 11, 2)]


async def test_opinion_groups_are_published_as_the_digest_shows_them(
    db: Store, plan: Plan
) -> None:
    await camps(db, plan)
    groups = (await results(db, plan)).groups
    assert groups is not None and groups.outcome is GroupsOutcome.GROUPS
    assert (groups.clustered, groups.merged) == (15, 0)
    assert sorted(g.size for g in groups.groups) == [7, 8]
    assert [g.label for g in groups.groups] == [0, 1]
    for group in groups.groups:
        assert group.distinctive, "each camp is set apart by the items it answered its way"
        for d in group.distinctive:
            assert min(d.inside.votes, d.outside.votes) >= MIN_GROUP
    # Both camps support item 1 and the proposal; they split on the suggestion on item 3.
    common = {(a.statement.item_id, a.statement.suggestion_id) for a in groups.consensus}
    assert ("1", None) in common and any(item == "new" for item, _ in common)
    assert all(a.direction is Direction.AGREE for a in groups.consensus)
    assert any(a.statement.text == HOSTILE for a in groups.divisive)
    for a in (*groups.consensus, *groups.divisive):
        assert [label for label, _ in a.shares] == [0, 1]
    # Nobody's group and nobody's place: the page model holds no participant at all.
    assert "camp" not in repr(groups)
    assert not {"membership", "positions"} & set(vars(groups))


async def test_too_few_participants_for_groups_is_one_line(db: Store, plan: Plan) -> None:
    await camps(db, plan, (3, 3))
    groups = (await results(db, plan)).groups
    assert groups is not None and groups.outcome is GroupsOutcome.TOO_FEW_PARTICIPANTS
    # How many voted (six) is not kept: a count under the floor is never published.
    assert (groups.clustered, groups.needed) == (0, 2 * MIN_GROUP)
    assert groups.groups == groups.consensus == groups.divisive == ()
