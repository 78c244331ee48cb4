"""Every suggestion shown to citizens, newest first, a page at a time (a drafter's /suggestions).

The digest lists the period's new suggestions up to a limit; this lists all of them, so that a
drafter can read every one however many arrive.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.hearing.publishable import Publisher, with_votes
from bot.model.reports import TalliedSuggestion
from storage.backend import Store

PAGE_SIZE = 10


@dataclass(frozen=True)
class SuggestionPage:
    """One page of suggestions, newest first."""

    rows: tuple[TalliedSuggestion, ...]
    total: int  # every suggestion shown to citizens
    older: int | None  # the id the next (older) page starts below; None on the last page
    first_page: bool


class SuggestionList:
    """Page through the suggestions shown to citizens; the caller checks the drafter role."""

    def __init__(self, db: Store, min_group: int = 1, page_size: int = PAGE_SIZE) -> None:
        self.db = db
        self.min_group = min_group
        self.page_size = page_size

    async def page(self, before: int | None = None) -> SuggestionPage:
        """Return the newest suggestions, or those older than the suggestion `before`.

        With their votes as published (publishable.py): a page can be asked for at will.
        """
        async with self.db.transaction() as repos:
            rows = await repos.digests.visible_page(before, self.page_size + 1)
            total = await repos.digests.visible_count()
            votes = await Publisher.within(repos, self.min_group).votes([row.id for row in rows])
        shown = tuple(with_votes(row, votes) for row in rows[: self.page_size])
        older = shown[-1].id if len(rows) > self.page_size else None
        return SuggestionPage(shown, total, older, before is None)
