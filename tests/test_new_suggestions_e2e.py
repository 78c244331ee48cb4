"""Drafters see every new suggestion: counted and listed in the digest, paged with /suggestions."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import bot.views.new_suggestions
from bot.emulator import Emulator, SentMessage
from bot.senders.digests import send_digests
from tests.harness import Hearing, make_settings

DRAFTER, MODERATOR = 7101, 7102
ANA, BILAL, CHAND, DUA, EJAZ, FARAH, GUL = 7201, 7202, 7203, 7204, 7205, 7206, 7207
TITLE = "Digest: Anti-Terror Action Plan"


@dataclass
class Clock:
    """The hearing's clock: set to the real time when a digest should cover what was just done.

    Suggestions are stamped with the real time, so a period ends at the real time.
    """

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def catch_up(self) -> None:
        """Move the clock to the real time."""
        self.now = datetime.now(UTC)


@pytest.fixture
async def drafting(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> AsyncIterator[tuple[Hearing, Clock]]:
    """A hearing with a drafter and a moderator, first started three days ago."""
    clock = Clock(datetime.now(UTC) - timedelta(days=3))
    settings = replace(
        make_settings(tmp_path),
        drafter_ids=frozenset({DRAFTER}),
        moderator_ids=frozenset({MODERATOR}),
        min_group_size=2,
    )
    hearing = Hearing(emu, settings, clock)
    await hearing.start()
    await hearing.say(DRAFTER, "/help")
    try:
        yield hearing, clock
    finally:
        await hearing.stop()


def digest_text(hearing: Hearing) -> str:
    """Return the drafter's latest digest, its messages joined."""
    texts = [m.plain_text() for m in hearing.emu.messages(DRAFTER) if m.kind == "text"]
    start = max(i for i, text in enumerate(texts) if TITLE in text)
    return "\n".join(texts[start:])


def section(text: str) -> str:
    """Cut the digest down to its list of new suggestions."""
    start = text.index("✍️ New suggestions in this period:", text.index("Items"))
    ends = [text.find(end, start) for end in ("💡 New items proposed", "💡 No new items")]
    return text[start : max(ends)]


async def vote(hearing: Hearing, user: int, sid: int, label: str = "👍 Agree") -> None:
    """Open a suggestion by its link and vote on it."""
    await hearing.open_link(user, f"s-{sid}")
    await hearing.press(user, label, hearing.last(user))


async def propose(hearing: Hearing, user: int, text: str) -> None:
    """Propose a new item."""
    await hearing.say(user, "/propose")
    await hearing.say(user, text)
    if "📝 Post mine anyway" in hearing.last(user).button_labels():
        await hearing.press(user, "📝 Post mine anyway")


async def test_the_digest_counts_and_lists_every_new_suggestion(
    drafting: tuple[Hearing, Clock],
) -> None:
    hearing, clock = drafting
    voted = await hearing.suggest(ANA, "3", "Register every madrasa within a year")
    once = await hearing.suggest(BILAL, "3", "Publish the list of banned outfits monthly")
    quiet = [
        await hearing.suggest(CHAND, "7", "Fund counselling for families of victims"),
        await hearing.suggest(DUA, "5", "Give provinces their own rapid response units"),
    ]
    held = await hearing.suggest(EJAZ, "5", "Read the full report at https://example.org/x")
    await propose(hearing, FARAH, "Protect journalists who report on militancy")
    await vote(hearing, CHAND, voted)
    await vote(hearing, DUA, voted)
    await vote(hearing, DUA, once, "👎 Disagree")
    clock.catch_up()
    assert await send_digests(hearing.app) if hearing.app else False
    text = digest_text(hearing)
    assert "✍️ New suggestions in this period: 5" in text, "at a glance; the held one is not"
    new = section(text)
    listed = [int(n) for n in re.findall(r"#(\d+)", new)]
    assert listed[:4] == [voted, once, quiet[1], quiet[0]], "every one, items in the plan's order"
    assert len(listed) == 5, "and the proposal last"
    assert f"#{voted} “Register every madrasa within a year” 👍 2 👎 0" in new
    assert f"#{once} “Publish the list of banned outfits monthly” 🗳 fewer than 2" in new, (
        "one vote: neither how it split nor how many is shown under MIN_GROUP_SIZE (2 here)"
    )
    assert "“Fund counselling for families of victims” 🗳 0" in new, "never voted on, listed"
    assert "Proposed new items" in new and "Protect journalists" in new
    assert "waiting for a moderator: 1" in new and f"#{held}" not in new
    assert "example.org" not in text, "a held text is not shown before a moderator decides"

    # The next period lists what is new since: a held suggestion once it is approved, and the
    # new ones; never the old ones again. (One clock stamps rows and closes periods: it moves on
    # past the digest before anything new happens.)
    clock.now += timedelta(minutes=1)
    await hearing.say(MODERATOR, "/queue")
    await hearing.press(MODERATOR, "✅ Approve", hearing.last(MODERATOR))
    later = await hearing.suggest(GUL, "7", "Hold the hearing again in a year")
    clock.now += timedelta(minutes=1)
    replies = await hearing.say(DRAFTER, "/digest")
    text = "\n".join(m.plain_text() for m in replies if m.kind == "text")
    assert "✍️ New suggestions in this period: 2" in text
    assert re.findall(r"#(\d+)", section(text)) == [str(held), str(later)]
    assert "Register every madrasa" not in section(text)


async def test_a_long_list_is_cut_and_points_to_the_pages(
    drafting: tuple[Hearing, Clock], monkeypatch: pytest.MonkeyPatch
) -> None:
    hearing, clock = drafting
    monkeypatch.setattr(bot.views.new_suggestions, "NEW_LISTED", 2)
    for n, user in enumerate((ANA, BILAL, CHAND)):
        await hearing.suggest(user, "4", f"Idea {n} for a better item four")
    clock.catch_up()
    replies = await hearing.say(DRAFTER, "/digest")
    text = "\n".join(m.plain_text() for m in replies if m.kind == "text")
    assert "✍️ New suggestions in this period: 3" in text
    assert "Idea 0" in text and "Idea 1" in text and "Idea 2" not in text
    assert "… and 1 more: /suggestions lists every suggestion, newest first" in text


async def test_no_new_suggestions_is_said(drafting: tuple[Hearing, Clock]) -> None:
    hearing, clock = drafting
    clock.catch_up()
    replies = await hearing.say(DRAFTER, "/digest")
    text = "\n".join(m.plain_text() for m in replies)
    assert "✍️ New suggestions in this period: 0" in text
    assert "✍️ No new suggestions in this period." in text


async def test_suggestions_pages_through_every_one_newest_first(
    drafting: tuple[Hearing, Clock],
) -> None:
    hearing, _ = drafting
    assert hearing.app is not None
    hearing.app.bot_data.require_services().suggestions.page_size = 2
    ids = [
        await hearing.suggest(user, str(n), f"Suggestion number {n} on the plan")
        for n, user in enumerate((ANA, BILAL, CHAND, DUA, EJAZ), start=1)
    ]
    await hearing.say(ANA, "/mine")
    await hearing.press(ANA, f"Withdraw #{ids[0]} (item 1)")
    await hearing.press(ANA, "Yes, withdraw it")  # withdrawn: no longer listed
    shown = ids[1:]

    def listed(message: SentMessage) -> list[int]:
        return [int(n) for n in re.findall(r"#(\d+)", message.plain_text())]

    [page] = await hearing.say(DRAFTER, "/suggestions")
    assert "Suggestions shown to citizens, newest first (4 in all" in page.plain_text()
    assert listed(page) == [shown[3], shown[2]]
    assert "item 5: “Suggestion number 5 on the plan” 🗳 0" in page.plain_text()
    assert page.button_labels() == ["⬅️ Older"]
    await hearing.press(DRAFTER, "⬅️ Older", page)
    page = hearing.emu.message(DRAFTER, page.message_id) or page
    assert listed(page) == [shown[1], shown[0]], "the same message, edited"
    assert page.button_labels() == ["⏮ Newest"], "the last page: nothing older"
    await hearing.press(DRAFTER, "⏮ Newest", page)
    page = hearing.emu.message(DRAFTER, page.message_id) or page
    assert listed(page) == [shown[3], shown[2]]


async def test_suggestions_are_for_drafters_and_forged_pages_are_refused(
    drafting: tuple[Hearing, Clock],
) -> None:
    hearing, _ = drafting
    [empty] = await hearing.say(DRAFTER, "/suggestions")
    assert empty.plain_text() == "No suggestion is shown to citizens yet."
    await hearing.suggest(ANA, "2", "A suggestion citizens may read")
    [refused] = await hearing.say(ANA, "/suggestions")
    assert refused.plain_text() == "Sorry, this is only for the hearing's drafters."
    card = hearing.last(ANA)
    for user, data, notice in (
        (ANA, "v1:so:5", "only for the hearing's drafters"),
        (DRAFTER, "v1:so:0", "this button is not valid"),
        (DRAFTER, "v1:so:abc", "this button is not valid"),
        (DRAFTER, "v1:sn:1", "this button is not valid"),
    ):
        target = card if user == ANA else empty
        update_id = hearing.emu.press_button(user, target.message_id, data, check=False)
        await hearing.settle()
        answer = hearing.emu.answer_for(update_id)
        assert answer is not None and notice in answer["text"], data
    assert hearing.emu.message(DRAFTER, empty.message_id) == empty, "nothing changed"
