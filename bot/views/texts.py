"""User-facing strings from content/, filled in with HTML-escaped values."""

from __future__ import annotations

import html
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.pofile import read_po

import content
from bot.hearing.typed_text import without_bidi_controls

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

    def plural(self, key: str, count: int, **values: object) -> Html:
        """Return `key.one` for a count of one, else `key.other`, filled in (count included).

        English and Urdu both have two forms, singular for exactly one (CLDR "one", for whole
        numbers); a language with more forms would add keys and a rule here.
        """
        form = "one" if count == 1 else "other"
        return self(f"{key}.{form}", **{"count": count, **values})

    def plain(self, key: str, **values: object) -> str:
        """Return a text for a place that shows no HTML (buttons, share text, menus): unescaped."""
        template = self.catalogue.get(key)
        if template is None:
            raise KeyError(f"no text {key!r} in the {self.language} catalogue")
        return template.format(**{name: str(value) for name, value in values.items()})

    def raw(self, key: str) -> str:
        """Return a plain-text template as written, placeholders unfilled (for non-HTML output)."""
        return self.catalogue[key]


# Telegram's HTML (core.telegram.org/bots/api#html-style): these tags, with these attributes.
TELEGRAM_TAGS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler",
                     "pre"), frozenset()),
    "a": frozenset({"href"}),
    "span": frozenset({"class"}),
    "code": frozenset({"class"}),
    "blockquote": frozenset({"expandable"}),
    "tg-emoji": frozenset({"emoji-id"}),
}  # fmt: skip
_ENTITIES = frozenset({"lt", "gt", "amp", "quot"})


class _TelegramHtml(HTMLParser):
    """Check a text against Telegram's HTML: known tags, properly nested, nothing else."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.valid = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        allowed = TELEGRAM_TAGS.get(tag)
        if allowed is None or any(name not in allowed for name, _ in attrs):
            self.valid = False
        if tag == "a" and not dict(attrs).get("href"):
            self.valid = False
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.valid = False

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.valid = False

    def handle_data(self, data: str) -> None:
        if any(char in data for char in "<>&"):
            self.valid = False

    def handle_entityref(self, name: str) -> None:
        if name not in _ENTITIES:
            self.valid = False

    def unknown_decl(self, data: str) -> None:
        self.valid = False

    def handle_comment(self, data: str) -> None:
        self.valid = False

    def handle_decl(self, decl: str) -> None:
        self.valid = False

    def handle_pi(self, data: str) -> None:
        self.valid = False


def is_telegram_html(text: str) -> bool:
    """Tell whether Telegram would accept a text as HTML."""
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    return parser.valid and not parser.open and not parser.rawdata


def as_html(text: str) -> Html:
    """Use a stored text as HTML if it is valid Telegram HTML, else show it as written."""
    return Html(text) if is_telegram_html(text) else escape(text)


def staff_html(client_html: str) -> str:
    """Take a staff member's message as Telegram HTML: its formatting, and tags typed in it.

    `client_html` is the message with its formatting as tags and every typed `<` escaped (what
    python-telegram-bot's `text_html` gives). Typed tags count when the whole text is then
    valid Telegram HTML (`<b>Update</b>`); otherwise they stay text (`a < b`).
    """
    typed = client_html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    return typed if is_telegram_html(typed) else client_html


def escape(value: object) -> Html:
    """Escape a value for Telegram HTML, leaving fragments that are already HTML alone.

    Lasting bidi controls are dropped from the value: typed text loses them when it is stored
    (bot/hearing/typed_text.py), and this keeps text stored before that, or from elsewhere,
    from reordering the rest of the line (the counts after a suggestion, say).
    """
    if isinstance(value, Html):
        return value
    return Html(html.escape(without_bidi_controls(str(value)), quote=False))


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
