"""Telegram's HTML subset: parse a message into plain text plus UTF-16 message entities."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
ALLOWED_TAGS = {*SIMPLE_TAGS, "span", "a", "blockquote", "tg-emoji"}
# The attributes Telegram reads; it ignores any other.
ATTRIBUTES = {
    "a": {"href"},
    "span": {"class"},
    "tg-emoji": {"emoji-id"},
    "code": {"class"},
    "blockquote": {"expandable"},
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_END_TAG = re.compile(r"</([^\s>]*)\s*>")
_TAG_NAME = re.compile(r"<([^\s>/]*)")
_ATTRIBUTE = re.compile(r"\s*([a-zA-Z0-9_-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")


class HtmlError(ValueError):
    """The text is not valid Telegram HTML; the message is the reason Telegram gives."""


def utf16_len(text: str) -> int:
    """Count UTF-16 code units, the unit of Telegram's length limits and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    tag: str
    start: int
    attrs: dict[str, str]


@dataclass
class _Parser:
    source: str
    pieces: list[str] = field(default_factory=list)
    position: int = 0
    stack: list[_Open] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    # What Telegram accepts but shows or drops other than the sender meant.
    notes: list[str] = field(default_factory=list)

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode())

    def emit(self, text: str) -> None:
        self.pieces.append(text)
        self.position += utf16_len(text)

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        text, i = self.source, 0
        while i < len(text):
            char = text[i]
            if char == "&":
                i = self.entity(i)
            elif char == "<" and text.startswith("</", i):
                i = self.end_tag(i)
            elif char == "<":
                i = self.start_tag(i)
            else:
                stop = min(
                    (j for j in (text.find("<", i), text.find("&", i)) if j >= 0), default=-1
                )
                chunk = text[i:] if stop < 0 else text[i:stop]
                if ">" in chunk:
                    offset = self.byte_offset(i + chunk.index(">"))
                    self.notes.append(f'unescaped ">" at byte offset {offset}, shown as text')
                self.emit(chunk)
                i += len(chunk)
        if self.stack:
            tag = self.stack[-1].tag
            raise HtmlError(f'Can\'t find end tag corresponding to start tag "{tag}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.pieces), self.entities

    def entity(self, i: int) -> int:
        match = _ENTITY.match(self.source, i)
        if match is None:
            # Real Telegram keeps a stray "&" as text; the emulator rejects it on purpose, because
            # an unescaped "&" means user text reached the HTML unescaped, which breaks on "<".
            raise HtmlError(f'Unescaped "&" at byte offset {self.byte_offset(i)}')
        name, decimal, hexadecimal = match.groups()
        if name:
            self.emit(NAMED_ENTITIES[name])
        else:
            code = int(decimal) if decimal else int(hexadecimal, 16)
            if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise HtmlError(f"Invalid character entity at byte offset {self.byte_offset(i)}")
            self.emit(chr(code))
        return match.end()

    def start_tag(self, i: int) -> int:
        offset = self.byte_offset(i)
        close = self.source.find(">", i)
        if close < 0:
            raise HtmlError(f"Unclosed start tag at byte offset {offset}")
        name_match = _TAG_NAME.match(self.source, i)
        assert name_match is not None
        tag = name_match.group(1).lower()
        if tag not in ALLOWED_TAGS:
            raise HtmlError(f'Unsupported start tag "{tag}" at byte offset {offset}')
        attrs: dict[str, str] = {}
        j = name_match.end()
        while j < close:
            attribute = _ATTRIBUTE.match(self.source, j, close)
            if attribute is None or attribute.end() == j:
                raise HtmlError(f'Unclosed start tag "{tag}" at byte offset {offset}')
            value = attribute.group(2) or ""
            if value[:1] in {'"', "'"}:
                value = value[1:-1]
            name = attribute.group(1).lower()
            if name not in ATTRIBUTES.get(tag, set()):
                self.notes.append(f'<{tag}> at byte offset {offset}: "{name}" is ignored')
            attrs[name] = _unescape(value)
            j = attribute.end()
            while j < close and self.source[j].isspace():
                j += 1
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        if tag == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise HtmlError("Custom emoji entity must contain a valid custom emoji identifier")
        self.stack.append(_Open(tag, self.position, attrs))
        return close + 1

    def end_tag(self, i: int) -> int:
        offset = self.byte_offset(i)
        match = _END_TAG.match(self.source, i)
        if match is None:
            raise HtmlError(f"Unclosed end tag at byte offset {offset}")
        tag = match.group(1).lower()
        if not self.stack:
            raise HtmlError(f"Unexpected end tag at byte offset {offset}")
        top = self.stack[-1]
        if top.tag != tag:
            raise HtmlError(
                f'Unmatched end tag at byte offset {offset}, expected "</{top.tag}>", '
                f'found "</{tag}>"'
            )
        self.stack.pop()
        self.close(top)
        return match.end()

    def close(self, opened: _Open) -> None:
        length = self.position - opened.start
        if length == 0:
            return
        entity: dict[str, Any] = {"offset": opened.start, "length": length}
        tag, attrs = opened.tag, opened.attrs
        if tag == "a":
            if not attrs.get("href"):
                return
            entity.update(type="text_link", url=attrs["href"])
        elif tag == "span":
            entity["type"] = "spoiler"
        elif tag == "blockquote":
            entity["type"] = "expandable_blockquote" if "expandable" in attrs else "blockquote"
        elif tag == "tg-emoji":
            entity.update(type="custom_emoji", custom_emoji_id=attrs["emoji-id"])
        elif tag == "code" and self.stack and self.stack[-1].tag == "pre":
            language = attrs.get("class", "").removeprefix("language-")
            if language:
                # Telegram folds <pre><code class="language-x"> into one pre entity.
                self.stack[-1].attrs["language"] = language
            return
        else:
            entity["type"] = SIMPLE_TAGS[tag]
            if tag == "pre" and attrs.get("language"):
                entity["language"] = attrs["language"]
        self.entities.append(entity)


def _unescape(value: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name, decimal, hexadecimal = match.groups()
        if name:
            return NAMED_ENTITIES[name]
        return chr(int(decimal) if decimal else int(hexadecimal, 16))

    return _ENTITY.sub(replace, value)


def parse_html(source: str, notes: list[str] | None = None) -> tuple[str, list[dict[str, Any]]]:
    """Return Telegram's plain text and entities (or raise HtmlError); note what it ignores."""
    parser = _Parser(source)
    result = parser.run()
    if notes is not None:
        notes.extend(parser.notes)
    return result


def strip_html(source: str) -> str:
    """Return the plain text of valid Telegram HTML."""
    return parse_html(source)[0]
