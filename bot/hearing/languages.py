"""The hearing in several languages: each language's plan, matched item for item."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.hearing.plan import Plan, PlanError, load_plan
from bot.model.values import Language

log = logging.getLogger(__name__)


def translation_path(plan_path: Path, language: Language) -> Path:
    """Return where a plan's translation lives: plan.md's Urdu is plan.ur.md beside it."""
    return plan_path.with_name(f"{plan_path.stem}.{language.value}{plan_path.suffix}")


def item_mismatch(original: Plan, translation: Plan) -> list[str]:
    """List the item ids one plan has and the other lacks (empty: the same items)."""
    mine = [item.id for item in original.all_items()]
    theirs = [item.id for item in translation.all_items()]
    if mine == theirs:
        return []
    return sorted(set(mine) ^ set(theirs)) or ["the items are in another order"]


def load_plans(served: Plan, plan_path: Path) -> dict[Language, Plan]:
    """Return the plan in each language that has a translation with the served plan's items.

    English is the served plan itself. A translation that is missing, unreadable or out of step
    with the served plan (a revision was published and the translation not yet) is left out,
    so that its readers see the English plan rather than items that do not match their answers.
    """
    plans = {Language.ENGLISH: served}
    for language in Language:
        path = translation_path(plan_path, language)
        if language == Language.ENGLISH or not path.exists():
            continue
        try:
            translation = load_plan(path)
        except (OSError, PlanError) as exc:
            log.warning("the %s plan is not used: %s", language.value, exc)
            continue
        if mismatch := item_mismatch(served, translation):
            log.warning("the %s plan is not used: items differ: %s", language.value, mismatch)
            continue
        plans[language] = translation
    return plans
