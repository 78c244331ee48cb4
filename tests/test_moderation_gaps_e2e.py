"""Moderation gaps: one moderator and appeals, /unban, banned citizens told, no deciding on one's
own report, a readable /modlog, the item on the queue card, report-hidden posts explained, the
ban message after /delete."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.emulator import Emulator
from tests.harness import Hearing, background, make_settings

ANA, BILAL, CHAND, DUA = 9201, 9202, 9203, 9204
MOD1, MOD2 = 9801, 9802
LINKED = "Read the full report at https://example.org/report first"


async def start(emu: Emulator, tmp_path: Path, *moderators: int) -> Hearing:
    """A running hearing with these moderators and a report threshold of 2."""
    settings = replace(make_settings(tmp_path), moderator_ids=frozenset(moderators),
                       report_hide_threshold=2)  # fmt: skip
    hearing = Hearing(emu, settings)
    await hearing.start()
    return hearing


@pytest.fixture
async def one_moderator(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> AsyncIterator[Hearing]:
    """A hearing with a single moderator."""
    hearing = await start(emu, tmp_path, MOD1)
    try:
        yield hearing
    finally:
        await hearing.stop()


@pytest.fixture
async def two_moderators(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> AsyncIterator[Hearing]:
    """A hearing with two moderators."""
    hearing = await start(emu, tmp_path, MOD1, MOD2)
    try:
        yield hearing
    finally:
        await hearing.stop()


async def toast(hearing: Hearing, user: int, message_id: int, data: str) -> str:
    """Press button data; return the answer shown."""
    update_id = hearing.emu.press_button(user, message_id, data, check=False)
    await hearing.settle()
    return str((hearing.emu.answer_for(update_id) or {}).get("text", ""))


async def decide(hearing: Hearing, moderator: int, button: str, reason: str) -> None:
    """Take the next card from /queue and hide it, or ban its author, for a reason."""
    await hearing.say(moderator, "/queue")
    card = hearing.last(moderator)
    await hearing.press(moderator, button, card)
    await hearing.press(moderator, reason, card)


async def test_with_one_moderator_an_author_is_told_no_second_review_exists(
    one_moderator: Hearing,
) -> None:
    hearing = one_moderator
    sid = await hearing.suggest(ANA, "10", LINKED)
    await decide(hearing, MOD1, "🙈 Hide", "Spam")
    notice = hearing.last(ANA)
    assert "has hidden your suggestion" in notice.plain_text()
    assert "only one moderator, so no second review" in notice.plain_text()
    assert notice.button_labels() == [], "no appeal that no one could review"
    refusal = await toast(hearing, ANA, notice.message_id, f"v1:ap:{sid}")
    assert "only one moderator" in refusal


async def test_a_ban_is_told_and_can_be_lifted(two_moderators: Hearing) -> None:
    hearing = two_moderators
    await hearing.suggest(ANA, "10", LINKED)
    await decide(hearing, MOD1, "⛔ Ban author", "Spam")
    notice = hearing.last(ANA).plain_text()
    assert "has hidden your suggestion" in notice
    assert "also stopped this account from posting suggestions" in notice, "told at once"
    item = await hearing.answer_item(ANA, "11")
    await hearing.press(ANA, "✍️ Add a suggestion", item)
    [refusal] = await hearing.say(ANA, "A perfectly ordinary suggestion")
    assert "stopped this account from posting" in refusal.plain_text()
    assert "deleted" not in refusal.plain_text()
    # /unban alone lists the bans, by the tag moderators see on the queue card.
    [listed] = await hearing.say(MOD2, "/unban")
    assert "Banned authors (times in Asia/Karachi)" in listed.plain_text()
    tag = re.findall(r"• (\w{8}) since \d\d \w{3} \d{4} \d\d:\d\d", listed.plain_text())[0]
    [refused] = await hearing.say(MOD2, "/unban zzzz")
    assert "No banned author has the tag “zzzz”" in refused.plain_text()
    [citizen] = await hearing.say(BILAL, f"/unban {tag}")
    assert citizen.plain_text() == "Sorry, this is only for the hearing's moderators."
    [done] = await hearing.say(MOD2, f"/unban {tag}")
    assert done.plain_text() == f"✅ The ban on {tag} is lifted; they are told."
    await background(hearing.app).outbox.wait_idle()
    assert "you can post suggestions again" in hearing.last(ANA).plain_text()
    [again] = await hearing.say(MOD2, f"/unban {tag}")
    assert "No banned author has the tag" in again.plain_text(), "lifted once"
    sid = await hearing.suggest(ANA, "12", "Publish how many cases are decided each month")
    assert sid > 1, "posting works again"
    [log] = await hearing.say(MOD1, "/modlog")
    assert "ban lifted · by moderator" in log.plain_text() and f"author {tag}" in log.plain_text()


async def test_a_banned_author_who_erased_their_data_is_not_told_it_was_kept(
    two_moderators: Hearing,
) -> None:
    hearing = two_moderators
    await hearing.suggest(ANA, "10", LINKED)
    await decide(hearing, MOD1, "⛔ Ban author", "Offensive or incitement")
    await hearing.say(ANA, "/delete")
    await hearing.press(ANA, "🗑 Yes, erase everything")
    item = await hearing.answer_item(ANA, "11")
    await hearing.press(ANA, "✍️ Add a suggestion", item)
    [refusal] = await hearing.say(ANA, "Back with another idea")
    text = refusal.plain_text()
    assert "stopped this account from posting" in text
    assert "nothing you sent before was deleted" not in text, "it was deleted, on request"


async def test_a_moderator_does_not_decide_on_a_post_they_reported(
    two_moderators: Hearing,
) -> None:
    hearing = two_moderators
    sid = await hearing.suggest(ANA, "6", "Journalists who disagree should be taken to task")
    await hearing.open_link(MOD2, f"s-{sid}")
    card = hearing.last(MOD2)
    await hearing.press(MOD2, "🚩 Report", card)
    await hearing.press(MOD2, "Personal attack", card)
    [empty] = await hearing.say(MOD2, "/queue")
    assert "The moderation queue is empty" in empty.plain_text(), "not offered to its reporter"
    refusal = await toast(hearing, MOD2, empty.message_id, f"v1:qa:{sid}")
    assert "You reported this suggestion yourself" in refusal
    [other] = await hearing.say(MOD1, "/queue")
    assert f"Suggestion #{sid}" in other.plain_text(), "another moderator decides it"


async def test_the_queue_card_shows_the_item_and_the_log_is_readable(
    two_moderators: Hearing,
) -> None:
    hearing = two_moderators
    sid = await hearing.suggest(ANA, "10", LINKED)
    [card] = await hearing.say(MOD1, "/queue")
    assert "📄 Item 10: Curtailment of media glorification of terrorism" in card.plain_text()
    await hearing.press(MOD1, "🙈 Hide", card)
    await hearing.press(MOD1, "Private information", card)
    [log] = await hearing.say(MOD2, "/modlog")
    text = log.plain_text()
    assert "newest first (times in Asia/Karachi)" in text
    when = r"\d\d \w{3} \d{4} \d\d:\d\d"
    assert re.search(rf"{when} · hidden #{sid} · by moderator \w{{8}} · reason: Private "
                     r"information · waiting → hidden", text), text  # fmt: skip
    assert re.search(rf"{when} · held by the checks #{sid} · automatic · reason: a link"
                     " · — → waiting", text), text  # fmt: skip
    for code in ("private_data", "pending", "link,", "T0", "+00:00"):
        assert code not in text


async def test_an_author_is_told_when_reports_hide_their_post(two_moderators: Hearing) -> None:
    hearing = two_moderators
    sid = await hearing.suggest(ANA, "6", "Journalists who disagree should be taken to task")
    for citizen in (BILAL, CHAND):
        await hearing.open_link(citizen, f"s-{sid}")
        card = hearing.last(citizen)
        await hearing.press(citizen, "🚩 Report", card)
        await hearing.press(citizen, "Personal attack", card)
    await background(hearing.app).outbox.wait_idle()
    told = hearing.last(ANA).plain_text()
    assert "Several citizens of “Anti-Terror Action Plan” reported your suggestion on item 6" in (
        told
    )
    assert "hidden until a moderator looks at it" in told and "taken to task" in told
    # A third report changes nothing more: the author is told once.
    replies = await hearing.open_link(DUA, f"s-{sid}")
    assert "no longer open for voting" in replies[0].plain_text()
    notices = [
        m for m in hearing.emu.messages(ANA) if "reported your suggestion" in m.plain_text()
    ]
    assert len(notices) == 1
