"""The Urdu plan, content/plan.ur.md: the English plan's items, translated, marked a draft."""

from __future__ import annotations

import re
import unicodedata

import pytest

from bot.hearing.plan import DEFAULT_PLAN_PATH, Item, check_plan, load_plan

URDU_PLAN_PATH = DEFAULT_PLAN_PATH.with_name("plan.ur.md")
# Names the Urdu press writes in Urdu script rather than as the English acronym.
URDU_NAMES = {"US": "امریکہ"}
# Arabic yeh, kaf and heh look like Urdu's (U+06CC, U+06A9, U+06C1) but break Urdu fonts'
# joining and text search.
ARABIC_LOOKALIKES = ("\u064a", "\u0643", "\u0647")
ACRONYM = re.compile(r"\b[A-Z][A-Za-z]*[A-Z][A-Za-z]*\b")
LATIN_WORD = re.compile(r"[A-Za-z]+")


def english_items() -> dict[str, Item]:
    """Return the English plan's items and sub-items by id."""
    return {item.id: item for item in load_plan(DEFAULT_PLAN_PATH).all_items()}


def urdu_items() -> dict[str, Item]:
    """Return the Urdu plan's items and sub-items by id."""
    return {item.id: item for item in load_plan(URDU_PLAN_PATH).all_items()}


def first_strong_direction(text: str) -> str | None:
    """Return "rtl" or "ltr" for the first strong character of a text, None if it has none."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in {"R", "AL"}:
            return "rtl"
        if kind == "L":
            return "ltr"
    return None


def test_the_urdu_plan_has_no_problems() -> None:
    text = URDU_PLAN_PATH.read_text(encoding="utf-8")
    assert [str(problem) for problem in check_plan(text)] == []


def test_both_plans_have_the_same_items_in_the_same_order() -> None:
    english = load_plan(DEFAULT_PLAN_PATH)
    urdu = load_plan(URDU_PLAN_PATH)
    assert [item.id for item in urdu.all_items()] == [item.id for item in english.all_items()]
    assert [item.parent_id for item in urdu.all_items()] == [
        item.parent_id for item in english.all_items()
    ]
    assert len(urdu.items) == 20


def test_the_header_says_it_is_a_draft_in_urdu_only() -> None:
    # Readers of the Urdu hearing see the preamble: no English note in it (the draft status is
    # also in content/README.md and in ur.po's header, for the drafter).
    paragraphs = load_plan(URDU_PLAN_PATH).preamble.split("\n\n")
    urdu_note = paragraphs[0]
    assert urdu_note.startswith("مسودہ:") and "مشین کی مدد" in urdu_note
    assert "نظر ثانی" in urdu_note
    assert len(paragraphs) == 2, "the note, then the translated preamble"
    assert not re.search(r"[A-Za-z]{3}", load_plan(URDU_PLAN_PATH).preamble)


@pytest.mark.parametrize("item_id", list(english_items()))
def test_every_item_is_translated_and_reads_right_to_left(item_id: str) -> None:
    text = urdu_items()[item_id].text
    # The line's first strong letter sets its direction in Telegram: it must be an Urdu one.
    assert first_strong_direction(text) == "rtl", text
    # Latin script is kept only for the English item's acronyms: no English left untranslated.
    acronyms = {acronym.upper() for acronym in ACRONYM.findall(english_items()[item_id].text)}
    assert {word.upper() for word in LATIN_WORD.findall(text)} <= acronyms, text


@pytest.mark.parametrize("item_id", list(english_items()))
def test_acronyms_stay_recognisable(item_id: str) -> None:
    english, urdu = english_items()[item_id].text, urdu_items()[item_id].text
    for acronym in ACRONYM.findall(english):
        expected = URDU_NAMES.get(acronym, acronym)
        assert expected.upper() in urdu.upper(), f"{acronym} is missing from item {item_id}"


def test_the_title_is_urdu() -> None:
    assert first_strong_direction(load_plan(URDU_PLAN_PATH).title) == "rtl"


def test_urdu_letters_and_ascii_digits_only() -> None:
    text = URDU_PLAN_PATH.read_text(encoding="utf-8")
    assert [char for char in ARABIC_LOOKALIKES if char in text] == []
    assert re.findall(r"[\u0660-\u0669\u06f0-\u06f9]", text) == [], "item numbers in 0-9"
    assert not re.search(r"[\u2066-\u2069\u200e\u200f\u202a-\u202e]", text), "plain text"
