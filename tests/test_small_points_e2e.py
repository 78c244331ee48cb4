"""Small correctness points: one agreement, plurals, broadcasts' HTML and report, missed
deadlines, a Pol.is conversation per item."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import main
from bot.emulator import Emulator
from bot.hearing.privacy import pseudonym
from tests.harness import SECRET, Hearing, background, make_settings, query, use_database

DRAFTER = 7301
ANA, BILAL, CHAND, DUA = 7401, 7402, 7403, 7404
TEXT = "Register every madrasa with the government within a year"


@pytest.fixture
async def drafting(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> AsyncIterator[Hearing]:
    """A running hearing with a drafter who has opened the bot."""
    hearing = Hearing(emu, replace(make_settings(tmp_path), drafter_ids=frozenset({DRAFTER})))
    await hearing.start()
    await hearing.say(DRAFTER, "/help")
    try:
        yield hearing
    finally:
        await hearing.stop()


async def votes_of(hearing: Hearing, user: int, sid: int) -> tuple[list[object], list[object]]:
    """Return a citizen's current vote rows and vote history on a suggestion."""
    pid, db = pseudonym(SECRET, user), hearing.settings.database_path
    current = await query(db, "SELECT vote FROM votes WHERE participant_id = ?"
                          " AND suggestion_id = ?", pid, sid)  # fmt: skip
    history = await query(db, "SELECT vote FROM vote_history WHERE participant_id = ?"
                          " AND suggestion_id = ? ORDER BY id", pid, sid)  # fmt: skip
    return [r[0] for r in current], [r[0] for r in history]


async def write_similar(hearing: Hearing, user: int) -> None:
    """Write a near-copy of TEXT on item 3, up to the offer to agree instead."""
    item = await hearing.answer_item(user, "3")
    await hearing.press(user, "✍️ Add a suggestion", item)
    await hearing.say(user, TEXT.replace("within a year", "within one year"))
    assert "📝 Post mine anyway" in hearing.last(user).button_labels()


async def test_agree_instead_after_agreeing_adds_no_second_vote(hearing: Hearing) -> None:
    sid = await hearing.suggest(ANA, "3", TEXT)
    await hearing.open_link(BILAL, f"s-{sid}")
    await hearing.press(BILAL, "👍 Agree", hearing.last(BILAL))
    await write_similar(hearing, BILAL)
    offer = hearing.last(BILAL)
    data = dict(b for row in offer.buttons() for b in row)["👍 Agree with 1 instead"]
    await hearing.press(BILAL, "👍 Agree with 1 instead", offer)
    said = [m.plain_text() for m in hearing.emu.messages(BILAL)[-3:]]
    assert any("You had already agreed with that suggestion" in m for m in said)
    assert await votes_of(hearing, BILAL, sid) == (["agree"], ["agree"]), "no second row"
    drafts = await query(hearing.settings.database_path,
                         "SELECT outcome FROM suggestion_drafts WHERE participant_id = ?",
                         pseudonym(SECRET, BILAL))  # fmt: skip
    assert drafts == [("agreed",)], "the text is kept on record"
    # The same button again is refused; a citizen who disagreed before changes their vote.
    update_id = hearing.emu.press_button(BILAL, offer.message_id, data, check=False)
    await hearing.settle()
    assert "already" in str((hearing.emu.answer_for(update_id) or {}).get("text", ""))
    assert await votes_of(hearing, BILAL, sid) == (["agree"], ["agree"])
    await hearing.open_link(CHAND, f"s-{sid}")
    await hearing.press(CHAND, "👎 Disagree", hearing.last(CHAND))
    await write_similar(hearing, CHAND)
    await hearing.press(CHAND, "👍 Agree with 1 instead")
    assert await votes_of(hearing, CHAND, sid) == (["agree"], ["disagree", "agree"])


async def test_a_broadcast_keeps_its_formatting_and_its_author_gets_a_report(
    drafting: Hearing,
) -> None:
    hearing = drafting
    for user in (ANA, BILAL, CHAND):
        await hearing.say(user, "/help")
    hearing.emu.block(CHAND)
    await hearing.say(DRAFTER, "/broadcast")
    [confirm] = await hearing.say(DRAFTER, "<b>Hearing extended</b> to 30 June & beyond")
    assert "This will go to 3 participants" in confirm.plain_text()
    assert "Hearing extended to 30 June & beyond" in confirm.plain_text(), "the preview too"
    await hearing.press(DRAFTER, "📢 Send it", confirm)
    senders = background(hearing.app)
    await senders.broadcaster.wait_idle()
    await senders.outbox.wait_idle()
    update = hearing.last(ANA)
    assert "Hearing extended to 30 June & beyond" in update.plain_text()
    units = update.plain_text().encode("utf-16-le")  # entity offsets count UTF-16 units
    bold = [units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
            for e in update.entities if e["type"] == "bold"]  # fmt: skip
    assert "Hearing extended" in bold, "the drafter's <b> is bold, not shown as a tag"
    report = hearing.last(DRAFTER).plain_text()
    assert "Your update #1 (“Hearing extended to 30 June & beyond”) has finished sending" in report
    assert "Delivered: 2 · had blocked the bot: 1 · could not be delivered: 0" in report
    await hearing.restart()
    await background(hearing.app).outbox.wait_idle()
    told = [m for m in hearing.emu.messages(DRAFTER) if "has finished sending" in m.plain_text()]
    assert len(told) == 1, "told once, also after a restart"

    # Tags that are not valid Telegram HTML are shown as written; one recipient is singular.
    hearing.emu.unblock(CHAND)
    await hearing.say(CHAND, "/updates")
    await hearing.press(CHAND, hearing.last(CHAND).button_labels()[0])  # updates off
    await hearing.say(BILAL, "/updates")
    await hearing.press(BILAL, hearing.last(BILAL).button_labels()[0])
    await hearing.say(DRAFTER, "/broadcast")
    [confirm] = await hearing.say(DRAFTER, "If a < b then <i>read this")
    assert "This will go to 1 participant who has not" in confirm.plain_text()
    await hearing.press(DRAFTER, "📢 Send it", confirm)
    assert "Sending to 1 participant," in hearing.last(DRAFTER).plain_text()
    await background(hearing.app).broadcaster.wait_idle()
    assert "If a < b then <i>read this" in hearing.last(ANA).plain_text()


async def test_a_deadline_already_missed_can_be_recorded(drafting: Hearing) -> None:
    hearing = drafting
    [card] = await hearing.say(DRAFTER, "/track 3")
    await hearing.press(DRAFTER, "Deadline", card)
    [saved, shown] = await hearing.say(DRAFTER, "2026-01-15")
    assert saved.plain_text().startswith("Saved. That day has already passed")
    assert "15 Jan 2026" in shown.plain_text() or "2026-01-15" in shown.plain_text()
    status = "\n".join(m.plain_text() for m in await hearing.say(ANA, "/status"))
    assert "overdue" in status and "1 item is past its deadline and not done" in status
    await hearing.press(DRAFTER, "Deadline", shown)
    replies = await hearing.say(DRAFTER, "2026-02-30")
    assert "is not a date" in replies[0].plain_text()
    await hearing.say(DRAFTER, "2031-06-30")
    assert hearing.emu.messages(DRAFTER)[-2].plain_text() == "Saved.", "a future day: no note"


async def test_the_polis_export_has_a_conversation_per_item(
    hearing: Hearing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_three = await hearing.suggest(ANA, "3", TEXT)
    on_five = await hearing.suggest(BILAL, "5", "A rapid response unit in every province")
    await hearing.say(CHAND, "/propose")
    await hearing.say(CHAND, "Protect journalists who report on militancy")
    await hearing.open_link(DUA, f"s-{on_five}")
    await hearing.press(DUA, "👎 Disagree", hearing.last(DUA))
    await hearing.stop()
    monkeypatch.chdir(tmp_path)
    use_database(monkeypatch, hearing.settings.database_path)
    assert await asyncio.to_thread(main, ["export", "--format", "polis", "--out", "polis"]) == 0
    out = tmp_path / "polis"
    assert sorted(p.name for p in out.iterdir()) == [
        "comments.csv", "item-3", "item-5", "opinion-groups.csv", "participants-votes.csv",
        "proposals", "summary.csv", "votes.csv",
    ]  # fmt: skip

    def rows(path: Path) -> list[dict[str, str]]:
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    assert len(rows(out / "comments.csv")) == 3, "the whole hearing, as before"
    assert [r["comment-id"] for r in rows(out / "item-3" / "comments.csv")] == [str(on_three)]
    five = rows(out / "item-5" / "comments.csv")
    assert [(r["comment-id"], r["disagrees"]) for r in five] == [(str(on_five), "1")]
    assert [r["comment-id"] for r in rows(out / "item-5" / "votes.csv")] == [str(on_five)]
    assert rows(out / "item-3" / "votes.csv") == []
    whole = {r["comment-id"]: r["author-id"] for r in rows(out / "comments.csv")}
    assert five[0]["author-id"] == whole[str(on_five)], "one numbering in every folder"
    with (out / "item-5" / "summary.csv").open(encoding="utf-8", newline="") as handle:
        summary = dict(csv.reader(handle))
    assert summary["topic"].startswith("Anti-Terror Action Plan · item 5. Development of")
    assert (summary["comments"], summary["voters"], summary["commenters"]) == ("1", "1", "1")
    assert "Protect journalists" in (out / "proposals" / "comments.csv").read_text()
