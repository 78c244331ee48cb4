"""Lifting a moderator's ban (/unban): the author may post again and is told so."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.hearing.privacy import short_tag
from bot.model.refusals import Refusal, Refused
from bot.model.values import Language
from storage.backend import Store

MODERATION_NOTICE = "moderation_notice"  # the outbox kind of a notice to a citizen


@dataclass(frozen=True)
class Ban:
    """A banned author as moderators know them: the tag on their queue cards, and since when."""

    tag: str
    since: str


class Bans:
    """List bans and lift one; the caller checks the moderator role."""

    def __init__(self, db: Store) -> None:
        self.db = db

    async def all(self) -> list[Ban]:
        """Return every ban, oldest first."""
        async with self.db.reading() as repos:
            return [Ban(short_tag(pid), since) for pid, since in await repos.moderation.bans()]

    async def unban(
        self, moderator: str, tag: str, notice: Callable[[Language | None], str]
    ) -> str:
        """Lift the ban of the author with this tag, log it, and queue a notice to them."""
        wanted = tag.strip().lower()
        async with self.db.transaction() as repos:
            found = [pid for pid, _ in await repos.moderation.bans() if short_tag(pid) == wanted]
            if len(found) != 1:  # none, or (very unlikely) two authors with one tag
                raise Refused(Refusal.UNKNOWN_BAN, tag=wanted[:16])
            author = found[0]
            await repos.moderation.unban(author)
            await repos.moderation.log(None, moderator, "unban", short_tag(author), None, None)
            if await repos.participants.get(author) is not None:  # not erased
                chosen = await repos.participants.language(author)
                language = Language(chosen) if chosen else None
                await repos.outbox.add(author, MODERATION_NOTICE, notice(language))
        return short_tag(author)
