"""The services one running hearing shares between its handlers and jobs."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.config import Settings
from bot.hearing.deliberation import Deliberation
from bot.hearing.participants import Participants
from bot.hearing.plan import Plan
from bot.hearing.submissions import Submissions
from bot.hearing.walkthrough import Walkthrough
from bot.texts import Texts, load_texts
from storage.db import Database


@dataclass
class Services:
    """Dependencies handed to handlers explicitly, instead of untyped bot_data lookups."""

    settings: Settings
    db: Database
    plan: Plan
    participants: Participants
    walkthrough: Walkthrough
    deliberation: Deliberation
    submissions: Submissions
    texts: Texts = field(default_factory=load_texts)

    @classmethod
    def build(cls, settings: Settings, db: Database, plan: Plan, secret: str) -> Services:
        """Wire the services of one hearing over an open database."""
        walkthrough = Walkthrough(db, plan)
        return cls(
            settings=settings,
            db=db,
            plan=plan,
            participants=Participants(db, secret),
            walkthrough=walkthrough,
            deliberation=Deliberation(db, plan, settings.votes_per_item),
            submissions=Submissions(db, plan, walkthrough, settings.suggestion_max_chars),
        )
