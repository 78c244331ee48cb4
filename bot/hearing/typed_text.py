"""Text people type: made safe to store and show, and the form the screening checks read."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable

from bot.hearing.normalize import fold

# Zero-width non-joiner and joiner: Urdu needs them to shape words (and emoji sequences use the
# joiner). Every other format character is invisible and only good for tricks: bidi overrides,
# embeddings, isolates and marks, zero-width spaces, word joiners, soft hyphens, tag characters.
KEPT_FORMAT = frozenset({"\u200c", "\u200d"})
# The directional controls whose effect lasts until their terminator or the end of the line:
# one left inside a value reorders everything after it (the counts after a suggestion, say).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = frozenset("\r\x0b\x0c\x85\u2028\u2029")
# Between two digits, up to three of these are how people space a number out (0300-123 4567,
# (0300) 1234567, 0300.123.4567, 0300 / 1234567); a comma is not, so that lists of figures
# (1,000,000; items 3, 4 and 5) stay apart.
DIGIT_GAP = re.compile(r"(?<=[0-9])[\s.\-\u2010-\u2015/\\()\u00b7\u2022_*]{1,3}(?=[0-9])")
_MAX_REMEMBERED = 50_000


class _Table(dict[int, str]):
    """A str.translate table that classifies each code point on first sight and remembers it."""

    def __init__(self, classify: Callable[[str], str]) -> None:
        super().__init__()
        self.classify = classify

    def __missing__(self, code: int) -> str:
        result = self.classify(chr(code))
        # Bounded, so that a flood of rare code points cannot grow the table without limit.
        if len(self) < _MAX_REMEMBERED:
            self[code] = result
        return result


def _typed(char: str) -> str:
    if char in _LINE_BREAKS:
        return "\n"
    category = unicodedata.category(char)
    if category == "Cc":
        return char if char in "\n\t" else ""
    if category == "Cf":
        return char if char in KEPT_FORMAT else ""
    return "\n" if category in ("Zl", "Zp") else char


def _screened(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Cf":
        return ""  # ZWNJ and ZWJ too: they change no letter a check looks for
    if category in ("Cc", "Zl", "Zp"):
        return " "
    if category == "Nd":
        return str(unicodedata.digit(char))  # Urdu, Arabic and fullwidth digits alike
    return char


_NO_BIDI = dict.fromkeys(map(ord, BIDI_CONTROLS))
_TYPED = _Table(_typed)
_SCREENED = _Table(_screened)


def clean_typed(text: str) -> str:
    """Return typed text safe to store and show: control and format characters removed (ZWNJ
    and ZWJ kept), every kind of line break a newline, surrounding whitespace stripped."""
    return text.replace("\r\n", "\n").translate(_TYPED).strip()


def without_bidi_controls(text: str) -> str:
    """Remove the lasting directional controls from a value put into a message."""
    return text.translate(_NO_BIDI)


def screening_form(text: str) -> str:
    """Fold text for the screening checks: NFKC, no format characters, digits in ASCII."""
    return unicodedata.normalize("NFKC", text).translate(_SCREENED)


def close_digit_gaps(text: str) -> str:
    """Remove the spaces, dots, dashes and brackets inside runs of digits (screening form)."""
    return DIGIT_GAP.sub("", text)


def repeat_key(text: str) -> str:
    """Return the key two texts share when they are the same words, however typed.

    Case, punctuation, spacing, diacritics, Arabic-script letter variants, invisible characters
    and the spacing inside numbers do not count. A hash, so that the key reveals no text and
    its index stays small.
    """
    words = fold(close_digit_gaps(screening_form(text)), rules=())
    return hashlib.blake2b(words.encode("utf-8"), digest_size=16).hexdigest()
