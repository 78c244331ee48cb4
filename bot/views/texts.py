"""User-facing strings from content/, filled in with HTML-escaped values."""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

import content

DEFAULT_LANGUAGE = "en"
CONTENT_DIR = Path(content.__file__).parent
LOCALE_DIR = CONTENT_DIR / "locale"


class Html(str):
    """A fragment that is already valid Telegram HTML and must not be escaped again."""

    __slots__ = ()


class Texts:
    """One language's catalogue: `texts("item.header", position=1, ...)` returns HTML."""

    def __init__(self, catalogue: dict[str, str], language: str) -> None:
        self.catalogue = catalogue
        self.language = language

    def __call__(self, key: str, **values: object) -> Html:
        """Return the text for a key with its placeholders filled in and escaped."""
        template = self.catalogue.get(key)
        if template is None:
            raise KeyError(f"no text {key!r} in the {self.language} catalogue")
        safe = {name: escape(value) for name, value in values.items()}
        return Html(template.format(**safe))

    def plain(self, key: str, **values: object) -> str:
        """Return a text for a place that shows no HTML (buttons, share text, menus): unescaped."""
        template = self.catalogue.get(key)
        if template is None:
            raise KeyError(f"no text {key!r} in the {self.language} catalogue")
        return template.format(**{name: str(value) for name, value in values.items()})

    def raw(self, key: str) -> str:
        """Return a plain-text template as written, placeholders unfilled (for non-HTML output)."""
        return self.catalogue[key]


def escape(value: object) -> Html:
    """Escape a value for Telegram HTML, leaving fragments that are already HTML alone."""
    if isinstance(value, Html):
        return value
    return Html(html.escape(str(value), quote=False))


_TAG = re.compile(r"<[^>]+>")


def strip_html(text: str) -> str:
    """Return Telegram HTML as the plain text a reader sees (tags dropped, entities decoded)."""
    return html.unescape(_TAG.sub("", text))


def read_catalogue(language: str, directory: Path = LOCALE_DIR) -> dict[str, str]:
    """Read one language's own texts from <directory>/<language>.po, without any fallback."""
    with (directory / f"{language}.po").open("rb") as handle:
        catalog = read_po(handle, locale=language, ignore_obsolete=True, abort_invalid=True)
    # msgctxt is the key; an untranslated or fuzzy message is left out, so it falls back to
    # English as gettext would.
    return {
        message.context: message.string
        for message in catalog
        if message.context and isinstance(message.string, str) and message.string
        and not message.fuzzy
    }  # fmt: skip


def build_texts(language: str, directory: Path = LOCALE_DIR) -> Texts:
    """Build a language's Texts; a key it lacks falls back to the English text."""
    own = read_catalogue(language, directory)
    if language == DEFAULT_LANGUAGE:
        return Texts(own, language)
    # A translation lags behind English while new texts are added: show those in English
    # rather than fail (tests/test_texts_ur.py lists what is missing).
    return Texts({**read_catalogue(DEFAULT_LANGUAGE, directory), **own}, language)


@cache
def load_texts(language: str = DEFAULT_LANGUAGE) -> Texts:
    """Load a language's texts from content/locale/, falling back to English for missing keys."""
    return build_texts(language)
