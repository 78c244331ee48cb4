"""A citizen's copy of everything stored about them, as one JSON document.

It holds their pseudonymous id (the key of every row about them, so that they can recognise
their rows in an export) but no Telegram id of anyone, and nothing about other participants
beyond the vote counts on their own suggestions that /mine shows them as well.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.hearing.plan import Plan
from bot.model.clock import Clock
from storage.backend import Store
from storage.clock import iso

FORMAT = "hearing-bot personal data"


@dataclass(frozen=True)
class MyDataFile:
    """The document, and how many records it holds (0: nothing stored beyond the visit)."""

    content: bytes
    records: int


class MyData:
    """Gather a participant's records into their personal data file."""

    def __init__(self, db: Store, plan: Plan, clock: Clock | None = None) -> None:
        self.db = db
        self.plan = plan
        self.clock = db.now if clock is None else clock

    async def document(self, pid: str) -> MyDataFile:
        """Return everything stored about the participant as UTF-8 JSON."""
        async with self.db.reading() as repos:
            profile = await repos.personal.profile(pid)
            sections = await repos.personal.collect(pid)
        document = {
            "format": FORMAT,
            "generated_at": iso(self.clock()),
            "hearing": {"title": self.plan.title, "plan_version": self.plan.version},
            "participant": _profile(profile),
            **sections,
        }
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        return MyDataFile(text.encode("utf-8"), sum(len(rows) for rows in sections.values()))


def _profile(profile: dict[str, object] | None) -> dict[str, object]:
    if profile is None:
        return {}
    for flag in ("reachable", "updates_on"):
        profile[flag] = bool(profile[flag])
    return profile
