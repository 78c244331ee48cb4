"""Fold free text (English, Roman Urdu, Urdu script) into a canonical form for comparison."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

# Arabic-script letters that Urdu writers type interchangeably (Arabic vs Urdu keyboards, old
# fonts), each mapped to one Urdu form; Arabic-Indic and Persian digits become ASCII digits.
# Applied after NFD, so letters carrying hamza or madda (U+0622-U+0626, U+06C2) arrive here
# already split into a base letter and a combining mark, dropped with the other diacritics.
ARABIC_LETTERS: dict[str, str] = {
    "\u064a": "\u06cc",  # Arabic yeh -> Farsi yeh
    "\u0649": "\u06cc",  # alef maksura -> Farsi yeh
    "\u06d2": "\u06cc",  # yeh barree -> Farsi yeh (an Arabic keyboard has no yeh barree)
    "\u0643": "\u06a9",  # Arabic kaf -> keheh
    "\u06aa": "\u06a9",  # swash kaf -> keheh
    "\u0647": "\u06c1",  # Arabic heh -> heh goal
    "\u06be": "\u06c1",  # do-chashmi heh -> heh goal (the two are often mistyped for each other)
    "\u06d5": "\u06c1",  # ae -> heh goal
    "\u0629": "\u06c1",  # teh marbuta -> heh goal
    "\u06c3": "\u06c1",  # teh marbuta goal -> heh goal
    "\u06ba": "\u0646",  # noon ghunna -> noon (an Arabic keyboard has no noon ghunna)
    "\u0671": "\u0627",  # alef wasla -> alef
    "\u0674": "",  # high hamza: NFKC splits high-hamza yeh (U+0678) into yeh + high hamza
    "\u0640": "",  # tatweel: a stretch of the baseline, not a letter
    **{chr(0x0660 + d): str(d) for d in range(10)},
    **{chr(0x06F0 + d): str(d) for d in range(10)},
}
# Deleted rather than turned into spaces, so that "doesn't" and "doesnt" fold together.
APOSTROPHES = "'\u2019\u2018\u02bc\u0060\u00b4"


_MAX_REMEMBERED = 50_000


class _CharTable(dict[int, str]):
    """A str.translate table that classifies each code point on first sight and remembers it."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        category = unicodedata.category(char)
        if char in APOSTROPHES or category[0] == "M" or category == "Cf":
            # Diacritics (zer, zabar, pesh, shadda, superscript alef, Latin accents after NFD),
            # zero-width joiners and non-joiners, bidi marks and overrides, variation selectors.
            folded = ""
        elif category[0] in "LN":
            folded = char
        else:
            # Punctuation (Latin and Arabic comma, semicolon, question mark, full stop),
            # symbols and emoji, separators, controls.
            folded = " "
        # Bounded, so that a flood of rare code points cannot grow the table without limit.
        if len(self) < _MAX_REMEMBERED:
            self[code] = folded
        return folded


_CHARS = _CharTable({ord(k): v for k, v in ARABIC_LETTERS.items()})

# Roman Urdu has no standard spelling: the same word appears as madrassa/madrasa/madrassah,
# qatl/katl, chahiye/chahye, zaroori/zaruri. Each rule rewrites ASCII letters within words
# (a word is a run of non-spaces; `fold` has already reduced spacing to single spaces), in this
# order. Which rules `normalize` uses was decided by measurement in benchmarks/matching.py, not
# by taste; docs/matching.md records the numbers, including those of the rules left out.
_END = "(?![^ ])"  # end of a word
ROMAN_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "q-k": (re.compile("q"), "k"),
    "v-w": (re.compile("v"), "w"),
    "ee-i": (re.compile("ee"), "i"),
    "oo-u": (re.compile("oo"), "u"),
    "e-i": (re.compile("e"), "i"),
    "skeleton": (re.compile("(?<=[a-z])[aeiou]"), ""),
    "skeleton-y": (re.compile("(?<=[a-z])[aeiouy]"), ""),
    # Joins the Arabic article of compounds: "wajib ul qatl" and "wajibul qatl" fold together.
    # Before "doubles", so that joining cannot leave a doubled letter for a second pass.
    "join-ul": (re.compile(f"(?<=[^ u]) u+l+{_END}"), "ul"),
    "doubles": (re.compile(r"([a-z])\1+"), r"\1"),
    # After "doubles", so that "madrassahh" loses its h in one pass too.
    "final-h": (re.compile(f"(?<=[aeiou])h{_END}"), ""),
    "plural-s": (re.compile(f"(?<=[a-z]{{3}})s{_END}"), ""),
}
DEFAULT_RULES: tuple[str, ...] = (
    "q-k",
    "v-w",
    "ee-i",
    "oo-u",
    "e-i",
    "join-ul",
    "doubles",
    "final-h",
)

# Words that carry no idea: function words, light verbs and politeness ("plz", "I think").
# Dropped before scoring so that "must be registered" and "register karna chahiye" compare on
# what they propose. Negations (not, no, nahi, na, mat, نہ, نہیں, مت) are deliberately absent:
# they reverse a proposal. Not applied by `normalize`, which moderation uses for phrases.
STOPWORDS_TEXT = """
    a an the of to in on at for from with by about as into over and or but so than then that
    this these those there it its is are was were be been being am do does did will would shall
    should must can could may might also too very just any such some i me my we our us you your
    he his she her they them their who which what how please plz pls pl kindly think opinion imo
    sir sb sahib sahab dr
    ki ke ka ko se say sey par pe per mein me main mai hai hain hay hy he ho hon hona honi hone
    tha thi thay chahiye chahye chahie chaiye chahiyen chahiay jaye jaey jae jaen jayen jaein kiya
    kia kiye kie karo kro kar karna krna karni karen karein kren k aur bhi hi to wo woh ye yeh
    jo is us un in liye lye lie mere meri khayal khyal janab bhai
    کی کے کا کو سے پر میں ہے ہیں ہو ہوں ہونا ہونی ہونے تھا تھی تھے چاہیے چاہئے چاہیئے جائے جائیں
    کیا کیے کئے کرو کریں کر کرنا کرنی اور بھی ہی تو یہ وہ جو اس ان لیے لئے کیلئے کیلیے
    میرے میری خیال جناب براہ کرم برائے مہربانی
"""


def fold(text: str, rules: Sequence[str] = DEFAULT_RULES) -> str:
    """Fold text with the given Roman Urdu rules (uncached; `normalize` is the cached default)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    # Yeh barree with hamza (U+06D3) is hamza-yeh + yeh barree written as one letter: expand it
    # before NFD splits it into yeh barree + a hamza mark, which would lose the first yeh.
    text = text.replace("\u06d3", "\u0626\u06d2")
    text = unicodedata.normalize("NFD", text).translate(_CHARS)
    text = " ".join(unicodedata.normalize("NFC", text).split())
    for name, (pattern, replacement) in ROMAN_RULES.items():
        if name in rules:
            text = pattern.sub(replacement, text)
    return text


def stopwords(rules: Sequence[str] = DEFAULT_RULES) -> frozenset[str]:
    """Return the stopword table folded with the given rules, as comparison will see it."""
    return frozenset(fold(word, rules) for word in STOPWORDS_TEXT.split())


_STOPWORDS = stopwords()


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """Fold a suggestion for comparison: Unicode, script variants, punctuation, Roman Urdu."""
    return fold(text)


@lru_cache(maxsize=8192)
def content(text: str) -> str:
    """Return the normalised text without stopwords: what two suggestions are compared on."""
    return " ".join(word for word in normalize(text).split() if word not in _STOPWORDS)
