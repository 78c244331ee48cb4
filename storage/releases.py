"""Releases: what each figure about people was last published as, and who changed it since.

The rule that decides when a figure is published again is the domain's
(bot/hearing/publishable.py); this reads and records releases, and counts exactly, from the
answers' and votes' histories, how many people's part in a figure changed since its release.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.model.reports import ItemCounts
from storage.repository import Repository

_RELEASE = "target, figures, people, mark, released_at"
# Chunks of ids in one IN (...) list: well under SQLite's limit on bound parameters.
_CHUNK = 500


@dataclass(frozen=True)
class _Answers:
    """A table of current answers, its append-only history, and what one answer is."""

    current: str
    history: str
    target: str
    values: tuple[str, ...]


# The kinds whose changes are counted from a history: an item's answers, a suggestion's votes.
_HISTORIES = {
    "item": _Answers("stances", "stance_history", "item_id", ("stance", "priority",
                                                               "plan_version")),
    "suggestion": _Answers("votes", "vote_history", "suggestion_id", ("vote",)),
}  # fmt: skip


@dataclass(frozen=True)
class ReleaseRow:
    """A figure as it was last published."""

    target: str
    figures: str  # JSON
    people: int
    mark: int
    released_at: str


def _changes_sql(a: _Answers, where: str) -> str:
    """Count, per target, current answers present at the release and answers changed since.

    An answer is unchanged when its latest history row up to the release's mark holds the same
    values; one last changed before the release was certainly present and unchanged then.
    """
    same = " AND ".join(f"COALESCE(h.{v}, '') = COALESCE(c.{v}, '')" for v in a.values)
    mine = f"participant_id = c.participant_id AND {{0}}.{a.target} = c.{a.target}"
    return (
        f"SELECT c.{a.target},"
        f" SUM(CASE WHEN c.updated_at < r.released_at OR EXISTS (SELECT 1 FROM {a.history} p"
        f"   WHERE p.{mine.format('p')} AND p.id <= r.mark) THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN r.target IS NULL OR (c.updated_at >= r.released_at AND NOT EXISTS ("
        f"   SELECT 1 FROM {a.history} h WHERE {same} AND h.id = (SELECT MAX(l.id)"
        f"   FROM {a.history} l WHERE l.{mine.format('l')} AND l.id <= r.mark)))"
        "   THEN 1 ELSE 0 END)"
        f" FROM {a.current} c LEFT JOIN releases r"
        f" ON r.kind = ? AND r.target = CAST(c.{a.target} AS TEXT)"
        f" {where} GROUP BY c.{a.target}"
    )


class ReleaseRepository(Repository):
    """Read and record releases; count what changed in a figure since it was released."""

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

    async def save(self, kind: str, rows: Sequence[tuple[str, str, int, int]]) -> None:
        """Record new releases (target, figures, people, mark), replacing the previous ones."""
        now = self.timestamp()
        await self.execute_many(
            "INSERT INTO releases (kind, target, figures, people, mark, released_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, target) DO UPDATE SET"
            " figures = excluded.figures, people = excluded.people, mark = excluded.mark,"
            " released_at = excluded.released_at",
            [(kind, target, figures, people, mark, now) for target, figures, people, mark in rows],
        )

    async def mark(self, kind: str) -> int:
        """Return the newest history row id of a kind counted from a history (else 0)."""
        answers = _HISTORIES.get(kind)
        if answers is None:
            return 0
        return int(await self.fetch_value(f"SELECT MAX(id) FROM {answers.history}", default=0))

    async def changes(
        self, kind: str, targets: Sequence[object] | None = None
    ) -> dict[str, tuple[int, int]]:
        """Return, per target, (answers present at the release still here, answers changed).

        Changed: new since the release, or different from what it was then. Answers that were
        there and are gone (erased) are the release's people minus those still present.
        """
        answers = _HISTORIES[kind]
        if targets is None:
            rows = await self.fetch_all(_changes_sql(answers, ""), (kind,))
        else:
            rows = []
            for chunk in _chunks(targets):
                marks = ", ".join("?" for _ in chunk)
                where = f"WHERE c.{answers.target} IN ({marks})"
                rows += await self.fetch_all(_changes_sql(answers, where), (kind, *chunk))
        return {str(r[0]): (int(r[1] or 0), int(r[2] or 0)) for r in rows}

    async def item_counts(self) -> dict[str, dict[str, ItemCounts]]:
        """Count current answers and priorities per item and the plan version they were on."""
        rows = await self.fetch_all(
            "SELECT item_id, plan_version,"
            " SUM(stance = 'support'), SUM(stance = 'oppose'), SUM(stance = 'unsure'),"
            " SUM(priority = 'high'), SUM(priority = 'medium'), SUM(priority = 'low')"
            " FROM stances GROUP BY item_id, plan_version"
        )
        counts: dict[str, dict[str, ItemCounts]] = {}
        for r in rows:
            counts.setdefault(str(r[0]), {})[str(r[1])] = ItemCounts(*(int(v or 0) for v in r[2:]))
        return counts

    async def vote_counts(self, targets: Sequence[int]) -> dict[int, tuple[int, int, int]]:
        """Count current agree, disagree and pass votes of each suggestion given."""
        counts: dict[int, tuple[int, int, int]] = {}
        for chunk in _chunks(targets):
            marks = ", ".join("?" for _ in chunk)
            rows = await self.fetch_all(
                "SELECT suggestion_id, SUM(vote = 'agree'), SUM(vote = 'disagree'),"
                f" SUM(vote = 'pass') FROM votes WHERE suggestion_id IN ({marks})"
                " GROUP BY suggestion_id",
                tuple(chunk),
            )
            counts.update({int(r[0]): (int(r[1]), int(r[2]), int(r[3])) for r in rows})
        return counts

    async def visible_suggestions(self) -> list[int]:
        """Return the ids of the suggestions shown to citizens."""
        rows = await self.fetch_all("SELECT id FROM suggestions WHERE status = 'visible'")
        return [int(r[0]) for r in rows]


def _chunks(values: Sequence[object]) -> list[Sequence[object]]:
    return [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]
