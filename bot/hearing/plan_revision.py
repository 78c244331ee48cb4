"""A revised plan: what changed by item id and text, and who is told ("you said, we did")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from rapidfuzz import fuzz, utils

from bot.hearing.languages import item_mismatch, load_plans
from bot.hearing.plan import Item, Plan, parse_plan
from bot.model.refusals import Refusal, Refused
from bot.model.reports import ChangeRow
from bot.model.values import Language
from storage.backend import Store
from storage.repositories import Repositories

# A dropped item whose words are (nearly) all found in a new or continuing item was merged
# into it: token_set_ratio is 100 when one text's words are a subset of the other's.
MERGED_SCORE = 80


class ChangeKind(StrEnum):
    """What became of an item in a revised plan."""

    CHANGED = "changed"
    ADDED = "added"
    MERGED = "merged"
    DROPPED = "dropped"


@dataclass(frozen=True)
class ItemChange:
    """One item's change between two versions of the plan."""

    item_id: str
    kind: ChangeKind
    old_text: str | None
    new_text: str | None
    into_item: str | None = None


@dataclass(frozen=True)
class Published:
    """A newly recorded version and what changed in it."""

    version: str
    previous: str
    changes: tuple[ItemChange, ...]


def wording(item: Item) -> str:
    """Return an item's full wording: its text and its numbered sub-items."""
    return "\n".join([item.text, *(f"{c.number}. {c.text}" for c in item.children)])


def diff_plans(old: Plan, new: Plan) -> list[ItemChange]:
    """Compare two plans item by item (ids kept where an item continues), in item order."""
    new_by_id = {item.id: item for item in new.items}
    changes: list[ItemChange] = []
    for item in old.items:
        kept = new_by_id.get(item.id)
        if kept is not None:
            if wording(kept) != wording(item):
                changes.append(
                    ItemChange(item.id, ChangeKind.CHANGED, wording(item), wording(kept))
                )
            continue
        into = _merged_into(item, new)
        kind = ChangeKind.MERGED if into else ChangeKind.DROPPED
        new_text = wording(into) if into else None
        changes.append(ItemChange(item.id, kind, wording(item), new_text,
                                  into.id if into else None))  # fmt: skip
    old_ids = {item.id for item in old.items}
    changes += [
        ItemChange(item.id, ChangeKind.ADDED, None, wording(item))
        for item in new.items
        if item.id not in old_ids
    ]
    return sorted(changes, key=lambda c: int(c.item_id))


def _words(item: Item) -> str:
    return " ".join([item.text, *(child.text for child in item.children)])


def _merged_into(item: Item, new: Plan) -> Item | None:
    scored = [
        (fuzz.token_set_ratio(_words(item), _words(other), processor=utils.default_process), other)
        for other in new.items
    ]
    best = max(scored, key=lambda pair: pair[0], default=None)
    return best[1] if best is not None and best[0] >= MERGED_SCORE else None


class PlanRevisions:
    """Publish revised plans, serve the latest, and queue the notices of what changed."""

    def __init__(self, db: Store) -> None:
        self.db = db

    async def served(self, default: Plan) -> Plan:
        """Return the latest published plan, or `default` if none was published."""
        async with self.db.reading() as repos:
            latest = await repos.plan_versions.latest()
        return parse_plan(latest.text) if latest else default

    async def served_plans(self, default: Plan, plan_path: Path) -> dict[Language, Plan]:
        """Return the plan served in each language: the latest published version and the
        translations published with it, or, never revised, the plan file and the
        translations beside it. A language missing here reads the English plan."""
        served = await self.served(default)
        if served is default:
            return load_plans(default, plan_path)
        return {Language.ENGLISH: served, **await self.translations(served)}

    async def translations(self, plan: Plan) -> dict[Language, Plan]:
        """Return the translations published with a version, each item for item the same."""
        async with self.db.reading() as repos:
            texts = await repos.plan_versions.translations(plan.version)
        return _matching(plan, texts)

    async def publish(
        self, current: Plan, current_text: str, text: str,
        translations: Translations | None = None,
    ) -> Published:  # fmt: skip
        """Record a revised plan as the next version, with the translations of it and of the
        plan it replaces (by language, as written); refuse one that changes nothing."""
        translations = translations or Translations()
        new = parse_plan(text)
        changes = diff_plans(current, new)
        if not changes and new.version == current.version:
            raise Refused(Refusal.PLAN_UNCHANGED)
        async with self.db.transaction() as repos:
            if await repos.plan_versions.get(current.version) is None:
                # The plan served until now is the first version: answers so far refer to it.
                await repos.plan_versions.add(current.version, current_text, None, True)
                await repos.plan_versions.add_translations(current.version, translations.current)
            if await repos.plan_versions.get(new.version) is not None:
                raise Refused(Refusal.PLAN_UNCHANGED)
            await repos.plan_versions.add(new.version, text, current.version)
            await repos.plan_versions.add_translations(new.version, translations.new)
            await repos.plan_versions.add_changes([
                ChangeRow(new.version, c.item_id, c.kind, c.old_text, c.new_text, c.into_item)
                for c in changes
            ])  # fmt: skip
        return Published(new.version, current.version, tuple(changes))

    async def engaged(self, changes: tuple[ItemChange, ...]) -> int:
        """Count the citizens who answered or commented on the changed, merged or dropped items."""
        told = [c.item_id for c in changes if c.kind is not ChangeKind.ADDED]
        async with self.db.reading() as repos:
            return len({pid for pid, _ in await repos.plan_versions.engaged(told)})

    async def latest_text(self) -> str | None:
        """Return the text of the latest published plan, or None if none was published."""
        async with self.db.reading() as repos:
            latest = await repos.plan_versions.latest()
        return latest.text if latest else None

    async def changes(self, version: str) -> list[ItemChange]:
        """Return what changed in a version."""
        async with self.db.reading() as repos:
            rows = await repos.plan_versions.changes(version)
        return [_change(row) for row in rows]

    async def previous_version(self, version: str) -> str | None:
        """Return the version a version replaced, or None."""
        async with self.db.reading() as repos:
            row = await repos.plan_versions.get(version)
        return row.previous if row else None

    async def announce(
        self, plan: Plan, render: Callable[[ItemChange, Language | None], str]
    ) -> int:
        """Queue each notice of the served version once, in each reader's language."""
        async with self.db.reading() as repos:
            row = await repos.plan_versions.get(plan.version)
            if row is None or row.announced_at is not None:
                return 0
            changes = [_change(c) for c in await repos.plan_versions.changes(plan.version)]
            told = [c for c in changes if c.kind is not ChangeKind.ADDED]
            engaged = await repos.plan_versions.engaged([c.item_id for c in told])
            chosen = await repos.participants.languages(sorted({pid for pid, _ in engaged}))
            before = await recorded_translations(repos, row.previous)
            after = _matching(plan, await repos.plan_versions.translations(plan.version))
        by_item = {c.item_id: c for c in told}

        def notice(pid: str, item_id: str) -> str:
            language = Language.stored(chosen.get(pid))
            change = by_item[item_id]
            if language is not None:
                change = in_translation(change, before.get(language), after.get(language))
            return render(change, language)

        rows: list[tuple[str, str, str, int | None]] = [
            (pid, "plan_change", notice(pid, item_id), None) for pid, item_id in engaged
        ]
        async with self.db.transaction() as repos:
            if not await repos.plan_versions.mark_announced(plan.version):
                return 0
            await repos.outbox.add_many(rows)
            for change in told:
                if change.kind in (ChangeKind.MERGED, ChangeKind.DROPPED):
                    # Nobody is left at an item the plan no longer has.
                    await repos.plan_versions.move_positions(change.item_id, change.into_item)
        return len(rows)


def in_translation(change: ItemChange, before: Plan | None, after: Plan | None) -> ItemChange:
    """Quote a change's wording from translations of the plan before and after it, where they
    have the item (else as the plan itself words it)."""
    old, new = translated_wording(change, before, after)
    return replace(change, old_text=old or change.old_text, new_text=new or change.new_text)


def translated_wording(
    change: ItemChange, before: Plan | None, after: Plan | None
) -> tuple[str | None, str | None]:
    """Return a change's wording before and after in translations of the two plans, each None
    where that translation is missing or the change has no such wording."""
    old = before.item(change.item_id) if before is not None else None
    kept = change.into_item or change.item_id
    new = after.item(kept) if after is not None and change.new_text is not None else None
    return (
        wording(old) if old is not None and change.old_text is not None else None,
        wording(new) if new is not None else None,
    )


async def recorded_translations(repos: Repositories, version: str | None) -> dict[Language, Plan]:
    """Return the translations recorded for a version that match it (none for no version)."""
    if version is None:
        return {}
    row = await repos.plan_versions.get(version)
    if row is None:
        return {}
    return _matching(parse_plan(row.text), await repos.plan_versions.translations(version))


@dataclass(frozen=True)
class Translations:
    """The texts of the translations published with a revision, and of the plan it replaces
    (kept when that plan is recorded as the first version), by language code."""

    new: dict[str, str] = field(default_factory=dict)
    current: dict[str, str] = field(default_factory=dict)


def _matching(plan: Plan, texts: dict[str, str]) -> dict[Language, Plan]:
    """Parse translations, keeping those with the plan's items (publish-plan checked them)."""
    plans = {Language(code): parse_plan(text) for code, text in texts.items()}
    return {language: p for language, p in plans.items() if not item_mismatch(plan, p)}


def _change(row: ChangeRow) -> ItemChange:
    return ItemChange(row.item_id, ChangeKind(row.kind), row.old_text, row.new_text,
                      row.into_item)  # fmt: skip
