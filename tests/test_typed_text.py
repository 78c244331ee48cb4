"""Typed text: invisible characters removed before storing, and the screening form (#15, 8)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.hearing.blocklist import default_blocklist
from bot.hearing.screening import content_flags
from bot.hearing.typed_text import (
    BIDI_CONTROLS,
    KEPT_FORMAT,
    clean_typed,
    repeat_key,
    screening_form,
)
from bot.model.values import FlagReason

URDU = "دہشت گردی کے خلاف قومی لائحہ عمل"
# Urdu needs the zero-width non-joiner to keep letters apart that would join: it must stay.
URDU_ZWNJ = "ٹیلی\u200cویژن پر اعلان"
ZWJ_FAMILY = "👨\u200d👩\u200d👧 family"
INVISIBLE = (
    "\u202e\u202d\u202a\u202b\u202c\u2066\u2067\u2068\u2069"  # overrides, embeddings, isolates
    "\u200b\u200e\u200f\u061c\u2060\ufeff\u00ad\u180e"  # zero-width space, marks, joiners
    "\U000e0041\U000e007f"  # tag characters
    "\x00\x07\x1b\x7f"  # controls
)


def fullwidth(text: str) -> str:
    """Write ASCII letters and digits in their fullwidth forms (NFKC folds them back)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


any_text = st.text(st.characters(codec="utf-8"), max_size=60)


def test_invisible_tricks_are_removed_and_urdu_joiners_kept() -> None:
    assert clean_typed(f"Ban\u202e it{INVISIBLE} now") == "Ban it now"
    assert clean_typed(URDU_ZWNJ) == URDU_ZWNJ
    assert clean_typed(ZWJ_FAMILY) == ZWJ_FAMILY
    assert clean_typed(f"  {URDU}\u200f ") == URDU


def test_line_breaks_of_every_kind_become_newlines() -> None:
    assert clean_typed("one\r\ntwo\rthree\u2028four\u2029five\x85six") == (
        "one\ntwo\nthree\nfour\nfive\nsix"
    )


@given(any_text)
def test_clean_text_holds_no_control_or_format_character_but_zwnj_and_zwj(text: str) -> None:
    cleaned = clean_typed(text)
    for char in cleaned:
        category = unicodedata.category(char)
        assert category not in ("Zl", "Zp")
        assert category != "Cc" or char in "\n\t"
        assert category != "Cf" or char in KEPT_FORMAT
    assert clean_typed(cleaned) == cleaned, "cleaning twice changes nothing more"
    assert not BIDI_CONTROLS & set(cleaned)


@given(st.text(st.characters(categories=("L", "N", "P", "Zs")), max_size=60))
def test_text_without_invisible_characters_is_only_stripped(text: str) -> None:
    assert clean_typed(text) == text.strip()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("call 0300\u200b1234567", "number"),  # a zero-width space inside
        ("call 0300.123.4567", "number"),  # dots
        ("call (0300) 123 4567", "number"),  # brackets and spaces
        ("call 0300 / 1234567", "number"),
        ("call ۰۳۰۰۱۲۳۴۵۶۷", "number"),  # Urdu digits
        (fullwidth("call 03001234567"), "number"),
        ("call 0300-123\u2060-4567", "number"),  # a word joiner
        ("cnic 35202\u200b-1234567-1", "cnic"),
        ("mail ali\u200b@example\u200c.com", "email"),
    ],
)
def test_personal_data_is_found_through_invisible_characters_and_spacing(
    text: str, kind: str
) -> None:
    flags = content_flags(text, default_blocklist())
    assert [(f.reason, f.detail) for f in flags] == [(FlagReason.PERSONAL_DATA, kind)]


@pytest.mark.parametrize(
    "text",
    [
        "The year 2014-2015 budget of 1,000,000 rupees",
        "Items 3, 4, 5 and 6 need 20 more judges by 2027",
        "Meet on 12.03.2027 at 10:30",
    ],
)
def test_figures_are_not_taken_for_phone_numbers(text: str) -> None:
    assert content_flags(text, default_blocklist()) == []


@pytest.mark.parametrize(
    "text",
    [
        "they should be\u200b killed",
        fullwidth("they should be killed"),
        "they should be\u00adkilled",
    ],
)
def test_the_blocklist_reads_the_screening_form(text: str) -> None:
    flags = content_flags(text, default_blocklist())
    assert [f.reason for f in flags] == [FlagReason.BLOCKLIST]


@pytest.mark.parametrize(
    "variant",
    [
        "register every madrasa within a year",
        "Register every madrasa within a year!!",
        "REGISTER  every\u200b madrasa,\nwithin a year.",
        fullwidth("Register every madrasa within a year"),
    ],
)
def test_the_repeat_key_ignores_case_punctuation_spacing_and_invisibles(variant: str) -> None:
    assert repeat_key(variant) == repeat_key("Register every madrasa within a year")
    assert repeat_key(variant) != repeat_key("Register every madrasa within two years")


def test_the_repeat_key_reveals_no_text() -> None:
    key = repeat_key("Register every madrasa within a year")
    assert len(key) == 32 and "madrasa" not in key


@given(any_text)
def test_the_screening_form_holds_no_format_character_and_ascii_digits(text: str) -> None:
    screened = screening_form(text)
    assert not any(unicodedata.category(c) == "Cf" for c in screened)
    assert all(c in "0123456789" for c in screened if unicodedata.category(c) == "Nd")
