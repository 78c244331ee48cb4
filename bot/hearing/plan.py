"""The draft plan: a Markdown file of numbered items and sub-items, parsed and validated."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import content

DEFAULT_PLAN_PATH: Path = Path(content.__file__).parent / "plan.md"

# The walkthrough puts "Item N of M" and a progress bar (~60 characters in all) above an item;
# 3500 leaves ample room for them under Telegram's 4096-character message limit.
MAX_ITEM_CHARS = 3500
# The welcome message wraps the title and preamble in about 600 characters of its own.
MAX_PREAMBLE_CHARS = 3000
MAX_TITLE_CHARS = 200

# Only spaces and tabs are layout: str.strip() would also eat no-break spaces, which are wording.
_LAYOUT = " \t"
_TAB_WIDTH = 4
_HEADING = re.compile(r"(?P<marks>#{1,6})(?:[ \t]+(?P<text>.*))?")
_ITEM = re.compile(r"(?P<indent>[ \t]*)(?P<number>[0-9]+)\.(?:[ \t]+(?P<text>.*))?")
# Near misses of "N. text", each with the advice for fixing it.
_ALMOST_ITEMS = (
    (re.compile(r"([0-9]+)\)"), "write the item number as '{0}.', with a full stop, not '{0})'"),
    (re.compile(r"([0-9]+)\.[^ \t0-9]"), "put a space between '{0}.' and the text of the item"),
    (
        re.compile(r"([0-9]+(?:\.[0-9]+)+)\.?(?:[ \t]|$)"),
        "a line cannot start with '{0}': write a sub-item as '1. ', '2. ', ... indented under"
        " its item, or reword the start of the line",
    ),
    (re.compile(r"([-*+])[ \t]"), "bullets ('{0} ') are not read: number the line as an item"),
)
_NO_TITLE = "the plan has no title: the first line should be '# ' followed by the title"


@dataclass(frozen=True)
class Item:
    """One numbered item ("9") or sub-item ("9.3") of the plan."""

    id: str
    number: str
    text: str
    parent_id: str | None
    line: int
    children: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Plan:
    """A parsed plan: title, preamble and top-level items (each holding its sub-items)."""

    title: str
    preamble: str
    items: tuple[Item, ...]

    def item(self, item_id: str) -> Item | None:
        """Return the item or sub-item with this id, or None."""
        return next((item for item in self.all_items() if item.id == item_id), None)

    def index_of(self, item_id: str) -> int | None:
        """Return the 0-based position of a top-level item, or None (also for sub-item ids)."""
        return next((i for i, item in enumerate(self.items) if item.id == item_id), None)

    def all_items(self) -> tuple[Item, ...]:
        """Return every item and sub-item in reading order."""
        return tuple(found for item in self.items for found in (item, *item.children))

    @property
    def version(self) -> str:
        """Return a short hash of the wording, unchanged by layout such as blank lines."""
        canonical = [self.title, self.preamble, [[i.id, i.text] for i in self.all_items()]]
        encoded = json.dumps(canonical, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Problem:
    """A problem found in a plan file, at a 1-based line."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class PlanError(ValueError):
    """Raised when a plan file has problems; `problems` lists all of them."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def load_plan(path: Path = DEFAULT_PLAN_PATH) -> Plan:
    """Read and parse a plan file, raising PlanError if it has problems."""
    return parse_plan(path.read_text(encoding="utf-8"))


def parse_plan(text: str) -> Plan:
    """Parse plan Markdown, raising PlanError listing every problem found."""
    plan, problems = _parse(text)
    if problems:
        raise PlanError(problems)
    return plan


def check_plan(text: str) -> list[Problem]:
    """Return every problem in plan Markdown, in line order; never raise."""
    return _parse(text)[1]


@dataclass
class _Draft:
    """An item while its file is being read: continuation lines may still be added."""

    number: int
    line: int
    lines: list[str]
    parent: _Draft | None = None
    children: list[_Draft] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.parent.number}.{self.number}" if self.parent else str(self.number)

    def freeze(self) -> Item:
        return Item(
            id=self.id,
            number=self.id,
            text="\n".join(self.lines),
            parent_id=self.parent.id if self.parent else None,
            line=self.line,
            children=tuple(child.freeze() for child in self.children),
        )


def _split_lines(text: str) -> list[str]:
    # Not str.splitlines(): it also splits on U+2028, form feeds and the like inside the wording.
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return lines[:-1] if lines[-1] == "" else lines


def _parse(text: str) -> tuple[Plan, list[Problem]]:
    lines = _split_lines(text)
    problems: list[Problem] = []
    title, start = _read_title(lines, problems)
    preamble: list[tuple[int, str]] = []
    items: list[_Draft] = []
    current: _Draft | None = None  # the item that a continuation line extends
    for number, raw in enumerate(lines[start:], start=start + 1):
        line = raw.rstrip(_LAYOUT)
        if item_match := _ITEM.fullmatch(line):
            current = _add_item(item_match, number, items, problems)
        elif not line:
            current = None
            if not items:
                preamble.append((number, ""))
        elif advice := _almost_item(line):
            current = None
            problems.append(Problem(number, f"this line looks like a list item but {advice}"))
        elif _HEADING.fullmatch(line.lstrip(_LAYOUT)):
            problems.append(Problem(number, "only the first line may be a heading (the title)"))
        elif current is not None:
            current.lines.append(line.lstrip(_LAYOUT))
        elif items:
            last = items[-1].children[-1] if items[-1].children else items[-1]
            problems.append(Problem(number, _stray(last.id)))
        else:
            preamble.append((number, line.strip(_LAYOUT)))
    preamble_text, preamble_line = _join_preamble(preamble)
    if (length := telegram_length(preamble_text)) > MAX_PREAMBLE_CHARS:
        message = _too_long("the preamble", length, MAX_PREAMBLE_CHARS)
        problems.append(Problem(preamble_line, message))
    if not items:
        message = "the plan has no items: number them '1. ', '2. ', ... at the start of a line"
        problems.append(Problem(max(1, len(lines)), message))
    frozen = tuple(draft.freeze() for draft in items)
    for item in frozen:
        problems.extend(
            Problem(found.line, f"item {found.id} is empty")
            for found in (item, *item.children)
            if not found.text
        )
        if (length := _message_length(item)) > MAX_ITEM_CHARS:
            subject = f"item {item.id} with its sub-items" if item.children else f"item {item.id}"
            problems.append(Problem(item.line, _too_long(subject, length, MAX_ITEM_CHARS)))
    problems.sort(key=lambda problem: problem.line)
    return Plan(title=title, preamble=preamble_text, items=frozen), problems


def _read_title(lines: list[str], problems: list[Problem]) -> tuple[str, int]:
    """Return the title and the index of the line after it (of the first line if none)."""
    first = next((i for i, line in enumerate(lines) if line.strip(_LAYOUT)), None)
    if first is None:
        problems.append(Problem(1, _NO_TITLE))
        return "", len(lines)
    match = _HEADING.fullmatch(lines[first].strip(_LAYOUT))
    if match is None:
        problems.append(Problem(first + 1, _NO_TITLE))
        return "", first
    title = (match["text"] or "").strip(_LAYOUT)
    if len(match["marks"]) != 1:
        message = f"the title must be a level-1 heading: '# ', not '{match['marks']} '"
        problems.append(Problem(first + 1, message))
    elif not title:
        problems.append(Problem(first + 1, "the title is empty"))
    elif (length := telegram_length(title)) > MAX_TITLE_CHARS:
        problems.append(Problem(first + 1, _too_long("the title", length, MAX_TITLE_CHARS)))
    return title, first + 1


def _add_item(
    match: re.Match[str], line: int, items: list[_Draft], problems: list[Problem]
) -> _Draft | None:
    """Record a list line as an item or sub-item; return it, or None if it cannot be placed."""
    width = len(match["indent"].expandtabs(_TAB_WIDTH))
    number = int(match["number"])
    text = (match["text"] or "").strip(_LAYOUT)
    parent = items[-1] if width and items else None
    draft = _Draft(number, line, [text] if text else [], parent=parent)
    if width == 1:
        advice = "start an item at the line's beginning, or indent a sub-item by 2 to 4 spaces"
        problems.append(Problem(line, f"item {number} is indented by one space: {advice}"))
    elif width > _TAB_WIDTH:
        advice = "only one level of sub-items is read; indent them by 2 to 4 spaces or a tab"
        problems.append(Problem(line, f"sub-item {number} is indented too deeply: {advice}"))
    elif width and parent is None:
        advice = "start top-level items at the beginning of the line, with no indentation"
        problems.append(Problem(line, f"sub-item {number} comes before any item: {advice}"))
    else:
        siblings = parent.children if parent else items
        _check_number(siblings, draft, problems)
        siblings.append(draft)
        return draft
    return None


def _check_number(siblings: list[_Draft], draft: _Draft, problems: list[Problem]) -> None:
    """Report a number that repeats or skips; the next one is expected to follow it."""
    if any(sibling.number == draft.number for sibling in siblings):
        problems.append(Problem(draft.line, f"item {draft.id} duplicates an earlier number"))
        return
    expected = siblings[-1].number + 1 if siblings else 1
    if draft.number == expected:
        return
    if siblings:
        where = f"comes after item {siblings[-1].id}"
    elif draft.parent:
        where = f"is the first sub-item of item {draft.parent.id}"
    else:
        where = "is the first item"
    prefix = f"{draft.parent.number}." if draft.parent else ""
    problems.append(Problem(draft.line, f"item {draft.id} {where} (expected {prefix}{expected})"))


def _almost_item(line: str) -> str | None:
    """Return advice if the line is a malformed list item, else None."""
    for pattern, advice in _ALMOST_ITEMS:
        if match := pattern.match(line.lstrip(_LAYOUT)):
            return "cannot be read: " + advice.format(match[1])
    return None


def _join_preamble(lines: list[tuple[int, str]]) -> tuple[str, int]:
    """Join preamble lines into paragraphs; return the text and its first line number."""
    kept = list(lines)
    while kept and not kept[-1][1]:
        kept.pop()
    while kept and not kept[0][1]:
        kept.pop(0)
    text = "\n".join(line for _, line in kept)
    return re.sub(r"\n{2,}", "\n\n", text), kept[0][0] if kept else 1


def _message_length(item: Item) -> int:
    """Return the length of an item's body as the walkthrough renders it."""
    children = "".join(f"\n  {child.number}. {child.text}" for child in item.children)
    return telegram_length(f"{item.number}. {item.text}{children}")


def telegram_length(text: str) -> int:
    """Return a text's length as Telegram's limits count it, in UTF-16 code units."""
    # Telegram measures text in UTF-16 code units (see its entity offsets); counting the same
    # way is the cautious reading of its limit: an emoji outside the BMP counts twice.
    return len(text.encode("utf-16-le")) // 2


def _too_long(subject: str, length: int, limit: int) -> str:
    return (
        f"{subject} is too long for one Telegram message ({length:,} characters; "
        f"the limit is {limit:,}): shorten it or split it"
    )


def _stray(last_id: str) -> str:
    return (
        f"this text is not part of any item: to continue item {last_id}, put it on the line "
        "right after it, with no blank line in between"
    )
