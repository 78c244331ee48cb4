"""`check-content` beyond one plan: its translations match it, the text catalogues are sound."""

from __future__ import annotations

import string
from pathlib import Path

from babel.messages.pofile import PoFileError, read_po

from bot.hearing.languages import item_mismatch, translation_path
from bot.hearing.plan import Plan, check_plan, load_plan
from bot.model.values import Language
from bot.views.texts import DEFAULT_LANGUAGE, LOCALE_DIR


def translation_problems(plan_path: Path, plan: Plan) -> list[str]:
    """Check each translation beside a plan (plan.ur.md): readable, and item for item the same."""
    problems: list[str] = []
    for language in Language:
        path = translation_path(plan_path, language)
        if language.value == DEFAULT_LANGUAGE or not path.exists():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: cannot be read: {exc}")
            continue
        if own := check_plan(text):
            problems += [f"{path}:{problem}" for problem in own]
            continue
        if mismatch := item_mismatch(plan, load_plan(path)):
            problems.append(f"{path}: items differ from {plan_path.name}: {', '.join(mismatch)}")
    return problems


def catalogue_problems(directory: Path = LOCALE_DIR) -> tuple[list[str], list[str]]:
    """Check the .po catalogues; return (problems, notes): a missing text is only a note."""
    problems: list[str] = []
    notes: list[str] = []
    catalogues: dict[str, dict[str, tuple[str, str]]] = {}
    for language in Language:
        path = directory / f"{language.value}.po"
        try:
            with path.open("rb") as handle:
                catalog = read_po(handle, abort_invalid=True)
        except (OSError, PoFileError) as exc:
            problems.append(f"{path}: cannot be read: {exc}")
            continue
        catalogues[language.value] = {
            m.context: (str(m.id), str(m.string or ""))
            for m in catalog if m.context and not m.fuzzy
        }  # fmt: skip
    english = catalogues.get(DEFAULT_LANGUAGE, {})
    for code, own in catalogues.items():
        path = directory / f"{code}.po"
        if missing := sorted(key for key in english if not own.get(key, ("", ""))[1]):
            notes.append(f"{path}: {len(missing)} text(s) shown in English: {', '.join(missing)}")
        for key, (msgid, text) in sorted(own.items()):
            if key not in english:
                problems.append(f"{path}: {key}: no such text in English")
            elif text and _fields(text) != _fields(english[key][1]):
                problems.append(f"{path}: {key}: placeholders differ from the English text")
            elif msgid != english[key][1]:
                notes.append(f"{path}: {key}: translated from an older English text")
    return problems, notes


def _fields(template: str) -> list[str]:
    try:
        return sorted(name for _, name, _, _ in string.Formatter().parse(template) if name)
    except ValueError:
        return ["(unbalanced braces)"]
