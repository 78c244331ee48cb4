"""The digest's figures from a real database, its schedule arithmetic, and its rendering."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.hearing.digest import DigestBuilder, stats_snapshot
from bot.hearing.digest_model import Digest, ItemStats, Participation, SuggestionGroup
from bot.hearing.digest_schedule import latest_slot
from bot.hearing.plan import Plan
from bot.model.reports import TalliedSuggestion
from bot.views.digest import render_digest
from bot.views.links import Links
from bot.views.new_suggestions import NEW_LISTED
from bot.views.texts import load_texts
from storage.backend import Store
from storage.repositories import Repositories

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


async def seed(
    repos: Repositories, people: int, item: str, stance: str, priority: str | None
) -> None:
    """Give `people` new participants the same answer on one item."""
    for n in range(people):
        pid = f"p-{item}-{stance}-{n}"
        await repos.participants.ensure(pid)
        await repos.stances.record(pid, item, stance, priority, "v")


async def suggestion(repos: Repositories, author: str, item: str, text: str, votes: str) -> int:
    """Add a suggestion and votes on it: 'a' agree, 'd' disagree, 'p' pass, one voter each."""
    await repos.participants.ensure(author)
    sid = await repos.suggestions.add(author, item, text, "visible", "v")
    names = {"a": "agree", "d": "disagree", "p": "pass"}
    for n, code in enumerate(votes):
        voter = f"voter-{n}"
        await repos.participants.ensure(voter)
        await repos.votes.record(voter, sid, names[code])
    return sid


async def test_items_are_counted_ranked_and_scored(db: Store, plan: Plan) -> None:
    async with db.transaction() as repos:
        await seed(repos, 8, "1", "support", "high")
        await seed(repos, 2, "1", "oppose", "low")
        await seed(repos, 5, "2", "support", "medium")
        await seed(repos, 5, "2", "oppose", "medium")
        await seed(repos, 6, "3", "oppose", "high")
        await seed(repos, 1, "3", "unsure", None)
    digest = await DigestBuilder(db, plan).build(None, NOW)
    one, two, three = (digest.item(i) for i in ("1", "2", "3"))
    assert one is not None and two is not None and three is not None
    assert (one.support, one.oppose, one.unsure) == (8, 2, 0)
    assert one.priority_score == pytest.approx(80.0)
    assert two.priority_score == pytest.approx(50.0)
    assert three.priority_score == pytest.approx(100.0), "answers without priority don't count"
    assert digest.item("20") is not None and digest.item("20").answers == 0  # type: ignore[union-attr]
    assert digest.most_supported[0] == "1"
    assert digest.most_opposed[0] == "3"
    assert digest.most_contested == ("2",)
    assert digest.participation.total == 27


async def test_change_since_the_previous_digest(db: Store, plan: Plan) -> None:
    async with db.transaction() as repos:
        await seed(repos, 3, "5", "support", "high")
    builder = DigestBuilder(db, plan)
    first = await builder.build(None, NOW)
    assert first.item("5").change is None, "no earlier digest to compare with"  # type: ignore[union-attr]
    async with db.transaction() as repos:
        await seed(repos, 2, "5", "oppose", "low")
    second = await builder.build(NOW, NOW, stats_snapshot(first))
    assert second.item("5").change == (0, 2, 0)  # type: ignore[union-attr]


async def test_best_suggestions_group_near_duplicates(db: Store, plan: Plan) -> None:
    async with db.transaction() as repos:
        best = await suggestion(
            repos, "a", "3", "All madaris must be registered with the govt", "aaaad"
        )
        near = await suggestion(
            repos, "b", "3", "All madaris must be registered with government", "a"
        )
        other = await suggestion(repos, "c", "3", "Teach science in every madrassa", "aad")
        await suggestion(repos, "d", "3", "Too few votes to rank", "a")
        proposal = await suggestion(repos, "e", "new", "Protect judges and jail staff", "")
        await repos.participants.ensure("f")
        await repos.suggestions.add("f", "3", "waiting for a moderator", "pending", "v")
    digest = await DigestBuilder(db, plan).build(None, NOW)
    groups = digest.best_suggestions["3"]
    assert [g.suggestion_id for g in groups] == [best, other]
    assert groups[0].similar == (near,) and groups[0].writers == 2
    assert (groups[0].agree, groups[0].disagree, groups[0].score) == (4, 1, 3)
    assert [g.suggestion_id for g in digest.proposals] == [proposal]
    assert digest.awaiting_moderation == 1
    assert digest.reported == 0


async def test_reported_suggestions_are_counted(db: Store, plan: Plan) -> None:
    async with db.transaction() as repos:
        sid = await suggestion(repos, "a", "10", "Punish the named journalists", "")
        for reporter in ("r1", "r2"):
            await repos.participants.ensure(reporter)
            await repos.votes.report(reporter, sid, "spam")
    digest = await DigestBuilder(db, plan).build(None, NOW)
    assert digest.reported == 1


async def test_participation_in_a_period(db: Store, plan: Plan) -> None:
    async with db.transaction() as repos:
        await seed(repos, 2, "1", "support", "high")
        # These two took part before the period: move their activity back in time.
        for table, column in (("participants", "created_at"), ("stance_history", "recorded_at")):
            await repos.conn.execute(f"UPDATE {table} SET {column} = '2026-01-01T00:00:00.000'")
        await seed(repos, 3, "2", "unsure", "low")
        await repos.participants.mark_completed("p-2-unsure-0")
    start = datetime(2026, 6, 1, tzinfo=UTC)
    digest = await DigestBuilder(db, plan).build(start, datetime.now(UTC))
    p = digest.participation
    assert (p.active, p.total, p.completed) == (3, 5, 1)


KARACHI = ZoneInfo("Asia/Karachi")
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("now", "zone", "expected"),
    [
        (datetime(2026, 11, 27, 20, 0, tzinfo=KARACHI), KARACHI, datetime(2026, 11, 27, 20, 0)),
        (datetime(2026, 11, 27, 19, 59, tzinfo=KARACHI), KARACHI, datetime(2026, 11, 26, 20, 0)),
        (datetime(2026, 11, 28, 0, 30, tzinfo=KARACHI), KARACHI, datetime(2026, 11, 27, 20, 0)),
        (datetime(2026, 11, 27, 15, 0, tzinfo=UTC), KARACHI, datetime(2026, 11, 27, 20, 0)),
        (datetime(2026, 3, 29, 20, 30, tzinfo=LONDON), LONDON, datetime(2026, 3, 29, 20, 0)),
    ],
)
def test_latest_slot(now: datetime, zone: ZoneInfo, expected: datetime) -> None:
    slot = latest_slot(now, time(20, 0), zone)
    assert slot.replace(tzinfo=None) == expected
    assert slot.tzinfo == zone


def test_a_long_digest_is_split_between_items() -> None:
    t = load_texts()
    long_text = "A suggestion with a great deal to say about the plan, " * 3
    items = tuple(
        ItemStats(str(n), str(n), f"Item {n} text " * 10, 10, 5, 2, 60.0, (1, 0, -1))
        for n in range(1, 41)
    )
    best = {
        str(n): tuple(
            SuggestionGroup(n * 10 + k, str(n), f"<{k}> & more: {long_text}", 5, 1, 0, (99,))
            for k in range(3)
        )
        for n in range(1, 41)
    }
    digest = Digest("Plan", None, NOW, Participation(1, 2, 3, 4, 5), items, ("1",), ("2",), (),
                    best)  # fmt: skip
    messages = render_digest(t, digest, "Asia/Karachi", Links("hearing_bot"))
    assert len(messages) > 3
    for message in messages:
        plain = html.unescape(re.sub(r"<[^>]+>", "", message))
        assert len(plain.encode("utf-16-le")) // 2 <= 4096
    for n in range(1, 41):
        holding = [m for m in messages if f"<b>{n}.</b> Item {n} text" in m]
        assert len(holding) == 1, f"item {n} is whole in exactly one message"
        assert holding[0].count(f"start=d-{n * 10}") == 1, "its suggestions travel with it"
    assert "&lt;0&gt; &amp; more" in messages[1]
    assert "2 people wrote something similar" in messages[1]


async def test_new_suggestions_are_those_first_shown_in_the_period(db: Store, plan: Plan) -> None:
    async with db.transaction() as repos:
        old = await suggestion(repos, "a", "3", "Old and voted", "aa")
        await repos.conn.execute(  # posted before the period
            "UPDATE suggestions SET created_at = '2026-01-01T00:00:00.000+00:00' WHERE id = ?",
            (old,),
        )
    middle = datetime(2026, 6, 1, tzinfo=UTC)
    async with db.transaction() as repos:
        new = await suggestion(repos, "b", "5", "New, never voted", "")
        proposal = await suggestion(repos, "c", "new", "A proposed item", "")
        first = await suggestion(repos, "d", "1", "New on item 1", "a")
        await repos.participants.ensure("e")
        held = await repos.suggestions.add("e", "2", "Held for a moderator", "pending", "v")
        await repos.moderation.add_flags(held, [("link", None)])
    digest = await DigestBuilder(db, plan).build(middle, datetime.now(UTC))
    assert [s.id for s in digest.new_suggestions] == [first, new, proposal], "the plan's order"
    assert digest.new_waiting == 1
    since_start = await DigestBuilder(db, plan).build(None, datetime.now(UTC))
    assert [s.id for s in since_start.new_suggestions] == [first, old, new, proposal]


def test_a_long_list_of_new_suggestions_is_split_and_capped() -> None:
    t = load_texts()
    items = tuple(ItemStats(str(n), str(n), f"Item {n}", 0, 0, 0, None) for n in range(1, 4))
    text = "A new suggestion with a great deal to say about the plan and its items " * 3
    # As published: the votes on those fewer than 5 people voted on are withheld.
    new = tuple(TalliedSuggestion(k, str(1 + k % 3), f"{k}: {text}", k % 7, 1, 0, k % 7 < 4)
                for k in range(1, 121))  # fmt: skip
    digest = Digest("Plan", None, NOW, Participation(1, 2, 3, 4, 5), items, (), (), (),
                    new_suggestions=new, min_group=5)  # fmt: skip
    messages = render_digest(t, digest, "Asia/Karachi", Links("hearing_bot"))
    for message in messages:
        plain = html.unescape(re.sub(r"<[^>]+>", "", message))
        assert len(plain.encode("utf-16-le")) // 2 <= 4096
    joined = "\n".join(messages)
    listed = re.findall(r"start=d-(\d+)", joined)
    assert len(listed) == NEW_LISTED and len(set(listed)) == NEW_LISTED
    assert f"… and {120 - NEW_LISTED} more: /suggestions" in joined
    assert "👍 6 👎 1" in joined and "🗳 fewer than 5" in joined, "the split from 5 votes on"
