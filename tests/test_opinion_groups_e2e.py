"""Opinion groups through the emulator: the digest's section and map, /groups, the export.

The camps are seeded straight into the database (tests/opinion_seed.py); a few answers go
through the real buttons. Camp A supports items 2-10 and opposes 11-19, camp B the reverse;
both support item 1 and a suggestion on item 5; they split on a suggestion on item 3.
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.commands.export import export_hearing
from bot.emulator import Emulator, SentMessage
from bot.hearing.export import ExportFormat
from bot.hearing.plan import Plan
from bot.model.values import Vote
from bot.senders.digests import png_size, send_digests
from storage.db import Database
from tests.harness import Hearing, make_settings, query
from tests.opinion_seed import Camp, pattern, pid, seed, suggest, votes

KARACHI = ZoneInfo("Asia/Karachi")
DRAFTER = 7001
CAMP_A = tuple(range(10001, 10013))  # 12 people
CAMP_B = tuple(range(20001, 20011))  # 10 people
NEWCOMER = 30001
A_STANCES = pattern([1, *range(2, 11)], range(11, 20), [20])
B_STANCES = pattern([1, *range(11, 20)], range(2, 11), [20])
MADRASSA = "Register every madrassa with the provincial government"
POLICE = "Train police to respond within one hour"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026, Karachi time."""
    return datetime(2026, 11, day, hour, minute, tzinfo=KARACHI)


class Clock:
    """A clock the test sets by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    """The hearing's clock, starting on 27 November at 10:00."""
    return Clock(at(27, 10))


async def start(emu: Emulator, tmp_path: Path, clock: Clock, min_group_size: int = 5) -> Hearing:
    """Start a hearing with one drafter who has opened the bot."""
    settings = replace(
        make_settings(tmp_path), drafter_ids=frozenset({DRAFTER}), min_group_size=min_group_size
    )
    hearing = Hearing(emu, settings, clock)
    await hearing.start()
    await hearing.say(DRAFTER, "/help")
    return hearing


@pytest.fixture
async def camps(emu: Emulator, tmp_path: Path, clock: Clock, plan: Plan) -> AsyncIterator[Hearing]:
    """Two camps of 12 and 10, a suggestion they split on, one they all agree with."""
    hearing = await start(emu, tmp_path, clock)
    path = hearing.settings.database_path
    wobble_a, wobble_b = [str(i) for i in range(2, 14)], [str(i) for i in range(11, 21)]
    await seed(
        path, plan, [Camp(CAMP_A, A_STANCES, wobble_a), Camp(CAMP_B, B_STANCES, wobble_b)], clock
    )
    split = await suggest(path, plan, CAMP_A[0], "3", MADRASSA, clock)
    await votes(path, split, CAMP_A[1:], Vote.AGREE, clock)
    await votes(path, split, CAMP_B, Vote.DISAGREE, clock)
    shared = await suggest(path, plan, CAMP_B[0], "5", POLICE, clock)
    await votes(path, shared, CAMP_A + CAMP_B[1:], Vote.AGREE, clock)
    try:
        yield hearing
    finally:
        await hearing.stop()


async def scheduled_digest(hearing: Hearing, clock: Clock, day: int = 27) -> list[SentMessage]:
    """Run the daily digest job at 20:00 on a day; return what the drafter received."""
    assert hearing.app is not None
    before = len(hearing.emu.messages(DRAFTER))
    clock.now = at(day, 20)
    assert await send_digests(hearing.app)
    return hearing.emu.messages(DRAFTER)[before:]


def texts(messages: list[SentMessage]) -> str:
    """Join the plain text of every text message."""
    return "\n".join(m.plain_text() for m in messages if m.kind == "text")


def photos(messages: list[SentMessage]) -> list[SentMessage]:
    """Return the photos among messages."""
    return [m for m in messages if m.kind == "photo"]


async def stored_labels(path: Path) -> dict[str, int]:
    """Read the latest digest's group per participant, as stored."""
    rows = await query(path, "SELECT participant_id, label FROM opinion_members")
    return {str(p): int(str(label)) for p, label in rows}


async def test_the_digest_describes_the_groups_and_sends_the_map(
    camps: Hearing, clock: Clock
) -> None:
    sent = await scheduled_digest(camps, clock)
    text = texts(sent)
    assert "🧭 Opinion groups: people who vote alike on the items and suggestions" in text
    assert "2 groups among the 22 participants with enough answers (of 22 who took part)" in text
    assert "Group A · 12 people" in text and "Group B · 10 people" in text
    assert f"👍 #1 “{MADRASSA}” (on item 3): 100% of group A agree, 0% of the others" in text
    assert f"👎 #1 “{MADRASSA}” (on item 3): 100% of group B disagree, 0% of the others" in text
    assert "92% of group A agree" in text and "90% of group B agree" in text
    assert "🤝 Common ground: every group agrees, or every group disagrees" in text
    assert f"“{POLICE}” (on item 5): A 100% · B 100% agree" in text
    assert "⚡ Most divisive: one group agrees while another disagrees" in text
    assert f"“{MADRASSA}” (on item 3): A 👍100% 👎0% · B 👍0% 👎100%" in text
    chart, drawn = photos(sent)
    assert chart.caption is not None and chart.caption.startswith("Support, unsure and oppose")
    assert drawn.caption == (
        "🧭 Opinion map, 27 Nov 2026: each dot is a participant in a group; each group has its"
        " own colour, shape and letter. Nobody is named."
    )
    assert png_size(drawn.file_bytes or b"") == (960, 960)
    labels = await stored_labels(camps.settings.database_path)
    assert len(labels) == 22, "the run is kept for the next digest"
    assert {labels[pid(u)] for u in CAMP_A} == {0} and {labels[pid(u)] for u in CAMP_B} == {1}
    await camps.restart()
    assert photos(await scheduled_digest(camps, clock)) == [], "not sent again"


async def test_group_names_stay_from_one_digest_to_the_next(
    camps: Hearing, clock: Clock, plan: Plan
) -> None:
    await scheduled_digest(camps, clock)
    # Camp B grows past camp A: sorted by size alone, B would now be named A.
    more_b = tuple(range(20011, 20021))
    await seed(camps.settings.database_path, plan, [Camp(more_b, B_STANCES, ["11", "12"])], clock)
    text = texts(await scheduled_digest(camps, clock, day=28))
    assert "Group A · 12 people" in text and "Group B · 20 people" in text
    labels = await stored_labels(camps.settings.database_path)
    assert {labels[pid(u)] for u in CAMP_B + more_b} == {1}


async def test_digest_on_demand_shows_the_groups_and_stores_nothing(camps: Hearing) -> None:
    replies = await camps.say(DRAFTER, "/digest")
    assert "Group A · 12 people" in texts(replies)
    assert (photos(replies)[-1].caption or "").startswith("🧭 Opinion map")
    assert await query(camps.settings.database_path, "SELECT * FROM opinion_runs") == []


async def test_a_citizen_sees_their_own_group_with_you_on_the_map(camps: Hearing) -> None:
    replies = await camps.say(CAMP_B[3], "/groups")
    text, drawn = replies[0].plain_text(), replies[-1]
    assert text.startswith("🧭 Where you stand")
    assert "2 so far, among 22 participants" in text
    assert "You are in group B (10 people). Nobody else is told which group you are in." in text
    assert "What sets your group apart" in text and "% of your group agree" in text
    assert f"“{POLICE}” (on item 5): A 100% · B 100% agree" in text
    assert drawn.kind == "photo" and drawn.caption is not None
    assert drawn.caption.startswith("★ is you, in group B.")
    other = await camps.say(CAMP_A[5], "/groups")
    assert "You are in group A (12 people)" in other[0].plain_text()
    assert other[-1].file_bytes != drawn.file_bytes, "each map marks its own reader only"


async def test_groups_in_urdu(camps: Hearing) -> None:
    camps.emu.send_message(CAMP_A[2], "/groups", language_code="ur")
    await camps.settle()
    text, drawn = camps.emu.messages(CAMP_A[2])
    assert text.plain_text().startswith("🧭 آپ کہاں کھڑے ہیں")
    assert "آپ گروہ \u2068A\u2069 میں ہیں (\u206812\u2069 افراد)" in text.plain_text()
    assert "آپ کے گروہ کو کیا چیز الگ کرتی ہے" in text.plain_text()
    assert drawn.caption is not None and drawn.caption.startswith(
        "★ آپ ہیں، گروہ \u2068A\u2069 میں"
    )


async def test_the_end_of_the_walkthrough_shows_where_you_stand(
    camps: Hearing, plan: Plan
) -> None:
    citizen = CAMP_B[-1]
    last = plan.items[-1].id
    await camps.say(citizen, f"/start item-{last}")
    item = camps.last(citizen)
    await camps.press(citizen, "🤔 Unsure", item)
    await camps.press(citizen, "Low", item)
    await camps.press(citizen, "Skip ➡️", item)
    summary, where, drawn = camps.emu.messages(citizen)[-3:]
    assert "you have been through the whole plan" in summary.plain_text()
    assert "You are in group B (10 people)" in where.plain_text()
    assert drawn.kind == "photo" and (drawn.caption or "").startswith("★ is you, in group B.")


async def test_a_newcomer_is_told_how_to_join_a_group(camps: Hearing) -> None:
    await camps.answer_item(NEWCOMER, "1")
    await camps.answer_item(NEWCOMER, "2", "👎 Oppose")
    replies = await camps.say(NEWCOMER, "/groups")
    assert [m.kind for m in replies] == ["text"], "no map without a group"
    assert "You are not in an opinion group yet" in replies[0].plain_text()
    assert "at least 7 times (you: 2)" in replies[0].plain_text()
    summary = await camps.say(NEWCOMER, "/help")
    assert "/groups \u2013 where you stand" in summary[0].plain_text()


async def test_too_few_participants_is_one_line(
    emu: Emulator, tmp_path: Path, clock: Clock
) -> None:
    hearing = await start(emu, tmp_path, clock)
    try:
        for citizen in (501, 502, 503):
            await hearing.answer_item(citizen, "1")
        sent = await scheduled_digest(hearing, clock)
        lines = [line for line in texts(sent).split("\n") if "Opinion groups" in line]
        assert lines == [
            "🧭 Opinion groups: too few participants so far (3; at least 10 are needed)."
        ]
        assert len(photos(sent)) == 1, "the chart only: no map"
        replies = await hearing.say(501, "/groups")
        assert [m.plain_text() for m in replies] == [
            "🧭 Opinion groups appear once enough people have answered. Send /groups again later."
        ]
    finally:
        await hearing.stop()


async def test_a_group_under_the_floor_is_neither_described_nor_drawn(
    emu: Emulator, tmp_path: Path, clock: Clock, plan: Plan
) -> None:
    # With MIN_GROUP_SIZE 8, camp B's 6 people are too few to be described as a group.
    hearing = await start(emu, tmp_path, clock, min_group_size=8)
    try:
        path = hearing.settings.database_path
        few = CAMP_B[:6]
        await seed(path, plan, [Camp(CAMP_A, A_STANCES, ["2", "3"]), Camp(few, B_STANCES)], clock)
        sent = await scheduled_digest(hearing, clock)
        text = texts(sent)
        assert "One group: the 18 participants with enough answers" in text
        assert (
            "1 smaller group(s) of fewer than 8 people were counted with the nearest group and"
            " are not described." in text
        )
        assert "Group A · 18 people" in text and "Group B" not in text
        assert "Most divisive" not in text, "no division between groups that are not shown"
        assert len(photos(sent)) == 2, "the map draws the one group"
        replies = await hearing.say(few[0], "/groups")
        assert "You are in group A (18 people)" in replies[0].plain_text()
    finally:
        await hearing.stop()


async def test_everybody_alike_is_one_group_with_no_division_invented(
    emu: Emulator, tmp_path: Path, clock: Clock, plan: Plan
) -> None:
    hearing = await start(emu, tmp_path, clock)
    try:
        everyone = CAMP_A
        alike = [Camp(everyone, pattern(range(1, 21), []))]
        await seed(hearing.settings.database_path, plan, alike, clock)
        text = texts(await scheduled_digest(hearing, clock))
        assert "One group: the 12 participants with enough answers (of 12 who took part)" in text
        assert "Group A · 12 people" in text and "nothing sets this group clearly apart" in text
        assert "👍 item 1 “" in text and ": A 100% agree" in text, "everyone agrees: consensus"
        assert "Most divisive" not in text and "Group B" not in text
    finally:
        await hearing.stop()


async def test_all_unsure_answers_count_as_passes(
    emu: Emulator, tmp_path: Path, clock: Clock, plan: Plan
) -> None:
    hearing = await start(emu, tmp_path, clock)
    try:
        path = hearing.settings.database_path
        await seed(path, plan, [Camp(CAMP_A, pattern([], [], range(1, 21)))], clock)
        text = texts(await scheduled_digest(hearing, clock))
        assert "One group: the 12 participants" in text
        assert "🤝 No common ground across every group yet." in text, "a pass agrees with nothing"
        # One more all-unsure participant among two camps is placed, and told where.
        await seed(path, plan, [Camp(CAMP_B, B_STANCES, ["11", "12", "13"])], clock)
        replies = await hearing.say(CAMP_A[0], "/groups")
        assert "You are in group" in replies[0].plain_text() and replies[-1].kind == "photo"
    finally:
        await hearing.stop()


async def test_erasure_removes_a_citizen_from_the_kept_groups(
    camps: Hearing, clock: Clock
) -> None:
    await scheduled_digest(camps, clock)
    citizen = CAMP_A[4]
    await camps.say(citizen, "/mydata")
    data = camps.last(citizen).file_bytes or b""
    assert b'"opinion_group"' in data and b'"group_label": 0' in data
    await camps.say(citizen, "/delete")
    await camps.press(citizen, "🗑 Yes, erase everything")
    labels = await stored_labels(camps.settings.database_path)
    assert pid(citizen) not in labels and len(labels) == 21
    replies = await camps.say(CAMP_A[0], "/groups")
    assert "You are in group A (11 people)" in replies[0].plain_text(), "found again without them"


async def test_the_polis_export_has_group_ids_and_the_groups_summary(
    camps: Hearing, clock: Clock, plan: Plan, tmp_path: Path
) -> None:
    await scheduled_digest(camps, clock)
    out = tmp_path / "polis"
    async with Database(camps.settings.database_path) as db:
        await export_hearing(db, plan, ExportFormat.POLIS, out, tz=KARACHI)
    with (out / "participants-votes.csv").open(encoding="utf-8", newline="") as handle:
        people = list(csv.DictReader(handle))
    assert len(people) == 22, "those who only answered items are there too"
    assert sorted(p["group-id"] for p in people) == ["0"] * 12 + ["1"] * 10
    author = next(p for p in people if p["n-comments"] == "1" and p["group-id"] == "0")
    assert author["n-votes"] == "1", "camp A's author voted on camp B's suggestion"
    with (out / "opinion-groups.csv").open(encoding="utf-8", newline="") as handle:
        described = list(csv.DictReader(handle))
    sizes = [(r["group-id"], r["participants"]) for r in described if r["section"] == "group"]
    assert sizes == [("0", "12"), ("1", "10")]
    assert {r["section"] for r in described} == {"group", "distinctive", "consensus", "divisive"}
    consensus = [r for r in described if r["section"] == "consensus" and r["comment-id"]]
    assert {(r["statement"], r["agrees"], r["votes"]) for r in consensus} == {
        ("s-2", "12", "12"), ("s-2", "9", "9")
    }  # fmt: skip
    with (out / "summary.csv").open(encoding="utf-8", newline="") as handle:
        assert dict(csv.reader(handle))["groups"] == "2"
