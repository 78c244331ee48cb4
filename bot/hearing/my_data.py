"""A citizen's copy of everything stored about them, as one JSON document.

It holds their pseudonymous id (the key of every row about them, so that they can recognise
their rows in an export) but no Telegram id of anyone, and nothing about other participants
beyond the vote counts on their own suggestions that /mine shows them as well (as published,
bot/hearing/publishable.py: null while fewer than MIN_GROUP_SIZE people voted on one).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.hearing.plan import Plan
from bot.hearing.publishable import Publisher
from bot.model.clock import Clock
from storage.backend import Store
from storage.clock import iso
from storage.repositories import Repositories

FORMAT = "hearing-bot personal data"


@dataclass(frozen=True)
class MyDataFile:
    """The document, and how many records it holds (0: nothing stored beyond the visit)."""

    content: bytes
    records: int


class MyData:
    """Gather a participant's records into their personal data file."""

    def __init__(
        self, db: Store, plan: Plan, clock: Clock | None = None, min_group: int = 1
    ) -> None:
        self.db = db
        self.plan = plan
        self.clock = db.now if clock is None else clock
        self.min_group = min_group

    async def document(self, pid: str) -> MyDataFile:
        """Return everything stored about the participant as UTF-8 JSON."""
        async with self.db.transaction() as repos:
            profile = await repos.personal.profile(pid)
            sections = await repos.personal.collect(pid)
            await self._published_votes(repos, sections.get("suggestions", []))
        document = {
            "format": FORMAT,
            "generated_at": iso(self.clock()),
            "hearing": {"title": self.plan.title, "plan_version": self.plan.version},
            "participant": _profile(profile),
            **sections,
        }
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        return MyDataFile(text.encode("utf-8"), sum(len(rows) for rows in sections.values()))

    async def _published_votes(self, repos: Repositories, rows: list[dict[str, object]]) -> None:
        """Give the votes on their own suggestions as /mine does: published, or null."""
        votes = await Publisher.within(repos, self.min_group).votes(
            [int(str(r["id"])) for r in rows]
        )
        for row in rows:
            tally = votes[int(str(row["id"]))].figures
            row["agree_votes"] = tally.agree if tally else None
            row["disagree_votes"] = tally.disagree if tally else None


def _profile(profile: dict[str, object] | None) -> dict[str, object]:
    if profile is None:
        return {}
    for flag in ("reachable", "updates_on"):
        profile[flag] = bool(profile[flag])
    return profile
