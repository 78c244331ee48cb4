"""Find incitement and takfir terms in a text, across spelling variants and scripts."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

import content
from bot.hearing.normalize import normalize

BLOCKLIST_DIR = Path(content.__file__).parent / "blocklist"


# Roman Urdu spellings of one short word that edit distance cannot join (too short to allow a
# typo): folded to one form in terms and texts alike.
ALIASES = {normalize(variant): normalize("se") for variant in ("say", "sey", "sy", "sai", "sei")}


def fold_words(text: str) -> tuple[str, ...]:
    """Normalise a text into the words blocklist matching compares."""
    return tuple(ALIASES.get(word, word) for word in normalize(text).split())


def allowed_edits(length: int) -> int:
    """Return how many typos a term of this many letters may carry in all and still match."""
    if length < 8:
        return 0
    return 1 if length < 12 else 2


def word_edits(a: str, b: str) -> int:
    """Return how many typos one word may carry: none in short words, where one letter
    changes the meaning ("to be" is not "to die"), more in long ones ("dushmun")."""
    return max(len(a), len(b)) // 3


@dataclass(frozen=True)
class Term:
    """One blocklisted phrase: as written in the file, and folded for comparison."""

    phrase: str
    words: tuple[str, ...]

    @property
    def compact(self) -> str:
        """Return the folded words joined without spaces."""
        return "".join(self.words)


class Blocklist:
    """Match texts against the terms of every language at once."""

    def __init__(self, phrases: list[str]) -> None:
        terms = []
        for phrase in phrases:
            folded = fold_words(phrase)
            if folded:
                terms.append(Term(phrase, folded))
        self.terms = tuple(terms)
        self.longest = max((len(t.words) for t in self.terms), default=0)

    def find(self, text: str) -> str | None:
        """Return the first blocklisted phrase the text contains on whole words, or None."""
        words = list(fold_words(text))
        if not self.terms or not words:
            return None
        runs = _runs(words, self.longest + 1)
        joined = {size: ["".join(run) for run in found] for size, found in runs.items()}
        spaced = {compact for found in joined.values() for compact in found}
        for term in self.terms:
            if term.compact in spaced:  # exact, whatever the spacing: "islamdushman"
                return term.phrase
            size = len(term.words)
            edits = allowed_edits(len(term.compact))
            if edits == 0 or size not in runs:
                continue
            near = process.extract(
                term.compact, joined[size], scorer=Levenshtein.distance, score_cutoff=edits,
                limit=None,
            )  # fmt: skip
            for _, _, index in near:
                if _word_by_word(term.words, runs[size][index]):
                    return term.phrase
        return None


def _word_by_word(term: tuple[str, ...], run: tuple[str, ...]) -> bool:
    return all(
        Levenshtein.distance(a, b) <= word_edits(a, b) for a, b in zip(term, run, strict=True)
    )


def _runs(words: list[str], longest: int) -> dict[int, list[tuple[str, ...]]]:
    """Every run of up to `longest` consecutive words, by length.

    Taking whole words keeps the word boundaries, so "changes" never matches "hang"; joining a
    run without spaces makes spacing variants meet ("wajibul qatl", "wajib ul qatl").
    """
    runs: dict[int, list[tuple[str, ...]]] = {}
    for size in range(1, min(longest, len(words)) + 1):
        runs[size] = [tuple(words[i : i + size]) for i in range(len(words) - size + 1)]
    return runs


def read_terms(path: Path) -> list[str]:
    """Read one language's blocklist file: a phrase per line, # starts a comment line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@cache
def default_blocklist() -> Blocklist:
    """Load every language's blocklist from content/blocklist/."""
    phrases: list[str] = []
    for path in sorted(BLOCKLIST_DIR.glob("*.txt")):
        phrases.extend(read_terms(path))
    return Blocklist(phrases)
