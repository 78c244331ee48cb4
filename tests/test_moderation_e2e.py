"""Moderation end to end: automatic flags, reports, the queue, bans, second reviews, the log."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.emulator import Emulator
from bot.model.values import ModerationMode
from tests.harness import INTEGRITY_ERRORS, Hearing, database_at, make_settings, query

ANA, BILAL, CHAND, DANI, EJAZ = 5101, 5102, 5103, 5104, 5105
MOD1, MOD2 = 5901, 5902
GROUP = -100555
ANONYMOUS_ADMIN = 1087968824


def moderated(tmp_path: Path, **changes: object) -> Settings:
    """Settings with two moderators (and any other changes)."""
    return make_settings(tmp_path, moderator_ids=frozenset({MOD1, MOD2}), **changes)


@pytest.fixture
async def mod_hearing(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> AsyncIterator[Hearing]:
    """A running hearing with two moderators and a report threshold of 2."""
    async with Hearing(emu, moderated(tmp_path, report_hide_threshold=2)) as hearing:
        yield hearing


async def status_of(hearing: Hearing, sid: int) -> str:
    """Return a suggestion's stored status."""
    rows = await query(
        hearing.settings.database_path, "SELECT status FROM suggestions WHERE id = ?", sid
    )
    return str(rows[0][0])


async def log_actions(hearing: Hearing, sid: int) -> list[str]:
    """Return the moderation log's actions on a suggestion, oldest first."""
    rows = await query(
        hearing.settings.database_path,
        "SELECT action FROM moderation_log WHERE suggestion_id = ? ORDER BY id",
        sid,
    )
    return [str(row[0]) for row in rows]


async def report(hearing: Hearing, user: int, sid: int, reason: str) -> None:
    """Open a suggestion by deep link and report it with a reason."""
    await hearing.open_link(user, f"s-{sid}")
    card = hearing.last(user)
    await hearing.press(user, "🚩 Report", card)
    await hearing.press(user, reason, card)


@pytest.mark.parametrize(
    ("text", "reason", "detail"),
    [
        (
            "Molvi sahib ne kaha ye banda wajibul qatal hai, usko saza do",
            "blocklist",
            "wajib ul qatl",
        ),
        ("Jo islam-dushman hain unko bahar nikalo", "blocklist", "islam dushman"),
        ("یہ شخص واجب القتل ہے اس کو سزا دو", "blocklist", "واجب القتل"),
        ("Call the SHO on 0300-1234567 about the checkpoint", "personal_data", "number"),
        ("His CNIC is 35202-1234567-1, check him", "personal_data", "cnic"),
        ("Write to tipoff.person@example.com with names", "personal_data", "email"),
        ("Read the full report at https://example.org/report first", "link", None),
    ],
)
async def test_automatic_flag_holds_the_suggestion_for_a_moderator(
    mod_hearing: Hearing, text: str, reason: str, detail: str | None
) -> None:
    sid = await mod_hearing.suggest(ANA, "10", text)
    messages = [m.plain_text() for m in mod_hearing.emu.messages(ANA)[-4:]]
    assert any("a moderator will look at it" in m for m in messages)
    assert await status_of(mod_hearing, sid) == "pending"
    flags = await query(
        mod_hearing.settings.database_path,
        "SELECT reason, detail FROM auto_flags WHERE suggestion_id = ?",
        sid,
    )
    assert (reason, detail) in flags
    assert await log_actions(mod_hearing, sid) == ["flagged"]
    replies = await mod_hearing.open_link(BILAL, f"s-{sid}")
    assert "no longer open for voting" in replies[0].plain_text(), "others cannot see it"
    mine = await mod_hearing.say(ANA, "/mine")
    assert any("waiting for a moderator" in m.plain_text() for m in mine), (
        "the author sees its state"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Changes in the law of evidence are needed",  # "hang" inside a word
        "The death toll must be published every week",  # "death to" + a letter
        "Participants deserve to be heard by the committee",  # "deserve to die", one letter off
        "The year 2014-2015 budget of 1,000,000 rupees",  # figures, not a phone number
        "Kafi log is baat se ittefaq karte hain",  # "kafi" (enough) is not "kafir"
    ],
)
async def test_clean_text_is_shown_at_once(mod_hearing: Hearing, text: str) -> None:
    sid = await mod_hearing.suggest(ANA, "10", text)
    assert await status_of(mod_hearing, sid) == "visible"
    assert await log_actions(mod_hearing, sid) == []


async def test_the_same_text_twice_is_flagged_as_repeated(mod_hearing: Hearing) -> None:
    first = await mod_hearing.suggest(ANA, "3", "Register every madrasa within a year")
    second = await mod_hearing.suggest(BILAL, "4", "Register every madrasa within a year")
    assert await status_of(mod_hearing, first) == "visible"
    assert await status_of(mod_hearing, second) == "pending"
    flags = await query(mod_hearing.settings.database_path, "SELECT reason FROM auto_flags")
    assert flags == [("repeated",)]


async def test_flooding_keeps_the_text_pending_and_asks_to_slow_down(
    emu: Emulator, tmp_path: Path
) -> None:
    hearing = Hearing(emu, moderated(tmp_path, suggestions_per_hour=2))
    await hearing.start()
    try:
        ids = [
            await hearing.suggest(ANA, str(n), f"Idea number {n} about the plan")
            for n in (1, 2, 3)
        ]
        statuses = [await status_of(hearing, sid) for sid in ids]
        assert statuses == ["visible", "visible", "pending"]
        texts = [m.plain_text() for m in emu.messages(ANA)[-4:]]
        assert any("please take a short break" in t for t in texts)
        stored = await query(
            hearing.settings.database_path, "SELECT text FROM suggestions WHERE id = ?", ids[2]
        )
        assert stored == [("Idea number 3 about the plan",)], "nothing is lost"
    finally:
        await hearing.stop()


async def test_a_flood_of_suggestions_alerts_the_moderators_once_and_stores_no_more(
    emu: Emulator, tmp_path: Path
) -> None:
    hearing = Hearing(emu, moderated(tmp_path, suggestions_per_hour=2, moderator_chat_id=GROUP))
    await hearing.start()
    try:
        emu.send_message(MOD1, "hello", chat_id=GROUP, chat_type="supergroup")
        await hearing.settle()
        for n in (1, 2, 3):
            await hearing.suggest(ANA, str(n), f"Idea number {n} about the plan")
        alerts = len(emu.messages(GROUP))
        for n in (4, 5, 6):
            item = await hearing.answer_item(ANA, str(n))
            await hearing.press(ANA, "✍️ Add a suggestion", item)
            replies = await hearing.say(ANA, f"Idea number {n} about the plan")
            assert "This text was not saved" in replies[-1].plain_text()
        assert alerts == 1, "the first suggestion past the limit is held, and alerted once"
        assert len(emu.messages(GROUP)) == alerts, "none of the later ones reach the group"
        stored = await query(hearing.settings.database_path, "SELECT status FROM suggestions")
        assert stored == [("visible",), ("visible",), ("pending",)]
        drafts = await query(
            hearing.settings.database_path, "SELECT COUNT(*) FROM suggestion_drafts"
        )
        assert drafts == [(3,)], "a refused text is not kept as a draft either"
    finally:
        await hearing.stop()


async def test_pre_moderation_shows_nothing_until_approved(emu: Emulator, tmp_path: Path) -> None:
    hearing = Hearing(emu, moderated(tmp_path, moderation_mode=ModerationMode.PRE))
    await hearing.start()
    try:
        sid = await hearing.suggest(ANA, "5", "Train police to respond within one hour")
        assert await status_of(hearing, sid) == "pending"
        await hearing.say(MOD1, "/queue")
        card = hearing.last(MOD1)
        assert "Pre-moderation" in card.plain_text()
        await hearing.press(MOD1, "✅ Approve", card)
        assert await status_of(hearing, sid) == "visible"
        assert "is now shown to other participants" in hearing.last(ANA).plain_text()
        assert await log_actions(hearing, sid) == ["flagged", "approve"]
    finally:
        await hearing.stop()


async def test_reports_hide_after_the_threshold_without_naming_reporters(
    mod_hearing: Hearing,
) -> None:
    sid = await mod_hearing.suggest(ANA, "10", "Journalists who disagree should be taken to task")
    await report(mod_hearing, BILAL, sid, "Personal attack")
    assert await status_of(mod_hearing, sid) == "visible", "one report hides nothing"
    await report(mod_hearing, CHAND, sid, "Off-topic")
    assert await status_of(mod_hearing, sid) == "pending"
    assert await log_actions(mod_hearing, sid) == ["report_hidden"]
    replies = await mod_hearing.open_link(DANI, f"s-{sid}")
    assert "no longer open for voting" in replies[0].plain_text()
    await mod_hearing.say(MOD1, "/queue")
    card = mod_hearing.last(MOD1).plain_text()
    assert "2 citizens' reports" in card and "Off-topic \u00d7 1" in card
    assert "Personal attack \u00d7 1" in card
    for reporter in (BILAL, CHAND):
        assert str(reporter) not in card
    assert re.search(r"Author: p[0-9a-f]{7} ", card), "the author is a pseudonym tag only"


async def test_two_moderators_never_get_or_decide_the_same_item(mod_hearing: Hearing) -> None:
    first = await mod_hearing.suggest(ANA, "3", "Call 0300-1234567 to report madrasas")
    second = await mod_hearing.suggest(BILAL, "4", "See www.example.org for the list")
    await mod_hearing.say(MOD1, "/queue")
    card1 = mod_hearing.last(MOD1)
    await mod_hearing.say(MOD2, "/queue")
    card2 = mod_hearing.last(MOD2)
    assert f"Suggestion #{first}" in card1.plain_text()
    assert f"Suggestion #{second}" in card2.plain_text(), "a claimed item goes to nobody else"
    # MOD2 presses a forged approve of the item MOD1 holds: refused, nothing changes.
    update_id = mod_hearing.emu.press_button(MOD2, card2.message_id, f"v1:qa:{first}", check=False)
    await mod_hearing.settle()
    answer = mod_hearing.emu.answer_for(update_id)
    assert answer is not None and "Another moderator is reviewing" in answer["text"]
    assert await status_of(mod_hearing, first) == "pending"
    # Both decide MOD2's item at the same moment: exactly one decision is recorded.
    mod_hearing.emu.press(MOD2, card2.message_id, "✅ Approve")
    late = mod_hearing.emu.press_button(
        MOD2, card2.message_id, f"v1:qr:{second}:spam", check=False
    )
    await mod_hearing.settle()
    assert await log_actions(mod_hearing, second) == ["flagged", "approve"]
    answer = mod_hearing.emu.answer_for(late)
    assert answer is not None and "already decided" in answer["text"]
    assert await status_of(mod_hearing, second) == "visible"


async def test_concurrent_decisions_by_two_moderators_record_one(mod_hearing: Hearing) -> None:
    sid = await mod_hearing.suggest(ANA, "3", "Mail me at a.person@example.com")
    for moderator in (MOD1, MOD2):
        await mod_hearing.say(moderator, "/help")
    # Nobody holds the item (as in the moderators' group): both decide it at the same moment.
    first = mod_hearing.emu.press_button(
        MOD1, mod_hearing.last(MOD1).message_id, f"v1:qr:{sid}:personal", check=False
    )
    second = mod_hearing.emu.press_button(
        MOD2, mod_hearing.last(MOD2).message_id, f"v1:qa:{sid}", check=False
    )
    await mod_hearing.settle()
    decisions = [a for a in await log_actions(mod_hearing, sid) if a in ("approve", "hide")]
    assert len(decisions) == 1
    assert await status_of(mod_hearing, sid) == ("hidden" if decisions == ["hide"] else "visible")
    answers = [mod_hearing.emu.answer_for(u) for u in (first, second)]
    refused = [a for a in answers if a is not None and "already decided" in str(a.get("text"))]
    assert len(refused) == 1


@pytest.mark.parametrize(
    "data", ["v1:qa:{sid}", "v1:qr:{sid}:spam", "v1:qn:{sid}:spam", "v1:qs:{sid}"]
)
async def test_citizens_cannot_moderate(mod_hearing: Hearing, data: str) -> None:
    sid = await mod_hearing.suggest(ANA, "3", "Mail me at a.person@example.com")
    replies = await mod_hearing.say(EJAZ, "/queue")
    assert "only for the hearing's moderators" in replies[0].plain_text()
    await mod_hearing.say(EJAZ, "/modlog")
    assert "only for the hearing's moderators" in mod_hearing.last(EJAZ).plain_text()
    update_id = mod_hearing.emu.press_button(
        EJAZ, mod_hearing.last(EJAZ).message_id, data.format(sid=sid), check=False
    )
    await mod_hearing.settle()
    answer = mod_hearing.emu.answer_for(update_id)
    assert answer is not None and "only for the hearing's moderators" in answer["text"]
    assert await status_of(mod_hearing, sid) == "pending"
    assert await log_actions(mod_hearing, sid) == ["flagged"]


@pytest.mark.parametrize(
    "data", ["v1:qa:999999", "v1:qr:999999:spam", "v1:qr:1:insult", "v1:qa:x"]
)
async def test_forged_moderation_buttons_change_nothing(mod_hearing: Hearing, data: str) -> None:
    await mod_hearing.say(MOD1, "/queue")
    assert "queue is empty" in mod_hearing.last(MOD1).plain_text()
    update_id = mod_hearing.emu.press_button(
        MOD1, mod_hearing.last(MOD1).message_id, data, check=False
    )
    await mod_hearing.settle()
    answer = mod_hearing.emu.answer_for(update_id)
    assert answer is not None and answer.get("show_alert") in ("true", True)
    rows = await query(mod_hearing.settings.database_path, "SELECT COUNT(*) FROM moderation_log")
    assert rows == [(0,)]


async def test_ban_hides_pending_posts_and_refuses_new_ones(mod_hearing: Hearing) -> None:
    first = await mod_hearing.suggest(ANA, "3", "Kill them all, every one of them")
    second = await mod_hearing.suggest(ANA, "4", "Their CNIC 35202-1234567-1 is known")
    shown = await mod_hearing.suggest(ANA, "5", "Train police to respond within one hour")
    await mod_hearing.say(MOD1, "/queue")
    card = mod_hearing.last(MOD1)
    assert f"Suggestion #{first}" in card.plain_text()
    await mod_hearing.press(MOD1, "⛔ Ban author", card)
    await mod_hearing.press(MOD1, "Offensive or incitement", card)
    assert [await status_of(mod_hearing, s) for s in (first, second, shown)] == [
        "hidden", "hidden", "visible",
    ]  # fmt: skip
    assert (
        "1 more of their pending posts was hidden"
        in mod_hearing.emu.messages(MOD1)[-2].plain_text()
    )
    assert await log_actions(mod_hearing, first) == ["flagged", "hide", "ban"]
    item = await mod_hearing.answer_item(ANA, "6")
    await mod_hearing.press(ANA, "✍️ Add a suggestion", item)
    replies = await mod_hearing.say(ANA, "One more idea about item six")
    assert "stopped this account from posting suggestions" in replies[-1].plain_text()
    rows = await query(mod_hearing.settings.database_path, "SELECT COUNT(*) FROM suggestions")
    assert rows == [(3,)]


async def test_second_review_goes_to_a_different_moderator(mod_hearing: Hearing) -> None:
    sid = await mod_hearing.suggest(ANA, "3", "See www.example.org/evidence for the madrasa list")
    await mod_hearing.say(MOD1, "/queue")
    card = mod_hearing.last(MOD1)
    await mod_hearing.press(MOD1, "🙈 Hide", card)
    await mod_hearing.press(MOD1, "Spam", card)
    notice = mod_hearing.last(ANA)
    assert "has hidden your suggestion" in notice.plain_text() and "Spam" in notice.plain_text()
    await mod_hearing.press(ANA, "↩️ Ask for a second review", notice)
    assert "A different moderator will look" in mod_hearing.last(ANA).plain_text()
    await mod_hearing.press_data(ANA, notice.message_id, f"v1:ap:{sid}")
    assert await log_actions(mod_hearing, sid) == ["flagged", "hide", "appeal"], "only once"
    await mod_hearing.say(MOD1, "/queue")
    assert "queue is empty" in mod_hearing.last(MOD1).plain_text(), "not back to the first"
    await mod_hearing.say(MOD2, "/queue")
    card2 = mod_hearing.last(MOD2)
    assert "asked for a second review" in card2.plain_text()
    await mod_hearing.press(MOD2, "✅ Approve", card2)
    assert await status_of(mod_hearing, sid) == "visible"
    assert "After a second review" in mod_hearing.last(ANA).plain_text()
    assert await log_actions(mod_hearing, sid) == ["flagged", "hide", "appeal", "approve"]


async def test_someone_elses_suggestion_cannot_be_appealed(mod_hearing: Hearing) -> None:
    sid = await mod_hearing.suggest(ANA, "3", "See www.example.org/evidence for the madrasa list")
    await mod_hearing.say(MOD1, "/queue")
    card = mod_hearing.last(MOD1)
    await mod_hearing.press(MOD1, "\U0001f648 Hide", card)
    await mod_hearing.press(MOD1, "Spam", card)
    await mod_hearing.say(BILAL, "/help")
    for data in (f"v1:ap:{sid}", "v1:ap:999999", "v1:ap:0"):
        update_id = mod_hearing.emu.press_button(
            BILAL, mod_hearing.last(BILAL).message_id, data, check=False
        )
        await mod_hearing.settle()
        answer = mod_hearing.emu.answer_for(update_id)
        assert answer is not None and answer.get("show_alert") in ("true", True), data
    assert await log_actions(mod_hearing, sid) == ["flagged", "hide"], "a hidden post stays so"
    await mod_hearing.press(ANA, "\u21a9\ufe0f Ask for a second review", mod_hearing.last(ANA))
    assert await log_actions(mod_hearing, sid) == ["flagged", "hide", "appeal"], "its author may"


async def test_skip_offers_the_item_to_others_first(mod_hearing: Hearing) -> None:
    first = await mod_hearing.suggest(ANA, "3", "See www.example.org/one")
    second = await mod_hearing.suggest(BILAL, "4", "See www.example.org/two")
    await mod_hearing.say(MOD1, "/queue")
    await mod_hearing.press(MOD1, "⏭ Skip", mod_hearing.last(MOD1))
    assert f"Suggestion #{second}" in mod_hearing.last(MOD1).plain_text()
    await mod_hearing.say(MOD2, "/queue")
    assert f"Suggestion #{first}" in mod_hearing.last(MOD2).plain_text()


async def test_modlog_lists_decisions_and_the_log_refuses_changes(mod_hearing: Hearing) -> None:
    sid = await mod_hearing.suggest(ANA, "3", "See www.example.org/one")
    await mod_hearing.say(MOD1, "/queue")
    await mod_hearing.press(MOD1, "✅ Approve", mod_hearing.last(MOD1))
    await mod_hearing.say(MOD1, "/modlog")
    log = mod_hearing.last(MOD1).plain_text()
    assert f"approved #{sid}" in log and f"held by the checks #{sid}" in log
    async with database_at(mod_hearing.settings.database_path) as db:
        for sql in ("UPDATE moderation_log SET reason = 'x'", "DELETE FROM moderation_log"):
            with pytest.raises(INTEGRITY_ERRORS, match="append-only"):
                async with db.transaction() as repos:
                    await repos.conn.execute(sql)


async def test_moderators_group_gets_flags_and_only_moderators_act(
    emu: Emulator, tmp_path: Path
) -> None:
    hearing = Hearing(emu, moderated(tmp_path, moderator_chat_id=GROUP))
    await hearing.start()
    try:
        emu.send_message(MOD1, "hello", chat_id=GROUP, chat_type="supergroup")
        await hearing.settle()
        sid = await hearing.suggest(ANA, "3", "See www.example.org/one")
        alert = emu.last_message(GROUP)
        assert f"Suggestion #{sid}" in alert.plain_text()
        for outsider in (EJAZ, ANONYMOUS_ADMIN):
            update_id = emu.press(outsider, alert.message_id, "✅ Approve", chat_id=GROUP)
            await hearing.settle()
            answer = emu.answer_for(update_id)
            assert answer is not None and "only for the hearing's moderators" in answer["text"]
        assert await status_of(hearing, sid) == "pending"
        emu.press(MOD2, alert.message_id, "✅ Approve", chat_id=GROUP)
        await hearing.settle()
        assert await status_of(hearing, sid) == "visible"
        assert "approved" in emu.last_message(GROUP).plain_text()
    finally:
        await hearing.stop()


async def test_an_author_who_could_not_be_told_is_told_after_a_restart(
    mod_hearing: Hearing,
) -> None:
    sid = await mod_hearing.suggest(ANA, "3", "See www.example.org/one")
    await mod_hearing.say(MOD1, "/queue")
    card = mod_hearing.last(MOD1)
    await mod_hearing.press(MOD1, "🙈 Hide", card)
    mod_hearing.emu.block(ANA)
    await mod_hearing.press(MOD1, "Spam", card)
    assert await status_of(mod_hearing, sid) == "hidden"
    mod_hearing.emu.unblock(ANA)
    await mod_hearing.say(ANA, "/help")  # unblocking: Telegram tells the bot, the citizen returns
    await mod_hearing.restart()
    assert "has hidden your suggestion" in mod_hearing.last(ANA).plain_text()


async def test_an_expired_claim_lets_another_moderator_take_the_item(
    mod_hearing: Hearing,
) -> None:
    sid = await mod_hearing.suggest(ANA, "3", "See www.example.org/one")
    await mod_hearing.say(MOD1, "/queue")
    assert f"Suggestion #{sid}" in mod_hearing.last(MOD1).plain_text()
    await mod_hearing.say(MOD2, "/queue")
    assert "queue is empty" in mod_hearing.last(MOD2).plain_text(), "held by MOD1"
    assert mod_hearing.app is not None and mod_hearing.app.bot_data.services is not None
    moderation = mod_hearing.app.bot_data.services.moderation
    later = datetime.now(UTC) + timedelta(minutes=16)
    moderation.clock = lambda: later
    await mod_hearing.say(MOD2, "/queue")
    card = mod_hearing.last(MOD2)
    assert f"Suggestion #{sid}" in card.plain_text(), "the claim lapsed after 15 minutes"
    await mod_hearing.press(MOD2, "✅ Approve", card)
    assert await status_of(mod_hearing, sid) == "visible"


async def test_erasure_removes_moderated_suggestions_but_keeps_the_log(
    mod_hearing: Hearing,
) -> None:
    sid = await mod_hearing.suggest(ANA, "3", "See www.example.org/one")
    await mod_hearing.say(MOD1, "/queue")
    card = mod_hearing.last(MOD1)
    await mod_hearing.press(MOD1, "🙈 Hide", card)
    await mod_hearing.press(MOD1, "Spam", card)
    await mod_hearing.say(ANA, "/delete")
    await mod_hearing.press(ANA, "🗑 Yes, erase everything")
    db = mod_hearing.settings.database_path
    for table in ("suggestions", "auto_flags", "moderation_queue"):
        rows = await query(db, f"SELECT COUNT(*) FROM {table}")
        assert rows == [(0,)], table
    assert await log_actions(mod_hearing, sid) == ["flagged", "hide"], "the audit trail stays"
    rows = await query(db, "SELECT COUNT(*) FROM moderation_log WHERE reason LIKE '%example%'")
    assert rows == [(0,)], "and it holds no text"


async def test_the_group_reads_english_and_an_urdu_author_is_told_in_urdu(
    emu: Emulator, tmp_path: Path
) -> None:
    hearing = Hearing(emu, moderated(tmp_path, moderator_chat_id=GROUP))
    await hearing.start()
    try:
        emu.send_message(MOD1, "hello", chat_id=GROUP, chat_type="supergroup")
        await hearing.settle()
        await hearing.say(ANA, "/language")
        await hearing.press(ANA, "اردو")
        item = await hearing.answer_item(ANA, "3", "👍 حمایت", "زیادہ")
        await hearing.press(ANA, "✍️ تجویز دیں", item)
        await hearing.say(ANA, "دیکھیں www.example.org/one")
        alert = emu.last_message(GROUP)
        assert "Suggestion #1" in alert.plain_text() and "✅ Approve" in alert.button_labels()
        await hearing.say(MOD1, "/queue")
        await hearing.press(MOD1, "🙈 Hide", hearing.last(MOD1))
        await hearing.press(MOD1, "Spam", hearing.last(MOD1))
        notice = hearing.last(ANA).plain_text()
        assert "پر آپ کی تجویز چھپا دی ہے" in notice and "دیکھیں www.example.org/one" in notice
        assert "انسداد دہشت گردی ایکشن پلان" in notice, "the Urdu plan's title"
    finally:
        await hearing.stop()
