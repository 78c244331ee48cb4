"""A revised plan compared with the served one, item by item: changed, added, merged, dropped."""

from __future__ import annotations

import pytest

from bot.hearing.plan import Plan, parse_plan
from bot.hearing.plan_revision import ChangeKind, ItemChange, diff_plans, in_translation

OLD = """# Plan

1. Register every madrassa with the government.
2. An effective Witness Protection Program.
3. Judges protection program.
4. Ban hate speech on loudspeakers.
5. Improve forensics:
    1. DNA laboratories.
"""
FORENSICS = "5. Improve forensics:\n    1. DNA laboratories.\n"


def kinds(new: str) -> list[tuple[str, ChangeKind, str | None]]:
    """Diff OLD with a new plan: (item, kind, merged into)."""
    return [(c.item_id, c.kind, c.into_item) for c in diff_plans(parse_plan(OLD), parse_plan(new))]


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (OLD, []),
        (OLD.replace("\n1.", "\n\n1."), []),
        (
            OLD.replace("Program.", "Program, extended to judges and jail staff."),
            [("2", ChangeKind.CHANGED, None)],
        ),
        (
            OLD.replace("DNA laboratories.", "DNA laboratories in every province."),
            [("5", ChangeKind.CHANGED, None)],
        ),
        (OLD + "6. Reform the police service.\n", [("6", ChangeKind.ADDED, None)]),
        (OLD.replace(FORENSICS, ""), [("5", ChangeKind.DROPPED, None)]),
        (
            OLD.replace(FORENSICS, "").replace(
                "loudspeakers.", "loudspeakers, and improve forensics with DNA laboratories."
            ),
            [("4", ChangeKind.CHANGED, None), ("5", ChangeKind.MERGED, "4")],
        ),
    ],
    ids=["same", "layout", "changed", "sub-item", "added", "dropped", "merged"],
)
def test_changes_by_id_and_text(new: str, expected: list[tuple[str, ChangeKind, str]]) -> None:
    assert kinds(new) == expected


def test_a_change_keeps_the_old_and_the_new_wording() -> None:
    (change,) = diff_plans(parse_plan(OLD), parse_plan(OLD.replace("DNA", "DNA and ballistics")))
    assert change.old_text == "Improve forensics:\n5.1. DNA laboratories."
    assert change.new_text == "Improve forensics:\n5.1. DNA and ballistics laboratories."


BEFORE = parse_plan("# منصوبہ\n\n1. پہلا نکتہ\n2. دوسرا نکتہ\n3. تیسرا نکتہ\n")
AFTER = parse_plan("# منصوبہ\n\n1. پہلا نکتہ، بدلا ہوا\n2. دوسرا اور تیسرا نکتہ\n")


@pytest.mark.parametrize(
    ("change", "before", "after", "expected"),
    [
        (ItemChange("1", ChangeKind.CHANGED, "First.", "First, changed."), BEFORE, AFTER,
         ("پہلا نکتہ", "پہلا نکتہ، بدلا ہوا")),
        (ItemChange("3", ChangeKind.MERGED, "Third.", "Second and third.", "2"), BEFORE, AFTER,
         ("تیسرا نکتہ", "دوسرا اور تیسرا نکتہ")),
        (ItemChange("3", ChangeKind.DROPPED, "Third.", None), BEFORE, AFTER,
         ("تیسرا نکتہ", None)),
        (ItemChange("1", ChangeKind.CHANGED, "First.", "First, changed."), BEFORE, None,
         ("پہلا نکتہ", "First, changed.")),  # no translation of the revision: as written
        (ItemChange("1", ChangeKind.CHANGED, "First.", "First, changed."), None, None,
         ("First.", "First, changed.")),
    ],
)  # fmt: skip
def test_a_change_is_quoted_from_the_translations_that_have_its_items(
    change: ItemChange, before: Plan | None, after: Plan | None,
    expected: tuple[str, str | None],
) -> None:  # fmt: skip
    quoted = in_translation(change, before, after)
    assert (quoted.old_text, quoted.new_text) == expected
    assert (quoted.item_id, quoted.kind, quoted.into_item) == (
        change.item_id, change.kind, change.into_item
    )  # fmt: skip
