"""A revised plan compared with the served one, item by item: changed, added, merged, dropped."""

from __future__ import annotations

import pytest

from bot.hearing.plan import parse_plan
from bot.hearing.plan_revision import ChangeKind, diff_plans

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
