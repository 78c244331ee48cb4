"""Answering an item's sub-items (9.1 to 9.5...): an optional step after the whole item.

The whole-item answer stays the quick path; a sub-item's answer is a stance without a
priority, stored like any answer (item id "9.3"), so that the digest, the chart and the export
show it beside the item's.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.hearing.plan import Item, Plan
from bot.model.refusals import Refusal, Refused
from bot.model.values import Stance
from storage.backend import Store
from storage.repositories import Repositories


@dataclass(frozen=True)
class SubItemsView:
    """An item's sub-items with the citizen's answer on each."""

    item: Item
    answers: dict[str, Stance]  # sub-item id -> stance, for those answered


class SubItems:
    """Record and show answers on sub-items; each command is one transaction."""

    def __init__(self, db: Store, plan: Plan) -> None:
        self.db = db
        self.plan = plan

    async def show(self, pid: str, item_id: str) -> SubItemsView:
        """Return an item's sub-items with the citizen's answers."""
        item = self._parent(item_id)
        async with self.db.reading() as repos:
            return await self._view(repos, pid, item)

    async def record(self, pid: str, sub_id: str, stance: Stance) -> SubItemsView:
        """Record a stance on one sub-item (no priority); the same answer again is no change."""
        sub = self.plan.item(sub_id)
        if sub is None or sub.parent_id is None:
            raise Refused(Refusal.UNKNOWN_ITEM)
        item = self._parent(sub.parent_id)
        async with self.db.transaction() as repos:
            await repos.stances.record(pid, sub.id, stance, None, self.plan.version)
            return await self._view(repos, pid, item)

    async def _view(self, repos: Repositories, pid: str, item: Item) -> SubItemsView:
        answers = await repos.stances.for_participant(pid)
        found = {c.id: Stance(answers[c.id].stance) for c in item.children if c.id in answers}
        return SubItemsView(item, found)

    def _parent(self, item_id: str) -> Item:
        index = self.plan.index_of(item_id)
        if index is None or not self.plan.items[index].children:
            raise Refused(Refusal.UNKNOWN_ITEM)
        return self.plan.items[index]
