"""Queries of the public results page: when people joined, drafters' answers, plan versions."""

from __future__ import annotations

from bot.model.records import ResponseRecord
from bot.model.reports import VersionRow
from storage.repository import Repository

# Someone who took part: an answer, a suggestion or a vote (as the digest counts them). An
# erased participant's rows are gone, so they no longer count.
_TOOK_PART = (
    "(EXISTS (SELECT 1 FROM stances s WHERE s.participant_id = p.id)"
    " OR EXISTS (SELECT 1 FROM suggestions g WHERE g.participant_id = p.id)"
    " OR EXISTS (SELECT 1 FROM votes v WHERE v.participant_id = p.id))"
)


class ResultsRepository(Repository):
    """Read what the public results page shows beyond the digest's figures."""

    async def joined(self) -> list[tuple[str, int]]:
        """Count those who took part by the UTC minute they joined ('YYYY-MM-DDTHH:MM')."""
        rows = await self.fetch_all(
            f"SELECT substr(p.created_at, 1, 16), COUNT(*) FROM participants p WHERE {_TOOK_PART}"
            " GROUP BY 1 ORDER BY 1"
        )
        return [(str(r[0]), int(r[1])) for r in rows]

    async def responses(self) -> list[ResponseRecord]:
        """Return every reply and decision on a visible suggestion, oldest first."""
        rows = await self.fetch_all(
            "SELECT r.id, r.suggestion_id, r.kind, r.item_id, r.text FROM suggestion_responses r"
            " JOIN suggestions s ON s.id = r.suggestion_id WHERE s.status = 'visible'"
            " ORDER BY r.id"
        )
        return [ResponseRecord(*row) for row in rows]

    async def versions(self) -> list[VersionRow]:
        """Return every published version of the plan, oldest first."""
        rows = await self.fetch_all(
            "SELECT version, text, previous, published_at, announced_at FROM plan_versions"
            " ORDER BY published_at, seq"
        )
        return [VersionRow(*row) for row in rows]
