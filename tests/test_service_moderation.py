"""Moderation on a migrated database: the queue, claims on a fixed clock, decisions, appeals."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.hearing.moderation import Decided, Moderation
from bot.hearing.plan import Plan
from bot.model.refusals import Refusal, Refused
from bot.model.values import FlagReason, ModerationMode, QueueState, ReportReason, SuggestionStatus
from bot.services import Services
from storage.backend import Store
from tests.harness import INTEGRITY_ERRORS, Clock, build_services, citizen, rows, suggest

M1, M2, M3 = "moderator-1", "moderator-2", "moderator-3"
ITEM = "11"
TEXTS = (
    "Register every weapon sold in the country within a year",
    "Close the shops that sell fertiliser used in explosives without a licence",
    "Buy back unlicensed rifles at a fair price",
)


@pytest.fixture
def services(db: Store, plan: Plan, tmp_path: Path) -> Services:
    """A pre-moderated hearing: every suggestion waits in the queue for a moderator."""
    return build_services(db, plan, tmp_path, moderation_mode=ModerationMode.PRE)


@pytest.fixture
def moderation(services: Services, clock: Clock) -> Moderation:
    """Three moderators' commands on the test's clock, with the hearing's claim time."""
    claim = timedelta(minutes=services.settings.moderation_claim_minutes)
    moderators = frozenset({M1, M2, M3})
    return Moderation(services.db, services.plan, claim, clock=clock, moderators=moderators)


async def queued(services: Services, count: int = 1, author: int = 101) -> list[int]:
    """One citizen posts suggestions, each held for a moderator; return their ids."""
    pid = await citizen(services, author)
    return [await suggest(services, pid, ITEM, text) for text in TEXTS[:count]]


async def status(db: Store, sid: int) -> str:
    """A suggestion's stored status."""
    return str((await rows(db, "SELECT status FROM suggestions WHERE id = ?", sid))[0][0])


async def log_of(db: Store, sid: int) -> list[tuple[object, ...]]:
    """The moderation log's (action, actor, reason) on one suggestion, oldest first."""
    return await rows(
        db, "SELECT action, actor_id, reason FROM moderation_log WHERE suggestion_id = ?"
        " ORDER BY id", sid,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("mode", "text", "flags"),
    [
        (ModerationMode.PRE, TEXTS[0], [(FlagReason.PRE_MODERATION, None)]),
        (
            ModerationMode.POST,
            "Write to me at ali@example.com",
            [(FlagReason.PERSONAL_DATA, "email")],
        ),
        (ModerationMode.POST, "Read www.example.com first", [(FlagReason.LINK, None)]),
    ],
    ids=["pre-moderation", "email", "link"],
)
async def test_a_flagged_suggestion_waits_in_the_queue_with_why(
    db: Store, plan: Plan, tmp_path: Path, clock: Clock, mode: ModerationMode, text: str,
    flags: list[tuple[FlagReason, str | None]],
) -> None:  # fmt: skip
    services = build_services(db, plan, tmp_path, moderation_mode=mode)
    moderation = Moderation(db, plan, timedelta(minutes=15), clock=clock)
    sid = await suggest(services, await citizen(services, 101), ITEM, text)
    assert await status(db, sid) == SuggestionStatus.PENDING
    card = await moderation.next_card(M1)
    assert card is not None and card.suggestion.id == sid
    assert card.flags == tuple((reason.value, detail) for reason, detail in flags)
    assert card.waiting == 1 and not card.appealed
    assert await log_of(db, sid) == [("flagged", None, ",".join(r for r, _ in flags))]


async def test_an_unflagged_suggestion_after_the_hearing_starts_is_not_queued(
    db: Store, plan: Plan, tmp_path: Path, moderation: Moderation
) -> None:
    services = build_services(db, plan, tmp_path, moderation_mode=ModerationMode.POST)
    sid = await suggest(services, await citizen(services, 101), ITEM, TEXTS[0])
    assert await status(db, sid) == SuggestionStatus.VISIBLE
    assert await moderation.next_card(M1) is None
    # A citizen's report queues it, with the reason counted and the reporter not named.
    await services.deliberation.report(await citizen(services, 201), sid, 0, ReportReason.SPAM)
    card = await moderation.next_card(M1)
    assert card is not None and card.suggestion.id == sid and card.reports == {"spam": 1}


@pytest.mark.parametrize(("minutes", "held"), [(0, True), (14, True), (16, False)])
async def test_a_claim_keeps_other_moderators_off_until_it_expires(
    services: Services, moderation: Moderation, clock: Clock, db: Store, minutes: int,
    held: bool,
) -> None:  # fmt: skip
    (sid,) = await queued(services)
    card = await moderation.next_card(M1)
    assert card is not None and card.suggestion.id == sid
    clock.now += timedelta(minutes=minutes)
    other = await moderation.next_card(M2)
    if held:
        assert other is None
        with pytest.raises(Refused) as refused:
            await moderation.approve(M2, sid)
        assert refused.value.code is Refusal.CLAIMED_BY_OTHER
        assert await status(db, sid) == SuggestionStatus.PENDING
    else:
        assert other is not None and other.suggestion.id == sid
        await moderation.approve(M2, sid)
        assert await status(db, sid) == SuggestionStatus.VISIBLE


async def test_the_moderator_holding_a_claim_is_offered_the_item_again(
    services: Services, moderation: Moderation, clock: Clock
) -> None:
    (sid,) = await queued(services)
    await moderation.next_card(M1)
    clock.now += timedelta(minutes=10)
    again = await moderation.next_card(M1)
    assert again is not None and again.suggestion.id == sid
    clock.now += timedelta(minutes=10)  # 20 minutes after the first claim, 10 after the renewal
    assert await moderation.next_card(M2) is None


async def test_claims_give_two_moderators_two_different_items(
    services: Services, moderation: Moderation
) -> None:
    first, second = await queued(services, 2)
    one, two = await moderation.next_card(M1), await moderation.next_card(M2)
    assert one is not None and two is not None
    assert (one.suggestion.id, two.suggestion.id) == (first, second)
    assert await moderation.next_card(M3) is None


async def test_a_skipped_item_comes_last_for_the_moderator_who_skipped_it(
    services: Services, moderation: Moderation
) -> None:
    first, second = await queued(services, 2)
    await moderation.skip(M1, first)
    card = await moderation.next_card(M1)
    assert card is not None and card.suggestion.id == second
    other = await moderation.next_card(M2)
    assert other is not None and other.suggestion.id == first, "released for the others"


@pytest.mark.parametrize(
    ("decision", "state", "shown", "action"),
    [
        ("approve", QueueState.APPROVED, SuggestionStatus.VISIBLE, "approve"),
        ("hide", QueueState.HIDDEN, SuggestionStatus.HIDDEN, "hide"),
        ("ban", QueueState.HIDDEN, SuggestionStatus.HIDDEN, "hide"),
    ],
)
async def test_a_decision_sets_the_suggestion_the_queue_and_the_log(
    services: Services, moderation: Moderation, db: Store, decision: str,
    state: QueueState, shown: SuggestionStatus, action: str,
) -> None:  # fmt: skip
    (sid,) = await queued(services)
    decided = await decide(moderation, decision, M1, sid)
    assert decided.state is state and decided.suggestion_id == sid
    assert await status(db, sid) == shown
    assert decided.notice is not None and decided.notice.state is state
    reason = None if decision == "approve" else ReportReason.OFFENSIVE.value
    assert decided.notice.reason == reason
    assert (await log_of(db, sid))[1] == (action, M1, reason)
    assert [n.suggestion.id for n in await moderation.untold()] == [sid]
    await moderation.told(sid)
    assert await moderation.untold() == []


async def decide(moderation: Moderation, decision: str, moderator: str, sid: int) -> Decided:
    """Approve, hide or ban (hiding and banning for one reason)."""
    if decision == "approve":
        return await moderation.approve(moderator, sid)
    if decision == "hide":
        return await moderation.hide(moderator, sid, ReportReason.OFFENSIVE)
    return await moderation.ban(moderator, sid, ReportReason.OFFENSIVE)


async def test_a_ban_hides_the_authors_waiting_suggestions_and_refuses_new_ones(
    services: Services, moderation: Moderation, db: Store
) -> None:
    first, second, third = await queued(services, 3)
    bystander = (await queued(services, 1, author=102))[0]
    decided = await moderation.ban(M1, first, ReportReason.SPAM)
    assert decided.also_hidden == 2
    for sid in (first, second, third):
        assert await status(db, sid) == SuggestionStatus.HIDDEN
    assert await status(db, bystander) == SuggestionStatus.PENDING
    assert [n.suggestion.id for n in await moderation.untold()] == [first], "one notice"
    assert [a for a, _, _ in await log_of(db, first)] == ["flagged", "hide", "ban"]
    author = services.participants.identify(101)
    await services.walkthrough.request_suggestion(author, ITEM)
    with pytest.raises(Refused) as refused:
        await services.submissions.submit(author, "One more idea about arms control")
    assert refused.value.code is Refusal.BANNED
    assert await rows(db, "SELECT COUNT(*) FROM suggestions WHERE participant_id = ?", author) == [
        (3,)
    ]


async def test_approving_a_reported_visible_suggestion_tells_its_author_nothing(
    db: Store, plan: Plan, tmp_path: Path, moderation: Moderation
) -> None:
    services = build_services(db, plan, tmp_path)
    sid = await suggest(services, await citizen(services, 101), ITEM, TEXTS[0])
    await services.deliberation.report(await citizen(services, 201), sid, 0, ReportReason.SPAM)
    decided = await moderation.approve(M1, sid)
    assert decided.notice is None and await moderation.untold() == []
    assert await status(db, sid) == SuggestionStatus.VISIBLE


@pytest.mark.parametrize(
    ("first", "second"),
    [("approve", "hide"), ("hide", "approve"), ("hide", "hide"), ("approve", "ban")],
)
async def test_of_two_decisions_on_one_item_only_the_first_is_recorded(
    services: Services, moderation: Moderation, db: Store, first: str, second: str
) -> None:
    (sid,) = await queued(services)
    await decide(moderation, first, M1, sid)
    with pytest.raises(Refused) as refused:
        await decide(moderation, second, M2, sid)
    assert refused.value.code is Refusal.ALREADY_DECIDED
    shown = SuggestionStatus.VISIBLE if first == "approve" else SuggestionStatus.HIDDEN
    assert await status(db, sid) == shown
    assert [a for a, _, _ in await log_of(db, sid)] == ["flagged", first]
    assert await rows(db, "SELECT COUNT(*) FROM bans") == [(0,)]


async def test_two_moderators_deciding_at_once_record_one_decision(
    services: Services, moderation: Moderation, db: Store
) -> None:
    (sid,) = await queued(services)
    results = await asyncio.gather(
        moderation.approve(M1, sid),
        moderation.hide(M2, sid, ReportReason.SPAM),
        return_exceptions=True,
    )
    decided = [r for r in results if isinstance(r, Decided)]
    refused = [r for r in results if isinstance(r, Refused)]
    assert len(decided) == 1 and [r.code for r in refused] == [Refusal.ALREADY_DECIDED]
    assert len(await log_of(db, sid)) == 2, "flagged, then one decision"


@pytest.mark.parametrize("target", [999, 0, -5, "visible"])
async def test_deciding_on_what_is_not_queued_is_refused(
    db: Store, plan: Plan, tmp_path: Path, moderation: Moderation, target: int | str
) -> None:
    services = build_services(db, plan, tmp_path)
    visible = await suggest(services, await citizen(services, 101), ITEM, TEXTS[0])
    sid = visible if target == "visible" else int(target)
    for attempt in (moderation.approve(M1, sid), moderation.hide(M1, sid, ReportReason.SPAM)):
        with pytest.raises(Refused) as refused:
            await attempt
        assert refused.value.code is Refusal.UNKNOWN_SUGGESTION
    assert await status(db, visible) == SuggestionStatus.VISIBLE
    assert await rows(db, "SELECT COUNT(*) FROM moderation_log") == [(0,)]


async def test_an_appeal_goes_once_to_a_different_moderator(
    services: Services, moderation: Moderation, db: Store
) -> None:
    (sid,) = await queued(services)
    author = services.participants.identify(101)
    await moderation.hide(M1, sid, ReportReason.OFF_TOPIC)
    await moderation.appeal(author, sid)
    assert await moderation.next_card(M1) is None, "not back to the moderator who hid it"
    with pytest.raises(Refused) as refused:
        await moderation.approve(M1, sid)
    assert refused.value.code is Refusal.SECOND_REVIEW_BY_OTHER
    card = await moderation.next_card(M2)
    assert card is not None and card.suggestion.id == sid and card.appealed
    decided = await moderation.hide(M2, sid, ReportReason.OFF_TOPIC)
    assert decided.notice is not None and decided.notice.appealed
    with pytest.raises(Refused) as again:
        await moderation.appeal(author, sid)
    assert again.value.code is Refusal.ALREADY_APPEALED
    actions = [(a, actor) for a, actor, _ in await log_of(db, sid)]
    assert actions == [("flagged", None), ("hide", M1), ("appeal", author), ("hide", M2)]


@pytest.mark.parametrize(
    ("who", "target", "code"),
    [
        ("other", "hidden", Refusal.NOT_YOURS),
        ("author", "missing", Refusal.NOT_YOURS),
        ("author", "waiting", Refusal.NOT_HIDDEN),
        ("author", "approved", Refusal.NOT_HIDDEN),
    ],
)
async def test_an_appeal_on_what_is_not_ones_own_hidden_suggestion_is_refused(
    services: Services, moderation: Moderation, db: Store, who: str, target: str,
    code: Refusal,
) -> None:  # fmt: skip
    hidden, waiting, approved = await queued(services, 3)
    await moderation.hide(M1, hidden, ReportReason.SPAM)
    await moderation.approve(M1, approved)
    pid = await citizen(services, 201 if who == "other" else 101)
    sids = {"hidden": hidden, "missing": 999, "waiting": waiting, "approved": approved}
    log_before = await rows(db, "SELECT * FROM moderation_log")
    with pytest.raises(Refused) as refused:
        await moderation.appeal(pid, sids[target])
    assert refused.value.code is code
    assert await rows(db, "SELECT * FROM moderation_log") == log_before
    assert await moderation.next_card(M2) is not None and await moderation.next_card(M3) is None


@pytest.mark.parametrize(
    "sql", ["UPDATE moderation_log SET reason = 'edited'", "DELETE FROM moderation_log"]
)
async def test_the_audit_log_refuses_changes_and_deletions(
    services: Services, moderation: Moderation, db: Store, sql: str
) -> None:
    (sid,) = await queued(services)
    await moderation.hide(M1, sid, ReportReason.SPAM)
    before = await moderation.log(10)
    assert [entry.action for entry in before] == ["hide", "flagged"], "newest first"
    with pytest.raises(INTEGRITY_ERRORS, match="append-only"):
        async with db.transaction() as repos:
            await repos.conn.execute(sql)
    assert await moderation.log(10) == before
