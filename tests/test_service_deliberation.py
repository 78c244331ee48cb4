"""Deliberation on a migrated database: cards to vote on, votes and their history, withdrawal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.hearing.deliberation import Deliberation
from bot.hearing.plan import Plan
from bot.model.refusals import Refusal, Refused
from bot.model.values import ReportReason, SuggestionStatus, Vote
from bot.services import Services
from storage.backend import Store
from storage.votes import HISTORY_KEPT
from tests.harness import citizen, rows, suggest

ITEM = "4"
TEXTS = (
    "Open schools and clinics in the villages the army has cleared",
    "Pay compensation to families whose homes were damaged in operations",
    "Hire young people from the tribal areas into the local police",
)


async def three_suggestions(services: Services) -> tuple[list[str], list[int]]:
    """Three citizens each post one suggestion on the item; return their ids and the posts'."""
    authors = [await citizen(services, 100 + n) for n in range(3)]
    sids = [
        await suggest(services, pid, ITEM, text) for pid, text in zip(authors, TEXTS, strict=True)
    ]
    return authors, sids


async def history(db: Store, pid: str, sid: int) -> list[str]:
    """A voter's votes on one suggestion over time."""
    found = await rows(
        db, "SELECT vote FROM vote_history WHERE participant_id = ? AND suggestion_id = ?"
        " ORDER BY id", pid, sid,
    )  # fmt: skip
    return [str(vote) for (vote,) in found]


async def test_first_card_offers_the_fewest_voted_then_the_oldest(services: Services) -> None:
    _, (first, second, third) = await three_suggestions(services)
    voters = [await citizen(services, 200 + n) for n in range(3)]
    # The first suggestion gets two votes, the second one, the third none.
    for voter in voters[:2]:
        await services.deliberation.cast_vote(voter, first, Vote.AGREE, 0)
    await services.deliberation.cast_vote(voters[2], second, Vote.DISAGREE, 0)
    reader = await citizen(services, 300)
    card = await services.deliberation.first_card(reader, ITEM)
    assert card is not None and card.suggestion.id == third
    assert card.vote is None and card.left == services.settings.votes_per_item - 1
    voted = await services.deliberation.cast_vote(reader, third, Vote.PASS, card.left)
    # Now the second and third have one vote each: the reader voted the third, so the second.
    assert voted.next is not None and voted.next.suggestion.id == second
    voted = await services.deliberation.cast_vote(reader, second, Vote.AGREE, voted.next.left)
    assert voted.next is not None and voted.next.suggestion.id == first
    assert voted.next.left == 0


async def hide(services: Services, sid: int, _: str) -> None:
    """A moderator hides the suggestion after another citizen reported it."""
    reporter = await citizen(services, 400)
    await services.deliberation.report(reporter, sid, 0, ReportReason.SPAM)
    await services.moderation.hide("moderator", sid, ReportReason.SPAM)


async def withdraw(services: Services, sid: int, _: str) -> None:
    """Its author withdraws it."""
    author = await rows(services.db, "SELECT participant_id FROM suggestions WHERE id = ?", sid)
    await services.deliberation.withdraw(str(author[0][0]), sid)


async def vote(services: Services, sid: int, voter: str) -> None:
    """The voter has voted on it already."""
    await services.deliberation.cast_vote(voter, sid, Vote.DISAGREE, 0)


async def report(services: Services, sid: int, voter: str) -> None:
    """The voter has reported it."""
    await services.deliberation.report(voter, sid, 0, ReportReason.OFF_TOPIC)


Exclusion = Callable[[Services, int, str], Awaitable[None]]


@pytest.mark.parametrize(
    "exclude", [hide, withdraw, vote, report], ids=["hidden", "withdrawn", "voted", "reported"]
)
async def test_first_card_never_offers_what_cannot_be_voted_on(
    services: Services, exclude: Exclusion
) -> None:
    author, voter = await citizen(services, 101), await citizen(services, 201)
    sid = await suggest(services, author, ITEM, TEXTS[0])
    card = await services.deliberation.first_card(voter, ITEM)
    assert card is not None and card.suggestion.id == sid, "offered before"
    await exclude(services, sid, voter)
    assert await services.deliberation.first_card(voter, ITEM) is None


async def test_first_card_never_offers_a_citizen_their_own(services: Services) -> None:
    author, other = await citizen(services, 101), await citizen(services, 201)
    sid = await suggest(services, author, ITEM, TEXTS[0])
    assert await services.deliberation.first_card(author, ITEM) is None
    card = await services.deliberation.first_card(other, ITEM)
    assert card is not None and card.suggestion.id == sid


async def test_no_cards_when_the_hearing_offers_none_per_item(
    services: Services, db: Store, plan: Plan
) -> None:
    author, voter = await citizen(services, 101), await citizen(services, 201)
    await suggest(services, author, ITEM, TEXTS[0])
    assert await Deliberation(db, plan, cards_per_item=0).first_card(voter, ITEM) is None


@pytest.mark.parametrize(("first", "then"), [(Vote.AGREE, Vote.DISAGREE), (Vote.PASS, Vote.AGREE)])
async def test_changing_a_vote_keeps_the_history(
    services: Services, db: Store, first: Vote, then: Vote
) -> None:
    _, (sid, *_) = await three_suggestions(services)
    voter = await citizen(services, 201)
    voted = await services.deliberation.cast_vote(voter, sid, first, 2)
    assert voted.card.vote is first and voted.next is not None, "a first vote offers the next"
    changed = await services.deliberation.cast_vote(voter, sid, then, 2)
    assert changed.card.vote is then
    assert changed.next is None, "a changed vote is a revisit: no further cards"
    assert await history(db, voter, sid) == [first.value, then.value]
    assert await rows(db, "SELECT vote FROM votes WHERE participant_id = ?", voter) == [
        (then.value,)
    ]


async def test_flipping_a_vote_back_and_forth_keeps_a_bounded_history(
    services: Services, db: Store
) -> None:
    _, (sid, *_) = await three_suggestions(services)
    voter = await citizen(services, 201)
    for vote in [Vote.AGREE, Vote.DISAGREE] * 50:
        await services.deliberation.cast_vote(voter, sid, vote, 0)
    kept = await history(db, voter, sid)
    assert len(kept) == HISTORY_KEPT, "a hundred changes, a bounded number of rows"
    assert kept[0] == "agree" and kept[-1] == "disagree", "the first vote and the latest stay"
    others = await rows(db, "SELECT COUNT(*) FROM vote_history WHERE participant_id <> ?", voter)
    assert others == [(0,)], "nobody else's history is touched"


@pytest.mark.parametrize("choice", list(Vote))
async def test_the_same_vote_twice_is_refused_and_changes_nothing(
    services: Services, db: Store, choice: Vote
) -> None:
    _, (sid, *_) = await three_suggestions(services)
    voter = await citizen(services, 201)
    await services.deliberation.cast_vote(voter, sid, choice, 0)
    with pytest.raises(Refused) as refused:
        await services.deliberation.cast_vote(voter, sid, choice, 0)
    assert refused.value.code is Refusal.ALREADY_VOTED
    assert await history(db, voter, sid) == [choice.value]


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ("missing", Refusal.UNKNOWN_SUGGESTION),
        ("zero", Refusal.UNKNOWN_SUGGESTION),
        ("negative", Refusal.UNKNOWN_SUGGESTION),
        ("own", Refusal.OWN_SUGGESTION),
        ("withdrawn", Refusal.SUGGESTION_GONE),
        ("hidden", Refusal.SUGGESTION_GONE),
    ],
)
async def test_a_vote_on_what_cannot_be_voted_on_is_refused_and_stores_nothing(
    services: Services, db: Store, target: str, code: Refusal
) -> None:
    authors, (sid, *_) = await three_suggestions(services)
    voter = await citizen(services, 201)
    if target == "withdrawn":
        await services.deliberation.withdraw(authors[0], sid)
    elif target == "hidden":
        await hide(services, sid, voter)
    ids = {"missing": 999, "zero": 0, "negative": -1}
    who = authors[0] if target == "own" else voter
    with pytest.raises(Refused) as refused:
        await services.deliberation.cast_vote(who, ids.get(target, sid), Vote.AGREE, 2)
    assert refused.value.code is code
    assert await rows(db, "SELECT * FROM votes") == []
    assert await rows(db, "SELECT * FROM vote_history") == []


async def test_withdrawing_hides_a_suggestion_and_keeps_its_votes(
    services: Services, db: Store
) -> None:
    authors, (sid, *_) = await three_suggestions(services)
    voter = await citizen(services, 201)
    await services.deliberation.cast_vote(voter, sid, Vote.AGREE, 0)
    withdrawn = await services.deliberation.withdraw(authors[0], sid)
    assert withdrawn.id == sid
    status = await rows(db, "SELECT status FROM suggestions WHERE id = ?", sid)
    assert status == [(SuggestionStatus.WITHDRAWN.value,)]
    (own,) = await services.deliberation.mine(authors[0])
    assert own.tally is None, "one vote: fewer than MIN_GROUP_SIZE, so not shown"
    votes = await rows(db, "SELECT vote FROM votes WHERE suggestion_id = ?", sid)
    assert votes == [("agree",)], "its votes stay counted"
    with pytest.raises(Refused) as again:
        await services.deliberation.withdraw(authors[0], sid)
    assert again.value.code is Refusal.ALREADY_WITHDRAWN


@pytest.mark.parametrize(
    ("who", "target", "code"),
    [
        ("voter", "first", Refusal.NOT_YOURS),
        ("other author", "first", Refusal.NOT_YOURS),
        ("author", "missing", Refusal.UNKNOWN_SUGGESTION),
    ],
)
async def test_withdrawing_anothers_or_a_missing_suggestion_is_refused(
    services: Services, db: Store, who: str, target: str, code: Refusal
) -> None:
    authors, (sid, *_) = await three_suggestions(services)
    pid = {"voter": await citizen(services, 201), "other author": authors[1]}.get(who, authors[0])
    with pytest.raises(Refused) as refused:
        await services.deliberation.withdraw(pid, 999 if target == "missing" else sid)
    assert refused.value.code is code
    statuses = await rows(db, "SELECT DISTINCT status FROM suggestions")
    assert statuses == [(SuggestionStatus.VISIBLE.value,)]
    with pytest.raises(Refused) as shown:
        await services.deliberation.own(pid, 999 if target == "missing" else sid)
    assert shown.value.code is code, "nor is it shown as theirs"


async def test_enough_distinct_reports_hold_a_suggestion_and_one_report_each(
    services: Services, db: Store
) -> None:
    _, (sid, *_) = await three_suggestions(services)
    threshold = services.settings.report_hide_threshold
    reporters = [await citizen(services, 500 + n) for n in range(threshold)]
    for n, reporter in enumerate(reporters):
        status = await rows(db, "SELECT status FROM suggestions WHERE id = ?", sid)
        assert status == [(SuggestionStatus.VISIBLE.value,)], f"visible after {n} reports"
        await services.deliberation.report(reporter, sid, 0, ReportReason.OFFENSIVE)
    status = await rows(db, "SELECT status FROM suggestions WHERE id = ?", sid)
    assert status == [(SuggestionStatus.PENDING.value,)]
    with pytest.raises(Refused) as refused:
        await services.deliberation.report(reporters[0], sid, 0, ReportReason.SPAM)
    # A held suggestion cannot be reported again; nor could a visible one twice by one citizen.
    assert refused.value.code is Refusal.SUGGESTION_GONE
    assert await rows(db, "SELECT COUNT(*) FROM reports") == [(threshold,)]


async def test_a_second_report_by_one_citizen_is_refused(services: Services, db: Store) -> None:
    _, (sid, *_) = await three_suggestions(services)
    reporter = await citizen(services, 501)
    await services.deliberation.report(reporter, sid, 0, ReportReason.SPAM)
    with pytest.raises(Refused) as refused:
        await services.deliberation.report(reporter, sid, 0, ReportReason.OFFENSIVE)
    assert refused.value.code is Refusal.ALREADY_REPORTED
    assert await rows(db, "SELECT reason FROM reports") == [(ReportReason.SPAM.value,)]
