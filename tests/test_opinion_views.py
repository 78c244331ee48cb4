"""Opinion groups rendered: the digest section in both languages, the map, the Pol.is rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from types import MappingProxyType

from bot.emulator.validation import formatted
from bot.hearing.digest_model import Digest, ItemStats, Participation
from bot.hearing.opinion_groups import GroupsParams, OpinionGroups, find_groups
from bot.hearing.opinion_statements import HearingGroups, Statement
from bot.hearing.plan import DEFAULT_PLAN_PATH, load_plan
from bot.hearing.polis_layout import (
    SUMMARY_HEADER,
    participants_header,
    participants_rows,
    summary_rows,
)
from bot.views.links import Links
from bot.views.opinion_groups import opinion_blocks, render_own_place
from bot.views.opinion_map import letter, render_map
from bot.views.texts import load_texts, strip_html
from bot.views.ui import Ui
from tests.test_chart import png_size
from tests.test_texts_ur import ISOLATES, PDI, direction

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
SUGGESTION = "Register every madrassa <with> the provincial government"


def two_camps(sizes: tuple[int, int] = (8, 7)) -> list[tuple[str, str, int]]:
    """Votes of two camps on items 1-10 and suggestion 3 (item 1 and s-3 split them)."""
    votes = []
    for camp, size in enumerate(sizes):
        for n in range(size):
            person = f"c{camp}-{n}"
            for item in range(1, 11):
                agree = (item <= 5) == (camp == 0)
                votes.append((person, f"item-{item}", 1 if agree != (item == 2 + n % 8) else -1))
            votes.append((person, "s-3", 1))
    return votes


def hearing_groups(result: OpinionGroups, enough: int | None = None) -> HearingGroups:
    """Wrap a result as the service does, naming every statement it describes."""
    keys = {
        *(str(d.statement) for g in result.groups for d in g.distinctive),
        *(str(a.statement) for a in (*result.consensus, *result.divisive)),
    }
    statements = {
        k: Statement(k, "3", 3, SUGGESTION) if k == "s-3" else Statement(k, k.split("-")[1])
        for k in keys
    }
    counted = MappingProxyType(dict.fromkeys(result.membership, 11))
    enough = result.clustered if enough is None else enough
    return HearingGroups(
        result, MappingProxyType(statements), counted, enough, GroupsParams(), NOW
    )


def digest(groups: HearingGroups, plan_path: str = "") -> Digest:
    """A digest of the plan (in English, or another translation) carrying the groups."""
    plan = load_plan(DEFAULT_PLAN_PATH.with_name(plan_path)) if plan_path else load_plan()
    items = tuple(ItemStats(i.id, i.number, i.text, 5, 5, 0, None) for i in plan.items)
    return Digest(plan.title, None, NOW, Participation(0, 0, 0, 0, 0), items, (), (), (),
                  opinion=groups)  # fmt: skip


def test_the_section_names_groups_by_letter_with_shares() -> None:
    groups = hearing_groups(find_groups(two_camps()))
    text = strip_html("\n".join(opinion_blocks(load_texts(), digest(groups), Links("bot"))))
    assert "2 groups among the 15 participants with enough answers (of 15 who took part)" in text
    assert "Group A · 8 people" in text and "Group B · 7 people" in text
    assert f"👍 #3 “{SUGGESTION}” (on item 3): A 100% · B 100% agree" in text
    assert "A 👍" in text and "Most divisive" in text


def test_the_urdu_section_is_valid_and_reads_right_to_left() -> None:
    groups = hearing_groups(find_groups(two_camps()))
    blocks = opinion_blocks(load_texts("ur"), digest(groups, "plan.ur.md"), Links("bot"))
    assert len(blocks) == 5, "head, two groups, common ground, divisions"
    for block in blocks:
        plain, _ = formatted(block, "HTML", None)
        for line in plain.split("\n"):
            assert sum(c in ISOLATES for c in line) == line.count(PDI), line
            if line.strip():
                assert direction(line) == "rtl", line
    assert "گروہ \u2068A\u2069 · \u20688\u2069 افراد" in strip_html("".join(blocks))
    assert "&lt;with&gt;" in "".join(blocks), "a suggestion's text is escaped"


def test_too_few_is_one_line() -> None:
    t = load_texts()
    few = hearing_groups(find_groups(two_camps((2, 2))))
    assert opinion_blocks(t, digest(few), None) == [
        "🧭 <b>Opinion groups</b>: too few participants so far"
        " (fewer than 5; at least 10 are needed)."
    ]
    sparse = find_groups([(f"p{n}", "item-1", 1) for n in range(12)])
    assert opinion_blocks(t, digest(hearing_groups(sparse, enough=0)), None) == [
        "🧭 <b>Opinion groups</b>: too few votes so far (0 of 12 participants answered or voted"
        " at least 7 times; at least 10 are needed)."
    ]
    assert opinion_blocks(t, replace(digest(few), opinion=None), None) == []


def test_a_citizen_outside_the_groups_is_told_their_count() -> None:
    groups = hearing_groups(find_groups(two_camps()))
    plan = load_plan()
    ui = Ui(load_texts(), Links("bot"), plan, 1000)
    place = replace(groups.place_of("someone else"), counted=3)
    assert "at least 7 times (you: 3)" in render_own_place(ui, place).text
    mine = render_own_place(ui, groups.place_of("c1-2")).text
    assert "You are in <b>group B</b> (7 people)" in mine
    assert 'href="https://t.me/bot?start=s-3"' in mine, "a citizen's link opens it for voting"


def test_the_map_is_a_square_png_the_same_every_time() -> None:
    result = find_groups(two_camps())
    first, again = render_map(result), render_map(result)
    assert first == again and png_size(first) == (960, 960)
    assert render_map(result, result.positions["c0-1"]) != first, "★ marks the reader"
    assert [letter(n) for n in (0, 1, 25)] == ["A", "B", "Z"]


def test_the_map_draws_only_people_in_groups() -> None:
    result = find_groups(two_camps())
    # Someone placed on the map but in no group would be drawn if the map read `positions`.
    stray = replace(result, positions=MappingProxyType({**result.positions, "x": (90.0, 90.0)}))
    assert render_map(stray) == render_map(result)


def test_participants_votes_rows_follow_polis() -> None:
    comments, rejected = [1, 2, 3], {2}
    votes = {(0, 1): 1, (0, 2): -1, (1, 3): 0, (1, 1): -1}
    assert participants_header(comments, rejected)[5:] == ("n-disagree", "1", "3")
    rows = list(participants_rows(comments, rejected, {0: 2}, votes, {1: 0}, voters=[5]))
    assert rows == [
        [0, "", 2, 2, 1, 1, 1, ""],  # the vote on rejected comment 2 counts, has no column
        [1, 0, 0, 2, 0, 1, -1, 0],
        [5, "", 0, 0, 0, 0, "", ""],  # answered items only
    ]


def test_the_groups_summary_holds_what_was_described() -> None:
    result = find_groups(two_camps())
    rows = summary_rows(result, lambda key: int(str(key)[2:]) if str(key)[:2] == "s-" else "")
    assert all(len(row) == len(SUMMARY_HEADER) for row in rows)
    assert [r[:6] for r in rows if r[0] == "group"] == [
        ("group", 0, "", "", "", 8), ("group", 1, "", "", "", 7)
    ]  # fmt: skip
    consensus = [r for r in rows if r[0] == "consensus" and r[2] == "s-3"]
    assert [(r[1], r[3], r[4], r[6], r[8]) for r in consensus] == [
        (0, 3, "agree", 8, 8), (1, 3, "agree", 7, 7)
    ]  # fmt: skip
    assert {r[0] for r in rows} == {"group", "distinctive", "consensus", "divisive"}
