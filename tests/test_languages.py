"""Each language's plan: used only when it has exactly the served plan's items."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.hearing.languages import item_mismatch, load_plans, translation_path
from bot.hearing.plan import parse_plan
from bot.model.values import Language
from storage.backend import Store
from tests.harness import INTEGRITY_ERRORS

ENGLISH = "# Plan\n\n1. One\n2. Two\n    1. Two, first part\n"


@pytest.mark.parametrize(
    ("urdu", "used"),
    [
        ("# منصوبہ\n\n1. پہلا\n2. دوسرا\n    1. دوسرے کا پہلا حصہ\n", True),
        ("# منصوبہ\n\n1. پہلا\n2. دوسرا\n", False),  # a sub-item missing
        ("# منصوبہ\n\n1. پہلا\n2. دوسرا\n    1. حصہ\n3. تیسرا\n", False),  # one too many
        ("# منصوبہ\n\n1. پہلا\n3. تیسرا\n", False),  # not a valid plan
        (None, False),  # no translation
    ],
)
def test_a_translation_is_served_only_with_the_same_items(
    tmp_path: Path, urdu: str | None, used: bool
) -> None:
    path = tmp_path / "plan.md"
    path.write_text(ENGLISH, encoding="utf-8")
    if urdu is not None:
        translation_path(path, Language.URDU).write_text(urdu, encoding="utf-8")
    served = parse_plan(ENGLISH)
    plans = load_plans(served, path)
    assert plans[Language.ENGLISH] is served
    assert (Language.URDU in plans) is used
    if used:
        assert plans[Language.URDU].items[1].children[0].text == "دوسرے کا پہلا حصہ"


def test_translation_path_and_mismatch() -> None:
    assert translation_path(Path("/x/plan.md"), Language.URDU) == Path("/x/plan.ur.md")
    one, two = parse_plan("# A\n\n1. a\n"), parse_plan("# A\n\n1. a\n2. b\n")
    assert item_mismatch(one, one) == [] and item_mismatch(one, two) == ["2"]


@pytest.mark.parametrize(
    ("code", "language"),
    [("ur", Language.URDU), ("ur-PK", Language.URDU), ("UR", Language.URDU),
     ("en-GB", Language.ENGLISH), ("fr", None), ("", None), (None, None), ("urd", None)],
)  # fmt: skip
def test_a_telegram_client_language_preselects_only_languages_the_bot_has(
    code: str | None, language: Language | None
) -> None:
    assert Language.from_telegram(code) == language


async def test_only_languages_the_bot_has_are_stored(db: Store) -> None:
    async with db.transaction() as repos:
        await repos.participants.ensure("p1")
        await repos.participants.ensure("p2")
        await repos.participants.set_language("p1", "ur")
    with pytest.raises(INTEGRITY_ERRORS, match=r"(?i)check"):
        async with db.transaction() as repos:
            await repos.participants.set_language("p2", "fr")
    async with db.reading() as repos:
        assert await repos.participants.language("p1") == "ur"
        assert await repos.participants.language("p2") is None, "not chosen"
        assert await repos.participants.languages(["p1", "p2", "p3"]) == {"p1": "ur"}
