"""Measure near-duplicate matching: scorers, thresholds, folding rules, and cost per comparison.

Run from the project root: `.venv/bin/python benchmarks/matching.py`. Reads the hand-labelled
pairs in tests/data/near_duplicates.jsonl and the seed comments; prints the tables that
docs/matching.md quotes. Takes well under a minute.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from rapidfuzz import fuzz, utils

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.hearing import matching  # noqa: E402
from bot.hearing.normalize import (  # noqa: E402
    DEFAULT_RULES,
    ROMAN_RULES,
    content,
    fold,
    normalize,
    stopwords,
)

PAIRS = ROOT / "tests" / "data" / "near_duplicates.jsonl"
SEED = ROOT / "datasets" / "seed" / "comments.jsonl"
LANGS = ("en", "roman-ur", "ur", "mixed")
THRESHOLDS = tuple(range(50, 100, 5))
FINE = tuple(range(50, 100))
# Precision counts twice as much as recall: a false "this looks like a duplicate" nags a
# citizen, a missed one only costs a near-copy in the list.
BETA = 0.5
# Spelling families of Roman Urdu words seen in the seed comments or common in such comments,
# written down by hand: a rule earns its place by folding families without merging distinct
# English words (see `words`).
FAMILIES: tuple[tuple[str, ...], ...] = (
    ("madrassa", "madrasa", "madrassah", "madrasah"),
    ("madaris", "madaaris"),
    ("masjid", "masjed"),
    ("qatl", "katl"),
    ("qatal", "katal"),
    ("wajib ul qatl", "wajib-ul-qatl", "wajibul qatl"),
    ("chahiye", "chahye", "chahie", "chaahiye"),
    ("zaroori", "zaruri", "zarori"),
    ("tankhwah", "tankhwa", "tankhuwah"),
    ("tahaffuz", "tahafuz"),
    ("mukammal", "mukamal"),
    ("imtihan", "imtehan"),
    ("istemal", "istimal"),
    ("sath", "saath"),
    ("qaumi", "kaumi"),
    ("taleem", "talim"),
    ("beroni", "beruni"),
    ("muhajireen", "muhajirin"),
    ("wapas", "wapis", "vapas"),
    ("nigrani", "nigraani"),
    ("taqreer", "taqrir", "takreer"),
    ("inaam", "inam"),
    ("jawab", "jwab", "javab"),
    ("wajib", "vajib"),
    ("qanoon", "qanun", "kanoon"),
    ("ulema", "ulama"),
    ("mulla", "mullah", "mulah"),
    ("molvi", "maulvi", "moulvi"),
    ("dushman", "dushmun"),
    ("sharai", "sharaee"),
)

Scorer = Callable[..., float]
Prep = Callable[[str], str]


@dataclass(frozen=True)
class Pair:
    """One labelled pair."""

    a: str
    b: str
    duplicate: bool
    lang: str


@dataclass(frozen=True)
class Stats:
    """Precision, recall, F1 and F0.5 of one cut."""

    precision: float
    recall: float
    f1: float
    fbeta: float
    tp: int
    fp: int
    fn: int

    def short(self) -> str:
        """Render as P/R/F1."""
        return f"{self.precision:4.2f} {self.recall:4.2f} {self.f1:4.2f}"


def load_pairs() -> list[Pair]:
    """Read the labelled set."""
    with PAIRS.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    return [Pair(r["a"], r["b"], bool(r["duplicate"]), r["lang"]) for r in rows]


def stats(scored: Iterable[tuple[float, bool]], threshold: float) -> Stats:
    """Count a cut at `threshold` (score >= threshold means "duplicate")."""
    tp = fp = fn = 0
    for score, duplicate in scored:
        hit = score >= threshold
        tp += hit and duplicate
        fp += hit and not duplicate
        fn += (not hit) and duplicate
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    b2 = BETA * BETA
    denominator = b2 * precision + recall
    fbeta = (1 + b2) * precision * recall / denominator if denominator else 0.0
    return Stats(precision, recall, f1, fbeta, tp, fp, fn)


def score_pairs(pairs: Sequence[Pair], prep: Prep, scorer: Scorer) -> list[float]:
    """Score every pair with one preprocessing and one scorer."""
    return [float(scorer(prep(p.a), prep(p.b), processor=None)) for p in pairs]


def best_cut(
    scores: Sequence[float], pairs: Sequence[Pair], thresholds: Iterable[int] = FINE
) -> tuple[int, Stats]:
    """Return the threshold with the best F0.5 (ties: the higher threshold)."""
    labelled = list(zip(scores, (p.duplicate for p in pairs), strict=True))
    cuts = [(t, stats(labelled, t)) for t in thresholds]
    return max(cuts, key=lambda cut: (round(cut[1].fbeta, 9), cut[0]))


def by_lang(scores: Sequence[float], pairs: Sequence[Pair], threshold: float) -> dict[str, Stats]:
    """Split a cut by language group, plus "all"."""
    out: dict[str, Stats] = {}
    for lang in (*LANGS, "all"):
        subset = [
            (s, p.duplicate) for s, p in zip(scores, pairs, strict=True) if lang in ("all", p.lang)
        ]
        out[lang] = stats(subset, threshold)
    return out


def scorers() -> dict[str, Scorer]:
    """Return the candidate rapidfuzz scorers."""
    names = ["ratio", "partial_ratio", "token_sort_ratio", "token_set_ratio", "token_ratio"]
    names += ["WRatio", "QRatio"]
    return {name: getattr(fuzz, name) for name in names if hasattr(fuzz, name)}


def content_with(rules: Sequence[str], drop: bool = True) -> Prep:
    """Build an uncached preprocessing: fold with `rules`, optionally drop stopwords."""
    stop = stopwords(rules) if drop else frozenset()

    def prep(text: str) -> str:
        return " ".join(w for w in fold(text, rules).split() if w not in stop)

    return prep


def preprocessings() -> dict[str, Prep]:
    """Return the preprocessings compared: none, rapidfuzz's default, ours, ours + stopwords."""
    return {
        "raw": lambda text: text,
        "default_process": utils.default_process,
        "normalize": normalize,
        "content": content,
    }


def section(title: str) -> None:
    """Print a section heading."""
    print(f"\n## {title}\n")


def header() -> str:
    """Return the per-language column heading."""
    return "".join(f"{lang:>16}" for lang in (*LANGS, "all"))


def lang_row(cut: dict[str, Stats]) -> str:
    """Render P R F1 per language."""
    return "".join(f"  {cut[lang].short()}" for lang in (*LANGS, "all"))


def sweep(pairs: Sequence[Pair]) -> dict[tuple[str, str], list[float]]:
    """Print P/R/F1 per language for every preprocessing, scorer and threshold."""
    section("Sweep: precision recall F1 per language group (P R F1), threshold 50..95")
    counts = {lang: sum(p.lang == lang for p in pairs) for lang in LANGS}
    positives = sum(p.duplicate for p in pairs)
    print(f"pairs: {len(pairs)} ({positives} duplicates); per group: {counts}")
    table: dict[tuple[str, str], list[float]] = {}
    for prep_name, prep in preprocessings().items():
        for name, scorer in scorers().items():
            scores = score_pairs(pairs, prep, scorer)
            table[prep_name, name] = scores
            print(f"\n{prep_name} + {name}\n   t{header()}")
            for t in THRESHOLDS:
                print(f"{t:4}{lang_row(by_lang(scores, pairs, t))}")
    return table


def summary(pairs: Sequence[Pair], table: dict[tuple[str, str], list[float]]) -> tuple[str, int]:
    """Print each combination's best F0.5 cut (thresholds 50..99) and return the chosen one."""
    section("Best cut per combination (max F0.5 over thresholds 50..99, step 1)")
    print(f"{'preprocessing':16}{'scorer':18}{'t':>4}{'P':>7}{'R':>7}{'F1':>7}{'F0.5':>7}")
    chosen: tuple[float, str, int] = (-1.0, "", 0)
    for (prep_name, name), scores in table.items():
        t, cut = best_cut(scores, pairs)
        print(
            f"{prep_name:16}{name:18}{t:4}{cut.precision:7.3f}{cut.recall:7.3f}"
            f"{cut.f1:7.3f}{cut.fbeta:7.3f}"
        )
        if prep_name == "content" and cut.fbeta > chosen[0]:
            chosen = (cut.fbeta, name, t)
    print(f"\nchosen (on content(), what similarity() compares): {chosen[1]} at {chosen[2]}")
    return chosen[1], chosen[2]


def ablation(pairs: Sequence[Pair], scorer: Scorer, threshold: int) -> None:
    """Print the effect of each Roman Urdu rule and of stopwords, at the best cut of each."""
    section(f"Folding rules (scorer {scorer.__name__}; best F0.5 cut; and P/R at {threshold})")
    base = tuple(DEFAULT_RULES)
    variants: list[tuple[str, Sequence[str], bool]] = [
        ("default rules + stopwords (shipped)", base, True),
        ("default rules, no stopwords", base, False),
        ("no Roman Urdu rules + stopwords", (), True),
        ("no Roman Urdu rules, no stopwords", (), False),
    ]
    for rule in ROMAN_RULES:
        if rule in base:
            variants.append((f"  without {rule}", tuple(r for r in base if r != rule), True))
        else:
            variants.append((f"  with {rule}", (*base, rule), True))
    variants.append(("  skeleton-y, no stopwords", (*base, "skeleton-y"), False))
    print(f"{'variant':40}{'best t':>7}{'P':>7}{'R':>7}{'F0.5':>7}   at {threshold}: P R F1")
    for label, rules, drop in variants:
        scores = score_pairs(pairs, content_with(rules, drop), scorer)
        t, cut = best_cut(scores, pairs)
        at = stats(zip(scores, (p.duplicate for p in pairs), strict=True), threshold)
        print(
            f"{label:40}{t:7}{cut.precision:7.3f}{cut.recall:7.3f}{cut.fbeta:7.3f}   {at.short()}"
        )


def words() -> None:
    """Print, per rule, the spelling families it folds and the distinct English words it merges."""
    section("Word level: families folded, and distinct seed/plan words merged, per rule")
    with SEED.open(encoding="utf-8") as lines:
        corpus = " ".join(json.loads(line)["text"] for line in lines if line.strip())
    corpus += " " + (SEED.parent / "plan.txt").read_text(encoding="utf-8")
    vocabulary = sorted({w for w in fold(corpus, ()).split() if w.isascii() and w.isalpha()})
    print(f"{len(FAMILIES)} families; {len(vocabulary)} distinct ASCII words in the seed and plan")
    print("families: folded by the rule alone / by the shipped rules toggled on or off for it")
    print(f"{'rule':12}{'shipped':>8}{'alone':>6}{'toggled':>8}{'merged':>7}   merged (some)")

    def families(rules: Sequence[str]) -> int:
        return sum(len({fold(v, rules) for v in family}) == 1 for family in FAMILIES)

    for name in ROMAN_RULES:
        rules = (name,)
        on = name in DEFAULT_RULES
        toggled = [r for r in DEFAULT_RULES if r != name] if on else [*DEFAULT_RULES, name]
        groups: dict[str, list[str]] = {}
        for word in vocabulary:
            groups.setdefault(fold(word, rules), []).append(word)
        merged = [g for g in groups.values() if len(g) > 1]
        examples = ", ".join("/".join(g) for g in merged[:6])
        print(
            f"{name:12}{'yes' if on else 'no':>8}{families(rules):6}{families(toggled):8}"
            f"{sum(map(len, merged)):7}   {examples}"
        )
    print(f"no rules fold {families(())} families; the shipped rules together fold", end=" ")
    print(f"{families(DEFAULT_RULES)}: {', '.join(DEFAULT_RULES)}")


def cross_validation(pairs: Sequence[Pair], folds: int = 5, seed: int = 7) -> None:
    """Estimate how well "pick scorer and threshold by F0.5" generalises (k-fold)."""
    section(f"{folds}-fold cross-validation of the selection (stratified, seed {seed})")
    rng = random.Random(seed)
    order = list(range(len(pairs)))
    rng.shuffle(order)
    order.sort(key=lambda i: pairs[i].duplicate)
    fold_of = {i: n % folds for n, i in enumerate(order)}
    table = {name: score_pairs(pairs, content, s) for name, s in scorers().items()}
    held: list[tuple[float, bool]] = []
    for k in range(folds):
        train = [i for i in range(len(pairs)) if fold_of[i] != k]
        test = [i for i in range(len(pairs)) if fold_of[i] == k]
        best: tuple[float, int, str] = (-1.0, 0, "")
        for name, scores in table.items():
            t, cut = best_cut([scores[i] for i in train], [pairs[i] for i in train])
            best = max(best, (cut.fbeta, t, name))
        _, t, name = best
        held += [(100.0 if table[name][i] >= t else 0.0, pairs[i].duplicate) for i in test]
        print(f"fold {k}: chose {name} at {t}")
    cut = stats(held, 50)
    print(f"held-out: precision {cut.precision:.3f} recall {cut.recall:.3f} F0.5 {cut.fbeta:.3f}")


def final(pairs: Sequence[Pair]) -> None:
    """Print what the shipped similarity() achieves at the shipped threshold, per language."""
    threshold = matching.DUPLICATE_THRESHOLD
    section(f"Shipped: similarity() (short-text rule included) at {threshold:g}")
    scores = [matching.similarity(p.a, p.b) for p in pairs]
    cut = by_lang(scores, pairs, threshold)
    print(
        f"{'group':10}{'pairs':>6}{'P':>7}{'R':>7}{'F1':>7}{'F0.5':>7}{'TP':>5}{'FP':>4}{'FN':>4}"
    )
    for lang in (*LANGS, "all"):
        s = cut[lang]
        n = sum(lang in ("all", p.lang) for p in pairs)
        print(
            f"{lang:10}{n:6}{s.precision:7.3f}{s.recall:7.3f}{s.f1:7.3f}{s.fbeta:7.3f}"
            f"{s.tp:5}{s.fp:4}{s.fn:4}"
        )
    for title, wrong in (("false positives", False), ("false negatives", True)):
        print(f"\n{title}:")
        for score, p in sorted(zip(scores, pairs, strict=True), key=lambda sp: -sp[0]):
            if (score >= threshold) != p.duplicate and p.duplicate == wrong:
                print(f"  {score:5.1f} [{p.lang}] {p.a!r} ~ {p.b!r}")


SHORT = (
    ("ok", "okay"),
    ("agree", "agreed"),
    ("I agree", "agree!"),
    ("good idea", "good work"),
    ("Great work", "great initiative"),
    ("thanks", "thanks a lot"),
    ("ban loudspeakers", "ban loud speakers"),
    ("Seal border", "seal borders"),
    ("Judges protection", "witness protection"),
)


def short_texts(pairs: Sequence[Pair]) -> None:
    """Print what the scorer alone would say on short texts, and what similarity() says."""
    section(f"Short texts (< {matching.MIN_WORDS} content words or < {matching.MIN_CHARS} chars)")

    def short(text: str) -> bool:
        folded = content(text)
        return len(folded) < matching.MIN_CHARS or len(folded.split()) < matching.MIN_WORDS

    affected = [p for p in pairs if short(p.a) or short(p.b)]
    print(f"labelled pairs with a short side: {len(affected)}")
    print(f"{'a':20}{'b':20}{'scorer':>8}{'similarity':>12}")
    for a, b in SHORT:
        raw = matching.SCORER(content(a), content(b), processor=None)
        print(f"{a!r:20}{b!r:20}{raw:8.1f}{matching.similarity(a, b):12.1f}")


def per_call(
    fn: Callable[[str, str], object], pairs: Sequence[tuple[str, str]], calls: int = 2000
) -> float:
    """Return microseconds per call of fn over pairs, the median of 25 timed runs."""
    loops = max(1, calls // len(pairs))
    runs = []
    for _ in range(25):
        start = time.perf_counter()
        for _ in range(loops):
            for a, b in pairs:
                fn(a, b)
        runs.append((time.perf_counter() - start) / (loops * len(pairs)) * 1e6)
    return statistics.median(runs)


def clear_caches() -> None:
    """Forget every folded text, so that a timing includes normalisation."""
    normalize.cache_clear()
    content.cache_clear()


def timing(pairs: Sequence[Pair]) -> None:
    """Print microseconds per comparison and the cost of closest() over 1,000 candidates."""
    section("Cost per comparison (median of 25 runs)")
    with SEED.open(encoding="utf-8") as lines:
        seed = [json.loads(line)["text"] for line in lines if line.strip()]
    sets = {
        "labelled-set suggestions": [(p.a, p.b) for p in pairs],
        "whole seed comments": list(pairwise(seed)),
    }
    for label, texts in sets.items():
        mean = statistics.mean(len(a) + len(b) for a, b in texts) / 2
        base = per_call(fuzz.ratio, texts)
        warm = per_call(matching.similarity, texts)

        def cold(a: str, b: str) -> float:
            clear_caches()
            return matching.similarity(a, b)

        cold_us = per_call(cold, texts, calls=1)
        print(
            f"{label} ({len(texts)} pairs, mean {mean:.0f} chars): fuzz.ratio on raw text "
            f"{base:.2f} us; similarity() cached {warm:.2f} us ({warm / base:.1f}x); "
            f"uncached {cold_us:.1f} us ({cold_us / base:.0f}x)"
        )
    section("closest() against 1,000 candidates (median of 25 runs)")
    texts = [p.a for p in pairs] + [p.b for p in pairs] + seed
    candidates = [(i, f"{texts[i % len(texts)]} {i}") for i in range(1000)]
    queries = [p.a for p in pairs[:: max(1, len(pairs) // 20)]]
    for label, cached in (("cached", True), ("uncached", False)):
        runs = []
        for _ in range(25):
            clear_caches()
            if cached:
                matching.closest(queries[0], candidates)
            start = time.perf_counter()
            for query in queries:
                if not cached:
                    clear_caches()
                matching.closest(query, candidates)
            runs.append((time.perf_counter() - start) / len(queries) * 1e3)
        print(f"{label:9} normalisation: {statistics.median(runs):.2f} ms per call")


def main() -> None:
    """Run every measurement."""
    started = time.perf_counter()
    pairs = load_pairs()
    table = sweep(pairs)
    name, threshold = summary(pairs, table)
    ablation(pairs, scorers()[name], threshold)
    words()
    cross_validation(pairs)
    short_texts(pairs)
    final(pairs)
    shipped = matching.SCORER.__name__, matching.DUPLICATE_THRESHOLD
    print(f"\nmodule: SCORER={shipped[0]} DUPLICATE_THRESHOLD={shipped[1]:g}")
    if shipped != (name, threshold):
        print("NOTE: the module's constants differ from this run's choice")
    timing(pairs)
    print(f"\ntotal {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
