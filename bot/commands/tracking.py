"""`hearing-bot tracking import FILE` and `hearing-bot publish-plan FILE`."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.hearing.languages import item_mismatch, load_plans, translation_path
from bot.hearing.plan import Problem, check_plan, load_plan, parse_plan
from bot.hearing.plan_revision import ChangeKind, PlanRevisions, Published, Translations
from bot.hearing.tracking import IMPORT, Tracking
from bot.hearing.tracking_file import read_tracking_file
from bot.model.refusals import Refused
from bot.model.values import Language
from storage.backend import open_database

PREVIEW_CHARS = 100


def _read(path: Path, err: TextIO) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{path}: cannot be read: {exc}", file=err)
        return None


def _report(path: Path, problems: list[Problem], err: TextIO) -> int:
    for problem in problems:
        print(f"{path}:{problem}", file=err)
    print(f"{path}: {len(problems)} problem(s); nothing was changed", file=err)
    return 1


def import_tracking(
    settings: Settings, path: Path, now: datetime | None = None,
    out: TextIO = sys.stdout, err: TextIO = sys.stderr,
) -> int:  # fmt: skip
    """Validate a tracking file and apply it in one transaction, or change nothing."""
    text = _read(path, err)
    if text is None:
        return 1
    moment = now or datetime.now(UTC)
    problems, applied = asyncio.run(_import(settings, path, text, moment))
    if problems:
        return _report(path, problems, err)
    print(f"{path}: OK, {applied} change(s) recorded in the tracking history", file=out)
    return 0


async def _import(
    settings: Settings, path: Path, text: str, now: datetime
) -> tuple[list[Problem], int]:
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    async with open_database(settings.database_url, settings.database_path) as db:
        plan = await PlanRevisions(db).served(load_plan(settings.plan_path))
        tracking = Tracking(db, plan)
        current = await tracking.all()
        ids = {item.id for item in plan.items}
        changes, problems = read_tracking_file(text, ids, current, today)
        if problems:
            return problems, 0
        try:
            return [], await tracking.change(changes, path.name, IMPORT, now)
        except Refused as refusal:  # checked above; a change made meanwhile can still refuse
            return [Problem(1, f"refused: {refusal.code}")], 0


def publish_plan(
    settings: Settings, path: Path, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    """Record a revised plan (and its translations beside it) as the next version and say what
    changed and who will be told."""
    text = _read(path, err)
    if text is None:
        return 1
    if problems := check_plan(text):
        return _report(path, problems, err)
    translations = _translations_beside(path, text, err)
    if translations is None:
        return 1
    try:
        published, told = asyncio.run(_publish(settings, text, translations))
    except Refused:
        print(f"{path}: this plan is the one already published; nothing changed", file=err)
        return 1
    print(f"{path}: published as version {published.version} "
          f"(replacing {published.previous})", file=out)  # fmt: skip
    for language in (language for language in Language if language is not Language.ENGLISH):
        beside = translation_path(path, language).name
        if language.value in translations:
            print(f"{language.value} translation: {beside}, published with it", file=out)
        else:
            print(f"{language.value} translation: none ({beside} is not beside it); its "
                  "readers will read the English plan", file=out)  # fmt: skip
    for change in published.changes:
        print(_describe(change.item_id, change.kind, change.into_item), file=out)
        for label, wording in (("before", change.old_text), ("now", change.new_text)):
            if wording is not None:
                print(f"    {label}: {_preview(wording)}", file=out)
    print(f"{told} citizen(s) who answered or commented on a changed item will be told what "
          "changed when the bot next starts; restart it to serve the new version.",
          file=out)  # fmt: skip
    return 0


def _translations_beside(path: Path, text: str, err: TextIO) -> dict[str, str] | None:
    """Read the plan's translations beside it (plan.ur.md); None once told why one is unusable."""
    plan, found = parse_plan(text), {}
    for language in Language:
        beside = translation_path(path, language)
        if language is Language.ENGLISH or not beside.exists():
            continue
        translated = _read(beside, err)
        if translated is None:
            return None
        if problems := check_plan(translated):
            _report(beside, problems, err)
            return None
        if mismatch := item_mismatch(plan, parse_plan(translated)):
            print(f"{beside}: its items differ from {path.name}'s: {', '.join(mismatch)}; "
                  "nothing was changed", file=err)  # fmt: skip
            return None
        found[language.value] = translated
    return found


async def _publish(settings: Settings, text: str, new: dict[str, str]) -> tuple[Published, int]:
    base = load_plan(settings.plan_path)
    async with open_database(settings.database_url, settings.database_path) as db:
        revisions = PlanRevisions(db)
        current = await revisions.served(base)
        current_text = await revisions.latest_text()
        first: dict[str, str] = {}
        if current_text is None:
            current_text = settings.plan_path.read_text(encoding="utf-8")
            # The translations served with the plan file, kept to quote its earlier wording.
            first = {language.value: translation_path(settings.plan_path, language)
                     .read_text(encoding="utf-8")
                     for language in load_plans(base, settings.plan_path)
                     if language is not Language.ENGLISH}  # fmt: skip
        published = await revisions.publish(
            current, current_text, text, Translations(new=new, current=first)
        )
        return published, await revisions.engaged(published.changes)


def _describe(item_id: str, kind: ChangeKind, into: str | None) -> str:
    if kind is ChangeKind.MERGED:
        return f"item {item_id}: merged into item {into}"
    return f"item {item_id}: {kind.value}"


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1] + "…"
