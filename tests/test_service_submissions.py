"""Submissions on a migrated database: checks, near-duplicates, post anyway, agree instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.hearing.plan import Plan
from bot.hearing.submissions import Posted, Similar
from bot.hearing.walkthrough import Finished, ItemView
from bot.model.refusals import Refusal, Refused
from bot.model.values import (
    NEW_ITEMS,
    DraftOutcome,
    FlagReason,
    ReportReason,
    Step,
    SuggestionStatus,
    Vote,
)
from bot.services import Services
from storage.backend import Store
from tests.harness import build_services, citizen, rows, suggest

ITEM = "18"
ORIGINAL = "Protect the judges and the witnesses in every terrorism trial"
REWORDED = "Protect judges and witnesses in all terrorism trials"
UNRELATED = "Give the prosecutors their own forensic laboratory"


async def writing(services: Services, user: int, item: str = ITEM) -> str:
    """A citizen who pressed "Add a suggestion" on an item; return their id."""
    pid = await citizen(services, user)
    await services.walkthrough.request_suggestion(pid, item)
    return pid


async def stored(db: Store) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every stored draft (text, outcome) and suggestion (text, status)."""
    drafts = await rows(db, "SELECT text, outcome FROM suggestion_drafts ORDER BY id")
    return drafts, await rows(db, "SELECT text, status FROM suggestions ORDER BY id")


async def test_a_text_unlike_the_others_is_posted_and_the_walkthrough_moves_on(
    services: Services, db: Store
) -> None:
    pid = await writing(services, 101)
    posted = await services.submissions.submit(pid, f"  {ORIGINAL}\n")
    assert isinstance(posted, Posted) and posted.text == ORIGINAL and posted.held == ()
    assert posted.item is not None and posted.item.id == ITEM
    assert isinstance(posted.next, ItemView) and posted.next.item.id == "19"
    assert await stored(db) == ([(ORIGINAL, "posted")], [(ORIGINAL, "visible")])
    assert not await services.submissions.expects_text(pid)


async def test_a_suggestion_on_the_last_item_finishes_the_walkthrough(
    services: Services, db: Store, plan: Plan
) -> None:
    pid = await writing(services, 101, plan.items[-1].id)
    posted = await services.submissions.submit(pid, UNRELATED)
    assert isinstance(posted, Posted) and isinstance(posted.next, Finished)
    assert (await services.walkthrough.current(pid)).step == Step.FINISHED


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("x" * 1001, Refusal.SUGGESTION_TOO_LONG),
        # Telegram counts UTF-16 units: 501 CJK ideographs from outside the BMP are 1002.
        ("\U00020000" * 501, Refusal.SUGGESTION_TOO_LONG),
        ("", Refusal.EMPTY_SUGGESTION),
        ("   \n\t ", Refusal.EMPTY_SUGGESTION),
        ("https://example.com/petition", Refusal.LINK_ONLY),
        ("👍👍👍 !!!", Refusal.NO_WORDS),
    ],
    ids=["too-long", "too-long-utf16", "empty", "blank", "link-only", "no-words"],
)
async def test_a_bad_text_is_refused_and_nothing_is_saved(
    services: Services, db: Store, text: str, code: Refusal
) -> None:
    assert services.settings.suggestion_max_chars == 1000
    pid = await writing(services, 101)
    with pytest.raises(Refused) as refused:
        await services.submissions.submit(pid, text)
    assert refused.value.code is code
    assert await stored(db) == ([], [])
    assert await services.submissions.expects_text(pid), "still waiting for a better text"


async def test_a_text_at_the_limit_is_accepted(services: Services, db: Store) -> None:
    pid = await writing(services, 101)
    posted = await services.submissions.submit(pid, "word " * 199 + "words")
    assert isinstance(posted, Posted) and len(posted.text) == 1000


@pytest.mark.parametrize("who", ["unknown", "not writing"])
async def test_a_text_nobody_asked_for_is_refused(services: Services, db: Store, who: str) -> None:
    pid = services.participants.identify(101)
    if who == "not writing":
        await services.walkthrough.open_item(await citizen(services, 101), ITEM)
    code = Refusal.UNKNOWN_PARTICIPANT if who == "unknown" else Refusal.NOT_WAITING_FOR_TEXT
    with pytest.raises(Refused) as refused:
        await services.submissions.submit(pid, ORIGINAL)
    assert refused.value.code is code
    assert await stored(db) == ([], [])


async def test_a_proposal_is_a_suggestion_on_new_items_and_ends_the_wait(
    services: Services, db: Store
) -> None:
    pid = await citizen(services, 101)
    await services.deliberation.request_proposal(pid)
    assert await services.submissions.expects_text(pid)
    posted = await services.submissions.submit(pid, UNRELATED)
    assert isinstance(posted, Posted) and posted.next is None and posted.item is None
    assert await rows(db, "SELECT item_id FROM suggestions") == [(NEW_ITEMS,)]
    assert not await services.submissions.expects_text(pid)


async def near_duplicate(services: Services) -> tuple[int, str, Similar]:
    """One citizen posts a suggestion; another writes it again in other words."""
    original = await suggest(services, await citizen(services, 101), ITEM, ORIGINAL)
    pid = await writing(services, 102)
    similar = await services.submissions.submit(pid, REWORDED)
    assert isinstance(similar, Similar)
    return original, pid, similar


async def test_a_near_duplicate_is_offered_before_anything_is_posted(
    services: Services, db: Store
) -> None:
    original, _, similar = await near_duplicate(services)
    assert [m.key for m in similar.matches] == [original]
    assert similar.item is not None and similar.item.id == ITEM
    drafts, suggestions = await stored(db)
    assert drafts == [(ORIGINAL, "posted"), (REWORDED, None)], "kept as an undecided draft"
    assert suggestions == [(ORIGINAL, "visible")]
    # A citizen's own suggestion is never offered as the duplicate of their new one.
    author = services.participants.identify(101)
    await services.walkthrough.request_suggestion(author, ITEM)
    assert isinstance(await services.submissions.submit(author, REWORDED), Posted)


async def test_post_anyway_publishes_the_draft_once(services: Services, db: Store) -> None:
    original, pid, similar = await near_duplicate(services)
    posted = await services.submissions.post(pid, similar.draft_id)
    assert posted.text == REWORDED and posted.held == ()
    _, suggestions = await stored(db)
    assert suggestions == [(ORIGINAL, "visible"), (REWORDED, "visible")]
    with pytest.raises(Refused) as twice:
        await services.submissions.post(pid, similar.draft_id)
    assert twice.value.code is Refusal.DRAFT_DECIDED
    with pytest.raises(Refused) as agreed:
        await services.submissions.agree_instead(pid, similar.draft_id, original)
    assert agreed.value.code is Refusal.DRAFT_DECIDED
    assert len((await stored(db))[1]) == 2
    assert await rows(db, "SELECT COUNT(*) FROM votes") == [(0,)]


async def test_agree_instead_records_a_vote_and_posts_nothing(
    services: Services, db: Store
) -> None:
    original, pid, similar = await near_duplicate(services)
    agreed = await services.submissions.agree_instead(pid, similar.draft_id, original)
    assert agreed.suggestion_id == original
    assert isinstance(agreed.next, ItemView) and agreed.next.item.id == "19"
    drafts, suggestions = await stored(db)
    assert drafts[-1] == (REWORDED, DraftOutcome.AGREED.value)
    assert suggestions == [(ORIGINAL, "visible")]
    assert await rows(db, "SELECT participant_id, vote FROM votes") == [(pid, Vote.AGREE.value)]
    with pytest.raises(Refused) as refused:
        await services.submissions.post(pid, similar.draft_id)
    assert refused.value.code is Refusal.DRAFT_DECIDED
    assert len((await stored(db))[1]) == 1


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("someone else's draft", Refusal.UNKNOWN_SUGGESTION),
        ("missing draft", Refusal.UNKNOWN_SUGGESTION),
        ("missing suggestion", Refusal.UNKNOWN_SUGGESTION),
        ("suggestion on another item", Refusal.UNKNOWN_SUGGESTION),
        ("withdrawn suggestion", Refusal.SUGGESTION_GONE),
        ("own suggestion", Refusal.OWN_SUGGESTION),
    ],
)
async def test_forged_agree_instead_and_post_change_nothing(
    services: Services, db: Store, case: str, code: Refusal
) -> None:
    original, pid, _ = await near_duplicate(services)
    author = services.participants.identify(101)
    elsewhere = await suggest(services, await citizen(services, 103), "17", UNRELATED)
    # Posting one's own suggestion replaces the open draft: write the near-duplicate again.
    own = await suggest(services, pid, ITEM, "Pay witnesses' travel to court and back home")
    await services.walkthrough.request_suggestion(pid, ITEM)
    similar = await services.submissions.submit(pid, REWORDED)
    assert isinstance(similar, Similar)
    actor, draft, target = pid, similar.draft_id, original
    if case == "someone else's draft":
        actor = author
    elif case == "missing draft":
        draft = 999
    elif case == "missing suggestion":
        target = 999
    elif case == "suggestion on another item":
        target = elsewhere
    elif case == "withdrawn suggestion":
        await services.deliberation.withdraw(author, original)
    else:
        target = own
    before = await stored(db)
    with pytest.raises(Refused) as refused:
        await services.submissions.agree_instead(actor, draft, target)
    assert refused.value.code is code
    assert await stored(db) == before
    assert await rows(db, "SELECT COUNT(*) FROM votes") == [(0,)]
    if case in ("someone else's draft", "missing draft"):
        with pytest.raises(Refused) as posted:
            await services.submissions.post(actor, draft)
        assert posted.value.code is code
        assert await stored(db) == before


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("Those who shelter them should be killed", {("blocklist", "should be killed")}),
        ("Call me on 0300-1234567 about the witnesses", {("personal_data", "number")}),
        ("My CNIC is 35202-1234567-1, check it", {("personal_data", "cnic")}),
        ("Mail ali@example.com for the list of witnesses", {("personal_data", "email")}),
        ("The report at www.example.org says it all", {("link", None)}),
    ],
    ids=["blocklist", "phone", "cnic", "email", "link"],
)
async def test_screening_holds_a_flagged_text_for_a_moderator(
    services: Services, db: Store, text: str, flags: set[tuple[str, str | None]]
) -> None:
    pid = await writing(services, 101)
    posted = await services.submissions.submit(pid, text)
    assert isinstance(posted, Posted)
    assert set(posted.held) == {FlagReason(reason) for reason, _ in flags}
    assert await rows(db, "SELECT status FROM suggestions") == [(SuggestionStatus.PENDING.value,)]
    assert set(await rows(db, "SELECT reason, detail FROM auto_flags")) == flags
    assert await rows(db, "SELECT state FROM moderation_queue") == [("open",)]
    assert await rows(db, "SELECT action FROM moderation_log") == [("flagged",)]


async def test_the_same_text_twice_is_held_as_repeated(services: Services, db: Store) -> None:
    await suggest(services, await citizen(services, 101), ITEM, ORIGINAL)
    pid = await writing(services, 102, "3")  # another item: no near-duplicate offered there
    posted = await services.submissions.submit(pid, ORIGINAL)
    assert isinstance(posted, Posted) and posted.held == (FlagReason.REPEATED,)


async def test_more_than_the_hourly_share_is_held_then_refused(
    db: Store, plan: Plan, tmp_path: Path
) -> None:
    services = build_services(db, plan, tmp_path, suggestions_per_hour=2)
    pid = await citizen(services, 101)
    texts = [UNRELATED, ORIGINAL, "Move terrorism trials to courts far from the accused's town"]
    held = []
    for item, text in zip(("3", "4", "5"), texts, strict=True):
        await services.walkthrough.request_suggestion(pid, item)
        posted = await services.submissions.submit(pid, text)
        assert isinstance(posted, Posted)
        held.append(posted.held)
    assert held == [(), (), (FlagReason.FLOOD,)]
    assert await rows(db, "SELECT detail FROM auto_flags") == [("2",)]
    before = await stored(db)
    await services.walkthrough.request_suggestion(pid, "6")
    with pytest.raises(Refused) as refused:
        await services.submissions.submit(pid, "Pay witnesses' travel to the court")
    assert refused.value.code is Refusal.SUGGESTIONS_PAUSED
    assert await stored(db) == before, "past the first one held, nothing more is stored"


async def test_a_banned_citizen_can_neither_submit_nor_post_a_draft(
    services: Services, db: Store
) -> None:
    held = await suggest(services, await citizen(services, 102), "3", "See www.example.org")
    _, pid, similar = await near_duplicate(services)  # the same citizen, 102, has a draft
    await services.moderation.ban("moderator", held, ReportReason.SPAM)
    before = await stored(db)
    with pytest.raises(Refused) as posting:
        await services.submissions.post(pid, similar.draft_id)
    assert posting.value.code is Refusal.BANNED
    await services.walkthrough.request_suggestion(pid, "5")
    with pytest.raises(Refused) as submitting:
        await services.submissions.submit(pid, UNRELATED)
    assert submitting.value.code is Refusal.BANNED
    assert await stored(db) == before
