"""Opinion groups over a real database: the statements, the saved state, reuse, erasure."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.hearing.digest_model import Digest, Participation
from bot.hearing.opinion_groups import GroupsOutcome, GroupsParams
from bot.hearing.opinion_service import Opinions
from bot.hearing.opinion_statements import HearingGroups, read_votes, saved_state
from bot.hearing.plan import Plan
from bot.model.reports import ChangeRow
from storage.backend import Store
from storage.clock import iso
from tests.harness import database_at

START = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def tick(self, minutes: int = 1) -> None:
        """Move the clock on."""
        self.now += timedelta(minutes=minutes)


@pytest.fixture
async def hearing_db(
    tmp_path: Path, database_url: str | None
) -> AsyncIterator[tuple[Store, Clock]]:
    """A migrated database on a clock the test moves."""
    clock = Clock()
    async with database_at(tmp_path / "hearing.db", clock) as database:
        yield database, clock


async def camps(db: Store, plan: Plan, sizes: tuple[int, int] = (8, 7)) -> None:
    """Two camps answering items 1-10 in opposite ways (item 1 alike), one item each off."""
    async with db.transaction() as repos:
        for camp, size in enumerate(sizes):
            for n in range(size):
                pid = f"camp{camp}-{n:02d}"
                await repos.participants.ensure(pid)
                for item in range(1, 11):
                    agree = (item == 1) or ((item <= 5) == (camp == 0))
                    if item == 2 + n % 8:
                        agree = not agree
                    stance = "support" if agree else "oppose"
                    await repos.stances.record(pid, str(item), stance, None, plan.version)


def digest_with(groups: HearingGroups) -> Digest:
    """A bare digest carrying opinion groups (what the ledger records)."""
    return Digest("T", None, START, Participation(0, 0, 0, 0, 0), (), (), (), (), opinion=groups)


async def test_statements_are_items_and_suggestions_keyed_apart(
    hearing_db: tuple[Store, Clock], plan: Plan
) -> None:
    db, _ = hearing_db
    async with db.transaction() as repos:
        for pid in ("p1", "p2"):
            await repos.participants.ensure(pid)
        await repos.stances.record("p1", "5", "support", None, plan.version)
        await repos.stances.record("p1", "6", "oppose", None, plan.version)
        await repos.stances.record("p2", "5", "unsure", None, plan.version)
        await repos.stances.record("p2", "99", "support", None, plan.version)  # not in the plan
        shown = await repos.suggestions.add("p1", "5", "Shown", "visible", plan.version)
        hidden = await repos.suggestions.add("p1", "5", "Hidden", "visible", plan.version)
        gone = await repos.suggestions.add("p1", "5", "Withdrawn", "visible", plan.version)
        await repos.votes.record("p2", shown, "agree")
        await repos.votes.record("p2", hidden, "disagree")
        await repos.votes.record("p2", gone, "pass")
        await repos.suggestions.set_status(hidden, "hidden")
        await repos.suggestions.set_status(gone, "withdrawn")
    async with db.reading() as repos:
        votes = await read_votes(repos, plan)
    assert sorted(votes.votes) == sorted([
        ("p1", "item-5", 1), ("p1", "item-6", -1), ("p2", "item-5", 0),
        ("p2", f"s-{shown}", 1), ("p2", f"s-{hidden}", -1), ("p2", f"s-{gone}", 0),
    ])  # fmt: skip
    # Pol.is's rule for moderated-out comments: counted as votes, never described.
    assert votes.moderated_out == {f"s-{hidden}", f"s-{gone}"}


async def test_an_answer_on_wording_since_changed_does_not_count(
    hearing_db: tuple[Store, Clock], plan: Plan
) -> None:
    db, clock = hearing_db
    async with db.transaction() as repos:
        await repos.participants.ensure("p1")
        await repos.stances.record("p1", "5", "support", None, "old")
        await repos.stances.record("p1", "6", "support", None, "old")
        await repos.plan_versions.add("old", "old text", None, True)
    clock.tick()
    async with db.transaction() as repos:
        await repos.plan_versions.add(plan.version, "new text", "old")
        await repos.plan_versions.add_changes(
            [ChangeRow(plan.version, "5", "changed", "before", "after", None)]
        )
        await repos.stances.record("p1", "7", "oppose", None, plan.version)
    async with db.reading() as repos:
        votes = await read_votes(repos, plan)
    assert sorted(votes.votes) == [("p1", "item-6", 1), ("p1", "item-7", -1)]


async def test_the_digest_keeps_its_state_for_the_next(
    hearing_db: tuple[Store, Clock], plan: Plan
) -> None:
    db, clock = hearing_db
    await camps(db, plan)
    opinions = Opinions(db, plan, min_group_size=5)
    groups = await opinions.current(fresh=True)
    assert groups.result.outcome is GroupsOutcome.GROUPS
    assert sorted(g.size for g in groups.result.groups) == [7, 8]
    async with db.transaction() as repos:
        first = await repos.digests.add("slot-1", (None, iso(clock())), "{}", None, [])
        assert first is not None
        await opinions.record(repos, first, digest_with(groups))
        await opinions.record(repos, first, digest_with(groups))  # recorded once
    async with db.reading() as repos:
        state = await saved_state(repos)
    assert dict(state.membership) == dict(groups.result.membership)
    assert (state.last_k, state.smoothed_k) == (2, 2)
    # A second digest: only its members are kept.
    clock.tick()
    async with db.transaction() as repos:
        second = await repos.digests.add("slot-2", (None, iso(clock())), "{}", None, [])
        assert second is not None
        await opinions.record(repos, second, digest_with(groups))
    rows = await _rows(db, "SELECT DISTINCT digest_id FROM opinion_members")
    assert rows == [(second,)]
    smoother = await _rows(db, "SELECT smoother FROM opinion_runs ORDER BY digest_id")
    assert json.loads(str(smoother[0][0])) == {"last_k": 2, "last_k_count": 1, "smoothed_k": 2}


async def test_nothing_is_kept_when_no_groups_were_found(
    hearing_db: tuple[Store, Clock], plan: Plan
) -> None:
    db, clock = hearing_db
    await camps(db, plan, (2, 2))
    opinions = Opinions(db, plan, min_group_size=5)
    groups = await opinions.current()
    assert groups.result.outcome is GroupsOutcome.TOO_FEW_PARTICIPANTS and not groups.found
    assert groups.place_of("camp0-00").label is None
    async with db.transaction() as repos:
        digest_id = await repos.digests.add("slot", (None, iso(clock())), "{}", None, [])
        assert digest_id is not None
        await opinions.record(repos, digest_id, digest_with(groups))
    assert await _rows(db, "SELECT * FROM opinion_runs") == []


async def test_someone_erased_since_the_votes_were_read_is_not_kept(
    hearing_db: tuple[Store, Clock], plan: Plan
) -> None:
    db, clock = hearing_db
    await camps(db, plan)
    opinions = Opinions(db, plan, min_group_size=5)
    groups = await opinions.current()
    clock.tick()
    async with db.transaction() as repos:
        await repos.personal.erase("camp0-03", iso(clock()))
        digest_id = await repos.digests.add("slot", (None, iso(clock())), "{}", None, [])
        assert digest_id is not None
        await opinions.record(repos, digest_id, digest_with(groups))
    kept = {str(r[0]) for r in await _rows(db, "SELECT participant_id FROM opinion_members")}
    assert len(kept) == 14 and "camp0-03" not in kept


async def test_groups_are_found_again_only_when_something_changed(
    hearing_db: tuple[Store, Clock], plan: Plan
) -> None:
    db, clock = hearing_db
    await camps(db, plan)
    opinions = Opinions(db, plan, min_group_size=5)
    first = await opinions.current()
    assert await opinions.current() is first, "nothing changed: the same result"
    async with db.transaction() as repos:
        await repos.stances.record("camp0-00", "10", "support", None, plan.version)
    # One person's new answer: shown again as it was, or comparing the two would tell it.
    assert await opinions.current(fresh=True) is first
    async with db.transaction() as repos:
        for n in range(1, 5):
            await repos.stances.record(f"camp0-0{n}", "10", "support", None, plan.version)
    changed = await opinions.current(fresh=True)
    assert changed is not first, "five people answered since: found anew"
    assert await opinions.current() is changed
    clock.tick()
    async with db.transaction() as repos:
        await repos.personal.erase("camp1-00", iso(clock()))
    after = await opinions.current()
    assert after is not changed and "camp1-00" not in after.result.membership


async def test_a_participant_learns_their_own_place_only(
    hearing_db: tuple[Store, Clock], plan: Plan
) -> None:
    db, _ = hearing_db
    await camps(db, plan)
    opinions = Opinions(db, plan, min_group_size=5)
    mine = await opinions.place_of("camp1-02")
    groups = mine.groups.result
    assert mine.label == groups.membership["camp1-02"] and mine.counted == 10
    assert mine.size == next(g.size for g in groups.groups if g.label == mine.label)
    assert mine.position == groups.positions["camp1-02"]
    stranger = await opinions.place_of("nobody")
    assert (stranger.label, stranger.position, stranger.counted, stranger.size) == (
        None, None, 0, 0
    )  # fmt: skip


async def test_a_large_floor_leaves_one_group_with_the_small_one_counted_in(
    hearing_db: tuple[Store, Clock], plan: Plan
) -> None:
    db, _ = hearing_db
    await camps(db, plan, (12, 6))
    groups = await Opinions(db, plan, min_group_size=8).current()
    result = groups.result
    assert result.outcome is GroupsOutcome.ONE_GROUP and result.merged == 1
    assert [g.size for g in result.groups] == [18]
    assert groups.params == replace(GroupsParams(), min_group_size=8)


async def _rows(db: Store, sql: str) -> list[tuple[object, ...]]:
    async with db.reading() as repos:
        return [tuple(row) for row in await repos.opinions.fetch_all(sql)]
