"""Tests for the plan parser and checker (bot/hearing/plan.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.hearing.plan import (
    DEFAULT_PLAN_PATH,
    MAX_ITEM_CHARS,
    MAX_PREAMBLE_CHARS,
    Plan,
    PlanError,
    Problem,
    check_plan,
    load_plan,
    parse_plan,
)

REPO = Path(__file__).parents[1]
SEED_PLAN = REPO / "datasets" / "seed" / "plan.txt"


def seed_lines() -> list[str]:
    """Return the lines of the drafter's original plan."""
    return SEED_PLAN.read_text(encoding="utf-8").split("\n")


def seed_items() -> dict[str, str]:
    """Return the seed's item texts by id, read by indentation: 2 spaces items, 4 sub-items."""
    found: dict[str, str] = {}
    parent = ""
    for line in seed_lines():
        match = re.fullmatch(r"( +)(\d+)\. (.*)", line)
        if match is None:
            continue
        indent, number, text = match.groups()
        if len(indent) == 2:
            parent = number
            found[number] = text
        else:
            found[f"{parent}.{number}"] = text
    return found


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan()


def test_default_path_is_the_content_plan() -> None:
    assert DEFAULT_PLAN_PATH == REPO / "content" / "plan.md"


def test_title_and_top_level_items(plan: Plan) -> None:
    assert plan.title == "Anti-Terror Action Plan" == seed_lines()[0]
    assert [item.id for item in plan.items] == [str(n) for n in range(1, 21)]
    assert all(item.parent_id is None and item.number == item.id for item in plan.items)


@pytest.mark.parametrize(("item_id", "count"), [("9", 5), ("12", 5), ("13", 6)])
def test_children(plan: Plan, item_id: str, count: int) -> None:
    item = plan.item(item_id)
    assert item is not None
    assert [c.id for c in item.children] == [f"{item_id}.{n}" for n in range(1, count + 1)]
    assert all(child.parent_id == item_id and not child.children for child in item.children)


def test_only_items_9_12_13_have_children(plan: Plan) -> None:
    assert [item.id for item in plan.items if item.children] == ["9", "12", "13"]
    assert len(plan.all_items()) == 20 + 5 + 5 + 6


def test_wording_is_the_seeds_word_for_word(plan: Plan) -> None:
    expected = seed_items()
    assert len(expected) == 36
    assert {item.id: item.text for item in plan.all_items()} == expected


def test_plan_md_is_the_seed_with_only_markdown_added() -> None:
    seed = [line.strip(" ") for line in seed_lines() if line.strip()]
    ours = DEFAULT_PLAN_PATH.read_text(encoding="utf-8").split("\n")
    assert [line.strip(" ") for line in ours if line.strip()] == ["# " + seed[0], *seed[1:]]


def test_preamble_is_the_seeds(plan: Plan) -> None:
    assert plan.preamble == seed_lines()[2]
    assert plan.preamble.endswith("combat terrorism....")
    assert "country. \u00a0An outline" in plan.preamble


def test_quotes_and_spaces_survive(plan: Plan) -> None:
    item_3, item_1 = plan.item("3"), plan.item("1")
    assert item_3 is not None and item_1 is not None
    assert "\u2018Madaris\u2019" in item_3.text
    assert "battle.\u00a0 However" in item_1.text


def test_lines_point_into_the_file(plan: Plan) -> None:
    lines = DEFAULT_PLAN_PATH.read_text(encoding="utf-8").split("\n")
    for item in plan.all_items():
        assert lines[item.line - 1].strip().startswith(item.id.rsplit(".", 1)[-1] + ". ")
        assert lines[item.line - 1].endswith(item.text)


def test_lookups(plan: Plan) -> None:
    item_9_3 = plan.item("9.3")
    assert item_9_3 is not None and item_9_3.parent_id == "9"
    assert item_9_3.text == "A policy and time frame for the return of Afghan refugees."
    assert plan.item("21") is None and plan.item("9.6") is None and plan.item("") is None
    assert plan.index_of("1") == 0 and plan.index_of("20") == 19 and plan.index_of("9") == 8
    assert plan.index_of("9.1") is None and plan.index_of("21") is None
    ids = [item.id for item in plan.all_items()]
    assert ids[8:15] == ["9", "9.1", "9.2", "9.3", "9.4", "9.5", "10"]


def test_seed_plan_has_no_problems() -> None:
    assert check_plan(DEFAULT_PLAN_PATH.read_text(encoding="utf-8")) == []


def test_readme_example_is_a_valid_plan() -> None:
    readme = (REPO / "content" / "README.md").read_text(encoding="utf-8")
    section = readme.split("### How to write a plan", 1)[1]
    example = section.split("```\n", 2)[1]
    plan = parse_plan(example)
    assert [item.id for item in plan.all_items()] == ["1", "2", "2.1", "2.2", "3"]
    assert plan.preamble.count("\n\n") == 1
    item_3 = plan.item("3")
    assert item_3 is not None
    assert item_3.text == "The text of the third item,\ncontinued on the next line."


GOOD = "# Plan\n\nWhy.\n\n1. One.\n2. Two:\n    1. Two one.\n3. Three.\n"
BAD_CASES = {
    "no title": ("Why.\n\n1. One.\n", 1, "the plan has no title"),
    "empty file": ("", 1, "the plan has no title"),
    "title not level 1": ("## Plan\n1. One.\n", 1, "must be a level-1 heading"),
    "empty title": ("#\n1. One.\n", 1, "the title is empty"),
    "no items": ("# Plan\n\nWhy.\n", 3, "the plan has no items"),
    "empty item": ("# Plan\n\nWhy.\n\n1. One.\n2. Two.\n3. Three.\n4.\n", 8, "item 4 is empty"),
    "empty item with spaces": ("# Plan\n1. One.\n2.   \n", 3, "item 2 is empty"),
    "empty sub-item": ("# Plan\n1. One:\n  1. A.\n  2.\n", 4, "item 1.2 is empty"),
    "duplicate": ("# Plan\n1. One.\n2. Two.\n2. Again.\n3. Three.\n", 4, "item 2 duplicates"),
    "duplicate sub-item": (
        "# Plan\n1. a\n2. b\n3. c\n4. d\n5. e\n6. f\n7. g\n8. h\n9. i\n  1. x\n  2. y\n  2. z\n",
        13,
        "item 9.2 duplicates an earlier number",
    ),
    "skipped number": (
        "# Plan\n\n1. a\n2. b\n3. c\n\n4. d\n\n6. f\n",
        9,
        "item 6 comes after item 4 (expected 5)",
    ),
    "first is not 1": ("# Plan\n2. Two.\n", 2, "item 2 is the first item (expected 1)"),
    "sub-items out of order": (
        "# Plan\n1. One:\n  1. a\n  3. c\n",
        4,
        "item 1.3 comes after item 1.1 (expected 1.2)",
    ),
    "first sub-item is not 1": (
        "# Plan\n1. One:\n  2. b\n",
        3,
        "item 1.2 is the first sub-item of item 1 (expected 1.1)",
    ),
    "sub-item before any item": ("# Plan\nWhy.\n  1. a\n1. One.\n", 3, "sub-item 1 comes before"),
    "seed layout, items indented": ("# Plan\n  1. One.\n", 2, "sub-item 1 comes before any item"),
    "parenthesis": ("# Plan\n1. One.\n2) Two.\n", 3, "with a full stop, not '2)'"),
    "no space": ("# Plan\n1. One.\n2.Two.\n", 3, "put a space between '2.' and the text"),
    "dotted number": ("# Plan\n1. One.\n  1.1. a\n", 3, "a line cannot start with '1.1'"),
    "bullet": ("# Plan\n1. One.\n  - a\n", 3, "bullets ('- ') are not read"),
    "one-space indent": ("# Plan\n1. One.\n 2. Two.\n", 3, "item 2 is indented by one space"),
    "nested too deep": (
        "# Plan\n1. One.\n  1. a\n      1. b\n",
        4,
        "sub-item 1 is indented too deeply",
    ),
    "second heading": ("# Plan\n1. One.\n## More\n", 3, "only the first line may be a heading"),
    "stray paragraph": ("# Plan\n1. One.\n  1. a\n\nLoose.\n", 5, "to continue item 1.1"),
    "item too long": (
        "# Plan\n\n1. " + "x" * (MAX_ITEM_CHARS - 2) + "\n",
        3,
        f"item 1 is too long for one Telegram message ({MAX_ITEM_CHARS + 1:,} characters",
    ),
    "item with sub-items too long": (
        "# Plan\n1. One.\n2. Two:\n" + "".join(f"  {n}. {'y' * 500}\n" for n in range(1, 8)),
        3,
        "item 2 with its sub-items is too long",
    ),
    "emoji count twice": (
        "# Plan\n1. " + "\U0001f600" * (MAX_ITEM_CHARS // 2) + "\n",
        2,
        "item 1 is too long",
    ),
    "preamble too long": (
        "# Plan\n\n" + "p" * (MAX_PREAMBLE_CHARS + 1) + "\n\n1. One.\n",
        3,
        f"the preamble is too long for one Telegram message ({MAX_PREAMBLE_CHARS + 1:,}",
    ),
}


@pytest.mark.parametrize(("text", "line", "message"), BAD_CASES.values(), ids=BAD_CASES.keys())
def test_bad_plan_is_reported(text: str, line: int, message: str) -> None:
    problems = check_plan(text)
    assert [p for p in problems if message in p.message and p.line == line], problems
    with pytest.raises(PlanError) as raised:
        parse_plan(text)
    assert raised.value.problems == problems
    assert f"line {line}: " in str(raised.value)


def test_problem_reads_as_line_and_message() -> None:
    assert str(Problem(7, "item 4 is empty")) == "line 7: item 4 is empty"


def test_every_problem_is_reported_in_line_order() -> None:
    text = "Why.\n1. One.\n3. Three.\n3. Again.\n5.\n"
    assert [str(p) for p in check_plan(text)] == [
        "line 1: the plan has no title: the first line should be '# ' followed by the title",
        "line 3: item 3 comes after item 1 (expected 2)",
        "line 4: item 3 duplicates an earlier number",
        "line 5: item 5 comes after item 3 (expected 4)",
        "line 5: item 5 is empty",
    ]


def test_item_at_the_budget_is_accepted() -> None:
    assert check_plan("# Plan\n1. " + "x" * (MAX_ITEM_CHARS - 3) + "\n") == []


def test_preamble_at_the_budget_is_accepted() -> None:
    assert check_plan("# Plan\n" + "p" * MAX_PREAMBLE_CHARS + "\n1. One.\n") == []


def test_crlf_and_bom_are_accepted() -> None:
    plan = parse_plan("\ufeff" + GOOD.replace("\n", "\r\n"))
    assert plan == parse_plan(GOOD)
    assert plan.title == "Plan"


def test_tabs_indent_sub_items() -> None:
    plan = parse_plan(GOOD.replace("    1. Two one.", "\t1. Two one."))
    assert plan == parse_plan(GOOD)


# The Urdu full stop is not a look-alike of a hyphen: hence the noqa.
URDU_TITLE = "دہشت گردی کے خلاف لائحہ عمل"
URDU_ITEM = "مسلح افواج کے ساتھ رابطہ۔"  # noqa: RUF001
URDU_SUB_ITEM = "مدارس"


def test_urdu_items_are_accepted() -> None:
    text = f"# {URDU_TITLE}\n\n1. {URDU_ITEM}\n  1. {URDU_SUB_ITEM}\n2. {URDU_SUB_ITEM}\n"
    plan = parse_plan(text)
    assert plan.title == URDU_TITLE
    assert [(i.id, i.text) for i in plan.all_items()] == [
        ("1", URDU_ITEM),
        ("1.1", URDU_SUB_ITEM),
        ("2", URDU_SUB_ITEM),
    ]


def test_continuation_lines_keep_their_line_breaks() -> None:
    plan = parse_plan("# Plan\nWhy,\nand why.\n\nMore.\n1. One,\n   and more.\n  1. a,\n  b.\n")
    assert plan.preamble == "Why,\nand why.\n\nMore."
    one, one_one = plan.item("1"), plan.item("1.1")
    assert one is not None and one_one is not None
    assert (one.text, one_one.text) == ("One,\nand more.", "a,\nb.")


def test_item_continued_on_the_next_line_is_not_empty() -> None:
    plan = parse_plan("# Plan\n1.\n   One.\n")
    assert [(item.id, item.text, item.line) for item in plan.items] == [("1", "One.", 2)]


def test_version_is_stable_across_parses(plan: Plan) -> None:
    assert plan.version == load_plan().version
    assert re.fullmatch(r"[0-9a-f]{12}", plan.version)


def test_version_ignores_layout_but_not_wording() -> None:
    version = parse_plan(GOOD).version
    assert parse_plan(GOOD.replace("\n\n", "\n\n\n").replace("    1.", "\t1.")).version == version
    assert parse_plan(GOOD.replace("Two one.", "Two  one.")).version != version
    assert parse_plan(GOOD.replace("Why.", "Why?")).version != version
    assert parse_plan(GOOD.replace("# Plan", "# Plan B")).version != version


def test_plan_is_frozen(plan: Plan) -> None:
    with pytest.raises(AttributeError):
        plan.title = "Other"  # type: ignore[misc]
