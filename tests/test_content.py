"""Every text the code asks for exists in content/, and every text there is used."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.views.texts import load_texts

ROOT = Path(__file__).resolve().parents[1]
FILE_TYPES = {"csv", "json", "md", "png", "py", "zip"}  # "summary.csv" is a file, not a text
FILE_TYPES |= {"html"}  # the results site's templates ("items.html")
# The results site's Jinja templates ask for texts as the code does: t("key").
SOURCES = [
    p for d in ("bot", "handlers") for ext in ("*.py", "*.html") for p in (ROOT / d).rglob(ext)
]
# t("key"), texts("key"), ui.t("key"), t.plain("key"), t.raw("key"), ui.button("key", ...)
LITERAL = re.compile(
    r"""(?:\bt|texts|\.t|\.plain|\.raw|\.button|\.link)\(\s*["']([a-z_]+\.[a-z_.]+)["']"""
)
# f-string keys such as f"stance.{answer.stance}": the part before the brace is a prefix.
PREFIX = re.compile(r"""f["']([a-z_]+\.[a-z_]*)\{""")
# t.plural("key", n): the texts are key.one and key.other.
PLURAL = re.compile(r"""\.plural\(\s*["']([a-z_]+\.[a-z_.]+)["']""")
FORMS = ("one", "other")


def plural_bases() -> set[str]:
    """Find the keys used with t.plural (each stands for its .one and .other texts)."""
    return {key for path in SOURCES for key in PLURAL.findall(path.read_text(encoding="utf-8"))}


def used_keys() -> tuple[set[str], set[str]]:
    """Find the literal keys and the dynamic key prefixes used in the code."""
    literal: set[str] = set()
    prefixes: set[str] = set()
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        literal |= set(LITERAL.findall(source))
        prefixes |= set(PREFIX.findall(source))
    literal |= {f"{base}.{form}" for base in plural_bases() for form in FORMS}
    return literal, prefixes


def mentioned_keys() -> set[str]:
    """Find every quoted string shaped like a key of one of the catalogue's sections."""
    sections = {key.split(".")[0] for key in load_texts().catalogue}
    found: set[str] = set()
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        found |= {
            key for key in re.findall(r"""["']([a-z_]+\.[a-z_]+)["']""", source)
            if key.split(".")[0] in sections and key.rsplit(".")[-1] not in FILE_TYPES
        }  # fmt: skip
    return found - plural_bases()


def test_every_literal_key_exists() -> None:
    catalogue = load_texts().catalogue
    literal, _ = used_keys()
    missing = sorted(key for key in literal | mentioned_keys() if key not in catalogue)
    assert missing == []


def test_every_dynamic_prefix_has_texts() -> None:
    catalogue = load_texts().catalogue
    _, prefixes = used_keys()
    assert prefixes, "the scan found the f-string keys"
    for prefix in prefixes:
        assert any(key.startswith(prefix) for key in catalogue), prefix


def test_every_text_is_used() -> None:
    catalogue = load_texts().catalogue
    literal, prefixes = used_keys()
    literal |= mentioned_keys()
    unused = sorted(
        key for key in catalogue
        if key not in literal and not any(key.startswith(p) for p in prefixes)
    )  # fmt: skip
    assert unused == []


@pytest.mark.parametrize("key", sorted(load_texts().catalogue))
def test_every_text_formats_and_is_valid_telegram_html(key: str) -> None:
    t = load_texts()
    names = {n for _, n, _, _ in string.Formatter().parse(t.raw(key)) if n}
    rendered = t(key, **{name: "<&>" for name in names})
    assert "<&>" not in rendered, "values are escaped"
    tags = re.findall(r"</?([a-z-]+)", rendered)
    assert set(tags) <= {"b", "i", "u", "s", "a", "code", "pre", "blockquote"}


def test_plural_texts_have_both_forms_and_the_rule_picks_them() -> None:
    catalogue = load_texts().catalogue
    assert plural_bases(), "the scan found t.plural calls"
    for base in plural_bases():
        assert all(f"{base}.{form}" in catalogue for form in FORMS), base
    t = load_texts()
    assert "1 participant," in t.plural("broadcast.started", 1)
    assert "2 participants," in t.plural("broadcast.started", 2)
    assert "0 participants," in t.plural("broadcast.started", 0)
