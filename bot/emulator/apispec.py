"""The Bot API specification (spec/api.json), read once and indexed for checking calls."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

SPEC_PATH = Path(__file__).with_name("spec") / "api.json"
SCALARS = frozenset({"Integer", "Float", "Boolean", "String", "InputFile"})

_LIMIT = re.compile(
    r"\b(\d+)\s*-\s*(\d+) (characters|bytes)\b(\s+after entit(?:y|ies) parsing)?", re.I
)
# A subtype names itself in one required field: `Type of the reaction, always "emoji"`.
_CONSTANT = re.compile(r'(?:always|must be) "?([a-z0-9_]+)"?$')
_ONE_OF = re.compile(
    r"(exactly|at most) one of the "
    r"(optional fields|fields other than ([\w ,]+?)|fields ([\w ,]+?)) must be used"
    r"|you must use (exactly) one of the (optional fields)",
    re.I,
)
# The character sets the spec states in words (lower-cased, so "A-Z, a-z" reads "a-z, a-z").
_CHARSETS = {
    "only lowercase english letters, digits and underscores": re.compile(r"[a-z0-9_]*"),
    "only characters a-z, a-z, 0-9, _ and - are allowed": re.compile(r"[A-Za-z0-9_-]*"),
}


class TypeRef(NamedTuple):
    """One type a value may have: `depth` levels of Array around the type called `name`."""

    depth: int
    name: str

    @classmethod
    def parse(cls, text: str) -> TypeRef:
        """Read the spec's spelling, such as "Array of Array of InlineKeyboardButton"."""
        depth = 0
        while text.startswith("Array of "):
            depth, text = depth + 1, text.removeprefix("Array of ")
        return cls(depth, text)

    def __str__(self) -> str:
        return "Array of " * self.depth + self.name


@dataclass(frozen=True)
class Limit:
    """A length the spec states, in characters (UTF-16 units, as Telegram counts) or bytes."""

    low: int
    high: int
    unit: str
    after_entities: bool

    def measure(self, text: str) -> int:
        """Return the length of text in this limit's unit."""
        if self.unit == "bytes":
            return len(text.encode())
        return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Field:
    """A parameter of a method or a field of an object."""

    name: str
    types: tuple[TypeRef, ...]
    required: bool
    limit: Limit | None
    charset: re.Pattern[str] | None
    constant: str | None


@dataclass(frozen=True)
class Shape:
    """A method's parameters or an object type's fields, with the rules stated about them."""

    name: str
    fields: dict[str, Field]
    required: frozenset[str]
    subtypes: tuple[str, ...]
    one_of: frozenset[str]
    exactly_one: bool
    takes_string: bool


@dataclass(frozen=True)
class Expected:
    """What a value of some alternative types may be, resolved once per set of alternatives."""

    items: tuple[TypeRef, ...] | None  # an array's item types, when an array is allowed
    shapes: tuple[Shape, ...]  # the concrete object types allowed
    scalars: tuple[str, ...]  # Integer, Float, Boolean, String, InputFile
    any_string: bool  # a String, or an object type the spec lets a string stand for


@dataclass(frozen=True, eq=False)
class ApiSpec:
    """The indexed specification: methods by lower-case name (Telegram ignores case), types."""

    version: str
    release_date: str
    methods: dict[str, Shape]
    types: dict[str, Shape]
    _expected: dict[tuple[TypeRef, ...], Expected] = field(default_factory=dict, repr=False)

    def method(self, name: str) -> Shape | None:
        """Return a method's shape, whatever the case of its name, or None if there is none."""
        return self.methods.get(name.lower())

    def concrete(self, name: str) -> list[Shape]:
        """Return the object types a value of type `name` may be (a base type's subtypes)."""
        shape = self.types.get(name)
        if shape is None:
            return []
        if not shape.subtypes:
            return [shape]
        return [found for sub in shape.subtypes for found in self.concrete(sub)]

    def expected(self, types: tuple[TypeRef, ...]) -> Expected:
        """Return what a value of one of `types` may be (cached: values are checked often)."""
        found = self._expected.get(types)
        if found is None:
            items = tuple(TypeRef(ref.depth - 1, ref.name) for ref in types if ref.depth)
            flat = [ref.name for ref in types if not ref.depth]
            shapes = tuple(shape for name in flat for shape in self.concrete(name))
            found = self._expected[types] = Expected(
                items=items or None,
                shapes=shapes,
                scalars=tuple(name for name in flat if name in SCALARS),
                any_string="String" in flat or any(shape.takes_string for shape in shapes),
            )
        return found


def _field(raw: dict[str, Any]) -> Field:
    description = raw.get("description", "")
    stated = _LIMIT.search(description)
    limit = (
        Limit(int(stated[1]), int(stated[2]), stated[3].lower(), bool(stated[4]))
        if stated
        else None
    )
    constant = None
    if raw["required"] and raw["types"] == ["String"]:
        constant = _CONSTANT.search(description.strip().rstrip("."))
    lowered = description.lower()
    charset = next((rule for words, rule in _CHARSETS.items() if words in lowered), None)
    return Field(
        name=raw["name"],
        types=tuple(TypeRef.parse(text) for text in raw["types"]),
        required=bool(raw["required"]),
        limit=limit,
        charset=charset,
        constant=constant[1] if constant else None,
    )


def _one_of(description: str, fields: dict[str, Field]) -> tuple[frozenset[str], bool]:
    match = _ONE_OF.search(description)
    if match is None:
        return frozenset(), False
    quantity, which, other_than, listed, must_exactly, must_which = match.groups()
    optional = {name for name, found in fields.items() if not found.required}
    if (which or must_which).lower() == "optional fields":
        chosen = optional
    else:
        named = set(re.split(r",\s*(?:and\s+)?|\s+and\s+|\s+or\s+", other_than or listed))
        chosen = set(fields) - named if other_than else named
    return frozenset(chosen), (quantity or must_exactly).lower() == "exactly"


def _shape(raw: dict[str, Any]) -> Shape:
    fields = {found.name: found for found in map(_field, raw.get("fields", []))}
    description = " ".join(raw.get("description", []))
    one_of, exactly = _one_of(description, fields)
    return Shape(
        name=raw["name"],
        fields=fields,
        required=frozenset(name for name, found in fields.items() if found.required),
        subtypes=tuple(raw.get("subtypes", [])),
        one_of=one_of,
        exactly_one=exactly,
        takes_string="String can be used instead of this object" in description,
    )


def index(raw: dict[str, Any]) -> ApiSpec:
    """Index the JSON of a telegram-bot-api-spec api.json file."""
    return ApiSpec(
        version=str(raw["version"]),
        release_date=str(raw.get("release_date", "")),
        methods={name.lower(): _shape(method) for name, method in raw["methods"].items()},
        types={name: _shape(kind) for name, kind in raw["types"].items()},
    )


@functools.cache
def load(path: Path = SPEC_PATH) -> ApiSpec:
    """Read and index the specification once per process."""
    return index(json.loads(path.read_text("utf-8")))
