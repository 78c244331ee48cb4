"""A small hearing for the results page's tests: answers, hostile texts, decisions, tracking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot.hearing.plan import Plan
from bot.hearing.responses import Decision, FollowThrough
from bot.hearing.tracking import IMPORT, Tracking
from bot.model.tracking import Change, Metric, parse_metric
from storage.backend import Store

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
MIN_GROUP = 5
PEOPLE = [f"p{n:02d}" for n in range(12)]
DRAFTER = "drafter"
# Markup, a script, an event handler and a right-to-left override: all must show as text.
HOSTILE = (
    '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
    " \u202eevil\u202c <b>bold</b> & done"
)
HOSTILE_SHOWN = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
HIDDEN, PENDING, WITHDRAWN = "HIDDEN-SUGGESTION", "PENDING-SUGGESTION", "WITHDRAWN-SUGGESTION"
ADOPTED = "Register every madrasa within a year"
FEW_VOTES = "A suggestion only two people voted on"
DECLINED_REASON = "Outside this plan \u202eesrever"
PROPOSAL = "A new item: <i>victims' compensation</i>"


@dataclass(frozen=True)
class Filled:
    """The ids the tests look for."""

    hostile: int
    adopted: int
    few_votes: int


async def fill(db: Store, plan: Plan) -> Filled:
    """Twelve people answer; one item has a single answer; suggestions of every kind."""
    async with db.transaction() as repos:
        for pid in [*PEOPLE, DRAFTER]:
            await repos.participants.ensure(pid)
        for n, pid in enumerate(PEOPLE):
            for item in plan.items:
                if item.id == "7" and n:
                    continue  # item 7: one answer only
                stance = ("support", "support", "oppose", "unsure")[(n + int(item.id)) % 4]
                priority = ("high", "medium", "low")[n % 3]
                await repos.stances.record(pid, item.id, stance, priority, plan.version)
        hostile = await repos.suggestions.add("p00", "3", HOSTILE, "visible", plan.version)
        adopted = await repos.suggestions.add("p01", "3", ADOPTED, "visible", plan.version)
        few = await repos.suggestions.add("p02", "5", FEW_VOTES, "visible", plan.version)
        proposal = await repos.suggestions.add("p03", "new", PROPOSAL, "visible", plan.version)
        hidden = [
            await repos.suggestions.add("p04", "3", text, status, plan.version)
            for text, status in ((HIDDEN, "hidden"), (PENDING, "pending"),
                                 (WITHDRAWN, "withdrawn"))
        ]  # fmt: skip
        for n, pid in enumerate(PEOPLE[4:]):
            for sid in (hostile, adopted, proposal, *hidden):
                await repos.votes.record(pid, sid, "agree" if n % 4 else "disagree")
        for pid in PEOPLE[4:6]:
            await repos.votes.record(pid, few, "agree")
    follow = FollowThrough(db, plan)
    await follow.respond(DRAFTER, adopted, Decision.ADOPTED)
    await follow.respond(DRAFTER, adopted, Decision.REPLY, text="Thank you <b>all</b>.")
    await follow.respond(DRAFTER, few, Decision.DECLINED, text=DECLINED_REASON)
    metric = parse_metric("Madaris registered | % | 20 | 100")
    await Tracking(db, plan).change(
        [
            Change("3", "status", "in_progress"),
            Change("3", "responsible", "Ministry <of> Religious Affairs"),
            Change("3", "deadline", "2026-11-01"),
            Change("3", "metric", "", metric),
            Change("3", "value", "60", Metric(metric.name, "", 0, 0, 60, date(2026, 11, 20))),
            Change("18", "status", "done"),
        ],
        DRAFTER, IMPORT, NOW,
    )  # fmt: skip
    return Filled(hostile, adopted, few)


async def camps(db: Store, plan: Plan, sizes: tuple[int, int] = (8, 7)) -> None:
    """Two camps answering items 1-10 in opposite ways (item 1 alike), one item each off.

    Both agree with a proposed new item; they split on the hostile suggestion on item 3.
    """
    async with db.transaction() as repos:
        people = [[f"camp{camp}-{n:02d}" for n in range(size)] for camp, size in enumerate(sizes)]
        for camp, members in enumerate(people):
            for n, pid in enumerate(members):
                await repos.participants.ensure(pid)
                for item in range(1, 11):
                    agree = (item == 1) or ((item <= 5) == (camp == 0))
                    if item == 2 + n % 8:
                        agree = not agree
                    stance = "support" if agree else "oppose"
                    await repos.stances.record(pid, str(item), stance, None, plan.version)
        author = people[0][0]
        hostile = await repos.suggestions.add(author, "3", HOSTILE, "visible", plan.version)
        proposal = await repos.suggestions.add(author, "new", PROPOSAL, "visible", plan.version)
        for camp, members in enumerate(people):
            for pid in members:
                await repos.votes.record(pid, hostile, "agree" if camp == 0 else "disagree")
                await repos.votes.record(pid, proposal, "agree")
