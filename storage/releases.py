"""Releases: what each figure about people was last published as, and who changed it since.

The rule that decides when a figure is published again is the domain's
(bot/hearing/publishable.py); this reads and records releases, and counts exactly, from the
answers' and votes' histories, how many people's part in a figure changed since its release:
in the same statement as the figure itself, so that both come from one snapshot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from storage.repository import Repository, Row

_RELEASE = "target, figures, people, mark, released_at"
_VISIBLE = "SELECT id FROM suggestions WHERE status = 'visible'"
# Chunks of ids in one IN (...) list: well under SQLite's limit on bound parameters.
_CHUNK = 500


@dataclass(frozen=True)
class ReleaseRow:
    """A figure as it was last published."""

    target: str
    figures: str  # JSON
    people: int
    mark: int
    released_at: str


@dataclass(frozen=True)
class Answers:
    """A target's current counts, read in one statement with how many changed since release.

    `present`: answers there at the release and still here; `changed`: answers new since, or
    different from what they were then. Those there at the release and gone since (erased)
    are the release's people minus `present`.
    """

    counts: Mapping[str, tuple[int, ...]]  # by plan version for items; "" for votes
    present: int
    changed: int
    mark: int  # the newest history row id when counted


@dataclass(frozen=True)
class _Table:
    """A table of current answers, its history, what one answer is, and what is counted."""

    kind: str
    current: str
    history: str
    target: str
    values: tuple[str, ...]  # an answer's values: a change in any is a change
    part: str  # counts are kept apart by this (an item's answers by plan version)
    counts: tuple[str, ...]  # the figures, as SQL sums
    released: str  # how a release's target matches a current row
    # The target as an expression no index serves: grouped by it, the table is scanned once
    # instead of read twice through the index on (target, updated_at). `|| ''` and `+ 0`
    # mean that on SQLite and PostgreSQL alike (SQLite's unary `+` has no text form there).
    unindexed: str

    def sql(self, where: str = "", released: str = "") -> str:
        """One statement, so one snapshot: per target (and part), the counts, the total, and
        for a released target the answers read since the release, those of them present at
        the release and those changed; and the newest history row id.

        Only answers changed at or after the release are read (index on (target, updated_at)):
        one last changed before it was there, unchanged. One changed since is compared with
        its latest history row up to the release's mark; history ids are never reused
        (migration 0020), so the mark is exact.
        """
        mine = f"{{0}}.participant_id = c.participant_id AND {{0}}.{self.target} = c.{self.target}"
        same = " AND ".join(f"COALESCE(h.{v}, '') = COALESCE(c.{v}, '')" for v in self.values)
        since = (
            f"SELECT c.{self.target} AS target, COUNT(*) AS since,"
            f" SUM(CASE WHEN EXISTS (SELECT 1 FROM {self.history} p WHERE {mine.format('p')}"
            "   AND p.id <= r.mark) THEN 1 ELSE 0 END) AS present,"
            f" SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM {self.history} h WHERE {same}"
            f"   AND h.id = (SELECT MAX(l.id) FROM {self.history} l WHERE {mine.format('l')}"
            "   AND l.id <= r.mark)) THEN 1 ELSE 0 END) AS changed"
            f" FROM releases r JOIN {self.current} c ON {self.released}"
            f" AND c.updated_at >= r.released_at WHERE r.kind = '{self.kind}' {released}"
            f" GROUP BY c.{self.target}"
        )
        grouped = self.unindexed if self.part == "''" else f"{self.unindexed}, {self.part}"
        counts = (
            f"SELECT {self.unindexed} AS target, {self.part} AS part, {', '.join(self.counts)},"
            f" COUNT(*) AS total FROM {self.current} c WHERE 1 = 1 {where}"
            f" GROUP BY {grouped}"
        )
        return (
            f"WITH since AS ({since}), counts AS ({counts})"
            " SELECT counts.*, COALESCE(since.since, 0), COALESCE(since.present, 0),"
            f" COALESCE(since.changed, 0), (SELECT MAX(id) FROM {self.history})"
            " FROM counts LEFT JOIN since ON since.target = counts.target"
        )


_STANCES = _Table(
    "item", "stances", "stance_history", "item_id", ("stance", "priority", "plan_version"),
    "c.plan_version",
    tuple(f"COUNT(*) FILTER (WHERE c.stance = '{s}')" for s in ("support", "oppose", "unsure"))
    + tuple(f"COUNT(*) FILTER (WHERE c.priority = '{p}')" for p in ("high", "medium", "low")),
    "c.item_id = r.target", "c.item_id || ''",
)  # fmt: skip
_VOTES = _Table(
    "suggestion", "votes", "vote_history", "suggestion_id", ("vote",), "''",
    tuple(f"COUNT(*) FILTER (WHERE c.vote = '{v}')" for v in ("agree", "disagree", "pass")),
    "c.suggestion_id = CAST(r.target AS INTEGER)", "c.suggestion_id + 0",
)  # fmt: skip


class ReleaseRepository(Repository):
    """Read and record releases; read answers with what changed since their release."""

    async def of(self, kind: str, targets: Sequence[str] | None = None) -> dict[str, ReleaseRow]:
        """Return the releases of one kind (of the given targets, or all), by target."""
        if targets is None:
            rows = await self.fetch_all(f"SELECT {_RELEASE} FROM releases WHERE kind = ?", (kind,))
        else:
            rows = []
            for chunk in _chunks(targets):
                marks = ", ".join("?" for _ in chunk)
                rows += await self.fetch_all(
                    f"SELECT {_RELEASE} FROM releases WHERE kind = ? AND target IN ({marks})",
                    (kind, *chunk),
                )
        return {str(r[0]): ReleaseRow(str(r[0]), str(r[1]), int(r[2]), int(r[3]), str(r[4]))
                for r in rows}  # fmt: skip

    async def save(
        self, kind: str, rows: Sequence[tuple[str, str, int, int]],
        replacing: Mapping[str, ReleaseRow],
    ) -> None:  # fmt: skip
        """Record new releases (target, figures, people, mark), each only over the release it
        was decided against (`replacing`, or none): another publisher's meanwhile stays."""
        now = self.timestamp()
        params = []
        for target, figures, people, mark in rows:
            old = replacing.get(target)
            expected = (old.released_at, old.mark, old.figures) if old else (None, None, None)
            params.append((kind, target, figures, people, mark, now, *expected))
        await self.execute_many(
            "INSERT INTO releases (kind, target, figures, people, mark, released_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, target) DO UPDATE SET"
            " figures = excluded.figures, people = excluded.people, mark = excluded.mark,"
            " released_at = excluded.released_at WHERE releases.released_at = ?"
            " AND releases.mark = ? AND releases.figures = ?",
            params,
        )

    async def item_answers(self) -> dict[str, Answers]:
        """Read every item's answers by plan version, and what changed since its release."""
        return _answers(await self.fetch_all(_STANCES.sql()), len(_STANCES.counts))

    async def vote_answers(self, targets: Sequence[int] | None = None) -> dict[str, Answers]:
        """Read the votes on the given suggestions (None: every one shown to citizens, in one
        statement), and what changed since their release."""
        if targets is None:
            sql = _VOTES.sql(
                f"AND c.suggestion_id IN ({_VISIBLE})",
                f"AND r.target IN (SELECT CAST(id AS TEXT) FROM ({_VISIBLE}) AS visible)",
            )
            return _answers(await self.fetch_all(sql), len(_VOTES.counts))  # fmt: skip
        found: dict[str, Answers] = {}
        for chunk in _chunks(targets):
            marks = ", ".join("?" for _ in chunk)
            sql = _VOTES.sql(f"AND c.suggestion_id IN ({marks})", f"AND r.target IN ({marks})")
            rows = await self.fetch_all(sql, (*map(str, chunk), *chunk))
            found.update(_answers(rows, len(_VOTES.counts)))
        return found

    async def mark(self, kind: str) -> int:
        """Return the newest history row id of an item's answers or of votes (0 if none)."""
        history = {"item": "stance_history", "suggestion": "vote_history"}[kind]
        return int(await self.fetch_value(f"SELECT MAX(id) FROM {history}", default=0))

    async def visible_suggestions(self) -> list[int]:
        """Return the ids of the suggestions shown to citizens."""
        rows = await self.fetch_all(_VISIBLE)
        return [int(r[0]) for r in rows]


def _answers(rows: Sequence[Row], width: int) -> dict[str, Answers]:
    """Gather (target, part, counts..., total, since, present, changed, mark) by target."""
    counts: dict[str, dict[str, tuple[int, ...]]] = {}
    totals: dict[str, int] = {}
    latest: dict[str, tuple[int, int, int, int]] = {}
    for r in rows:
        target = str(r[0])
        counts.setdefault(target, {})[str(r[1])] = tuple(int(v or 0) for v in r[2 : 2 + width])
        totals[target] = totals.get(target, 0) + int(r[2 + width])
        since, present, changed, mark = (int(v or 0) for v in r[3 + width : 7 + width])
        latest[target] = (since, present, changed, mark)  # the same on every part's row
    found = {}
    for target, (since, present, changed, mark) in latest.items():
        # Answers last changed before the release were there then: all but those read since.
        found[target] = Answers(counts[target], totals[target] - since + present, changed, mark)
    return found


def _chunks(values: Sequence[object]) -> list[Sequence[object]]:
    return [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]
