"""Drafters' responses on a migrated database: replies, decisions, and no notice told twice."""

from __future__ import annotations

import pytest

from bot.hearing.responses import MAX_RESPONSE_CHARS, Decision
from bot.model.refusals import Refusal, Refused
from bot.model.values import Awaiting, Vote
from bot.services import Services
from storage.backend import Store
from tests.harness import citizen, rows, suggest

ITEM = "18"
TEXT = "Protect judges as well as witnesses"


async def suggestion(services: Services) -> tuple[str, str, int]:
    """A drafter, and a citizen's suggestion with one agreeing vote; return their ids."""
    drafter, author = await citizen(services, 7001), await citizen(services, 601)
    sid = await suggest(services, author, ITEM, TEXT)
    await services.deliberation.cast_vote(await citizen(services, 602), sid, Vote.AGREE, 0)
    return drafter, author, sid


async def responses(db: Store) -> list[tuple[object, ...]]:
    """Every stored response: kind, item merged into, text."""
    return await rows(db, "SELECT kind, item_id, text FROM suggestion_responses ORDER BY id")


async def test_a_drafter_reviews_then_replies_and_the_author_is_told_once(
    services: Services, db: Store
) -> None:
    drafter, author, sid = await suggestion(services)
    review = await services.follow.await_text(drafter, sid, Awaiting.REPLY)
    assert review.suggestion.id == sid and review.decision is None
    assert review.tally is None, "one vote: fewer than MIN_GROUP_SIZE, so not shown"
    waiting = await services.walkthrough.current(drafter)
    assert (waiting.awaiting, waiting.awaiting_target) == (Awaiting.REPLY, sid)
    notice = await services.follow.respond(drafter, sid, Decision.REPLY, text="  Thank you  ")
    assert (notice.author_id, notice.decision, notice.text) == (
        author,
        Decision.REPLY,
        "Thank you",
    )
    assert notice.item is not None and notice.item.id == ITEM and notice.merged_into is None
    assert (await services.walkthrough.current(drafter)).awaiting is None
    assert [n.response_id for n in await services.follow.unnotified()] == [notice.response_id]
    await services.follow.notified(notice.response_id)
    assert await services.follow.unnotified() == []
    assert await responses(db) == [("reply", None, "Thank you")]


@pytest.mark.parametrize(
    ("decision", "item", "text"),
    [
        (Decision.ADOPTED, None, None),
        (Decision.MERGED, "17", None),
        (Decision.DECLINED, None, "It is covered by item 16"),
    ],
)
async def test_a_decision_is_recorded_and_becomes_the_suggestions_outcome(
    services: Services, db: Store, decision: Decision, item: str | None, text: str | None
) -> None:
    drafter, _, sid = await suggestion(services)
    notice = await services.follow.respond(drafter, sid, decision, item, text)
    assert notice.decision is decision
    assert (notice.merged_into.id if notice.merged_into else None) == item
    assert await responses(db) == [(decision.value, item, text)]
    latest = (await services.follow.review(sid)).decision
    assert latest is not None and (latest.kind, latest.item_id) == (decision.value, item)


@pytest.mark.parametrize(
    ("decision", "item", "text"),
    [
        (Decision.REPLY, None, "Thank you"),
        (Decision.ADOPTED, None, None),
        (Decision.MERGED, "17", None),
        (Decision.DECLINED, None, "Covered elsewhere"),
    ],
)
async def test_the_same_response_twice_is_refused_and_told_once(
    services: Services, db: Store, decision: Decision, item: str | None, text: str | None
) -> None:
    drafter, _, sid = await suggestion(services)
    await services.follow.respond(drafter, sid, decision, item, text)
    with pytest.raises(Refused) as refused:
        await services.follow.respond(drafter, sid, decision, item, text)
    assert refused.value.code is Refusal.SAME_RESPONSE
    assert len(await responses(db)) == 1
    assert len(await services.follow.unnotified()) == 1


async def test_only_a_repeat_of_the_latest_response_is_refused(
    services: Services, db: Store
) -> None:
    drafter, _, sid = await suggestion(services)
    await services.follow.respond(drafter, sid, Decision.ADOPTED)
    await services.follow.respond(drafter, sid, Decision.REPLY, text="We adopted it")
    await services.follow.respond(drafter, sid, Decision.REPLY, text="Now in the second draft")
    await services.follow.respond(drafter, sid, Decision.ADOPTED)  # after a reply: not a repeat
    await services.follow.respond(drafter, sid, Decision.MERGED, "17")
    await services.follow.respond(drafter, sid, Decision.MERGED, "16")  # another item
    assert [kind for kind, _, _ in await responses(db)] == [
        "adopted",
        "reply",
        "reply",
        "adopted",
        "merged",
        "merged",
    ]


@pytest.mark.parametrize(
    ("decision", "item", "text", "code"),
    [
        (Decision.REPLY, None, None, Refusal.EMPTY_RESPONSE),
        (Decision.REPLY, None, " \n ", Refusal.EMPTY_RESPONSE),
        (Decision.DECLINED, None, "", Refusal.EMPTY_RESPONSE),
        (Decision.REPLY, None, "a" * (MAX_RESPONSE_CHARS + 1), Refusal.RESPONSE_TOO_LONG),
        # Counted in UTF-16 units, as Telegram counts: each of these letters is two.
        (
            Decision.REPLY,
            None,
            "\U00020000" * (MAX_RESPONSE_CHARS // 2 + 1),
            Refusal.RESPONSE_TOO_LONG,
        ),
        (Decision.MERGED, None, None, Refusal.UNKNOWN_ITEM),
        (Decision.MERGED, "21", None, Refusal.UNKNOWN_ITEM),
        (Decision.MERGED, "9.1", None, Refusal.UNKNOWN_ITEM),
    ],
)
async def test_a_bad_response_is_refused_and_nothing_is_stored(
    services: Services, db: Store, decision: Decision, item: str | None, text: str | None,
    code: Refusal,
) -> None:  # fmt: skip
    drafter, _, sid = await suggestion(services)
    await services.follow.await_text(drafter, sid, Awaiting.REPLY)
    with pytest.raises(Refused) as refused:
        await services.follow.respond(drafter, sid, decision, item, text)
    assert refused.value.code is code
    assert await responses(db) == []
    assert (await services.walkthrough.current(drafter)).awaiting == Awaiting.REPLY


@pytest.mark.parametrize("sid", [999, 0, -1])
async def test_a_response_to_a_missing_suggestion_is_refused(
    services: Services, db: Store, sid: int
) -> None:
    drafter, _, _ = await suggestion(services)
    for attempt in (
        services.follow.review(sid),
        services.follow.await_text(drafter, sid, Awaiting.REPLY),
        services.follow.respond(drafter, sid, Decision.ADOPTED),
    ):
        with pytest.raises(Refused) as refused:
            await attempt
        assert refused.value.code is Refusal.UNKNOWN_SUGGESTION
    assert await responses(db) == []
    assert (await services.walkthrough.current(drafter)).awaiting is None
