"""The services one running hearing shares between its handlers and jobs."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.config import Settings
from bot.hearing.participants import Participants
from bot.hearing.plan import Plan
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
    texts: Texts = field(default_factory=load_texts)

    @classmethod
    def build(cls, settings: Settings, db: Database, plan: Plan, secret: str) -> Services:
        """Wire the services of one hearing over an open database."""
        return cls(
            settings=settings,
            db=db,
            plan=plan,
            participants=Participants(db, secret),
            walkthrough=Walkthrough(db, plan, settings.suggestion_max_chars),
        )
