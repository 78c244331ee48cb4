"""Opinion groups through the emulator: the digest's section and map, bad input, the export."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.commands.export import export_hearing
from bot.emulator import Emulator
from bot.hearing.export import ExportFormat
from bot.hearing.plan import Plan
from bot.runtime.retry import OTHER_RETRIES
from bot.senders.digests import png_size, send_digests
from tests.harness import Hearing, database_at, query
from tests.opinion_seed import Camp, pattern, pid, seed
from tests.opinion_support import (
    A_STANCES,
    B_STANCES,
    CAMP_A,
    CAMP_B,
    DRAFTER,
    KARACHI,
    MADRASSA,
    POLICE,
    Clock,
    at,
    photos,
    scheduled_digest,
    seed_camps,
    start,
    stored_labels,
    texts,
)


@pytest.fixture
def clock() -> Clock:
    """The hearing's clock, starting on 27 November at 10:00."""
    return Clock(at(27, 10))


@pytest.fixture
async def camps(
    emu: Emulator, tmp_path: Path, database_url: str | None, clock: Clock, plan: Plan
) -> AsyncIterator[Hearing]:
    """The two camps, with a drafter."""
    hearing = await start(emu, tmp_path, clock)
    await seed_camps(hearing, plan, clock)
    try:
        yield hearing
    finally:
        await hearing.stop()


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
    await camps.restart()  # the state the next digest continues from is stored
    # Camp B grows past camp A: sorted by size alone, B would now be named A.
    more_b = tuple(range(20011, 20021))
    await seed(camps.settings.database_path, plan, [Camp(more_b, B_STANCES, ["11", "12"])], clock)
    text = texts(await scheduled_digest(camps, clock, day=28))
    assert "Group A · 12 people" in text and "Group B · 20 people" in text
    labels = await stored_labels(camps.settings.database_path)
    assert {labels[pid(u)] for u in CAMP_B + more_b} == {1}


async def test_a_map_that_failed_to_send_is_sent_once_after_a_restart(
    camps: Hearing, clock: Clock
) -> None:
    camps.emu.inject_error("sendPhoto", 502, "Bad Gateway", times=1 + OTHER_RETRIES)
    assert camps.app is not None
    clock.now = at(27, 20)
    assert not await send_digests(camps.app), "the chart failed: the rest waits"
    assert photos(camps.emu.messages(DRAFTER)) == []
    await camps.restart()
    captions = [m.caption or "" for m in photos(camps.emu.messages(DRAFTER))]
    assert len(captions) == 2 and captions[1].startswith("🧭 Opinion map, 27 Nov 2026")
    await camps.restart()
    assert len(photos(camps.emu.messages(DRAFTER))) == 2, "never twice"


async def test_digest_on_demand_shows_the_groups_and_stores_nothing(camps: Hearing) -> None:
    replies = await camps.say(DRAFTER, "/digest")
    assert "Group A · 12 people" in texts(replies)
    assert (photos(replies)[-1].caption or "").startswith("🧭 Opinion map")
    assert await query(camps.settings.database_path, "SELECT * FROM opinion_runs") == []


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
            "🧭 Opinion groups: too few participants so far"
            " (fewer than 5; at least 10 are needed)."
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


async def test_the_polis_export_has_group_ids_and_the_groups_summary(
    camps: Hearing, clock: Clock, plan: Plan, tmp_path: Path
) -> None:
    await scheduled_digest(camps, clock)
    out = tmp_path / "polis"
    async with database_at(camps.settings.database_path) as db:
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
