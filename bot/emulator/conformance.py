"""Check one call against the Bot API spec: reject what Telegram rejects, note what it ignores.

Telegram's Bot API server is lenient at the top level (a parameter it does not know is dropped,
a number it cannot read is taken as 0) and strict inside JSON objects (a field of the wrong type
fails the whole call). The checks follow that split: a 400 where Telegram fails the call, a
warning where it would quietly do something other than what the bot asked.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from .apispec import ApiSpec, Field, Shape, TypeRef
from .errors import bad_request
from .params import FALSE_WORDS, TRUE_WORDS, Params, Upload

_INTEGER = re.compile(r"[+-]?\d+")
# Telegram's own descriptions for limits whose wording clients (and our tests) look for; any
# other limit reads "<field> must be <low>-<high> <unit> long".
WORDING = {
    ("InlineKeyboardButton", "callback_data"): "BUTTON_DATA_INVALID",
    ("BotCommand", "command"): "BOT_COMMAND_INVALID",
    ("BotCommand", "description"): "command description is empty or too long",
    ("answerCallbackQuery", "text"): "message is too long",
    ("setMyDescription", "description"): "description is too long",
    ("setMyShortDescription", "short_description"): "short_description is too long",
    ("setWebhook", "secret_token"): "secret token contains unallowed characters",
}
NO_ACTION = {
    "InlineKeyboardButton": (
        "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
    ),
}


def check_call(spec: ApiSpec, shape: Shape, params: Params) -> None:
    """Raise Telegram's 400 for a call it rejects; add to params.warnings what it would ignore."""
    for name in sorted(shape.required):
        if params.values.get(name) is None and name not in params.files:
            raise bad_request(f'parameter "{name}" is required')
    for name, value in params.values.items():
        found = shape.fields.get(name)
        if found is None:
            params.warnings.append(f'unknown parameter "{name}", which Telegram ignores')
        else:
            _Checker(spec, shape.name, name, params.warnings).parameter(found, value)
    for name in params.files:
        found = shape.fields.get(name)
        # A file part that is not a parameter is an attachment some value names as attach://.
        if found is not None and TypeRef(0, "InputFile") not in found.types:
            params.warnings.append(f'parameter "{name}" is not a file, but a file was sent')


def check_value(spec: ApiSpec, method: str, name: str, value: Any) -> list[str]:
    """Check one parameter value of a method on its own; return warnings, raise for a 400."""
    shape = spec.method(method)
    if shape is None or name not in shape.fields:
        raise KeyError(f"{method} has no parameter {name!r} in {spec.version}")
    warnings: list[str] = []
    _Checker(spec, shape.name, name, warnings).parameter(shape.fields[name], value)
    return warnings


Where = tuple[str | int, ...]  # a path inside a parameter: keys and list indexes


class _Checker:
    """Walk one parameter's value; errors name the parameter, warnings the path inside it."""

    def __init__(self, spec: ApiSpec, method: str, param: str, warnings: list[str]) -> None:
        self.spec = spec
        self.method = method
        self.param = param
        self.warnings = warnings

    def parameter(self, found: Field, value: Any) -> None:
        """Check a top-level value, which may arrive as a string whatever its type."""
        if value is None or value == "":
            return  # Telegram reads an empty parameter as an absent one
        expected = self.spec.expected(found.types)
        structured = bool(expected.items or expected.shapes)
        if isinstance(value, str):
            accepted = _scalar(value, expected.scalars, top=True)
            if accepted == "String":
                self.text(self.method, found, value)
            if accepted or not structured:
                if not accepted:
                    self.mistyped(found)
                return
            self.warnings.extend(_encoded(self.spec, self.method, found.name, value))
            return
        if isinstance(value, dict | list) and structured:
            self.nested(value, found.types, (found.name,))
        elif _scalar(value, expected.scalars, top=False) is None:
            self.mistyped(found)

    def mistyped(self, found: Field) -> None:
        kinds = _kinds(found.types)
        self.warnings.append(
            f'parameter "{found.name}" must be {kinds}; Telegram reads the value sent as empty'
        )

    def nested(self, value: Any, types: tuple[TypeRef, ...], path: Where) -> None:
        """Check a value inside a JSON parameter; Telegram fails the call on any mismatch."""
        expected = self.spec.expected(types)
        if isinstance(value, list):
            if expected.items is None:
                self.reject(f'field "{_path(path)}" must be {_kinds(types)}')
                return
            for number, item in enumerate(value):
                self.nested(item, expected.items, (*path, number))
        elif isinstance(value, dict) and expected.shapes:
            self.obj(value, expected.shapes, path)
        elif isinstance(value, str) and expected.any_string:
            return
        elif _scalar(value, expected.scalars, top=False) is None:
            self.reject(f'field "{_path(path)}" must be {_kinds(types)}')

    def obj(self, value: dict[str, Any], shapes: tuple[Shape, ...], path: Where) -> None:
        """Check an object against the type it matches among `shapes`."""
        shape = _pick(value, shapes)
        if shape is None:
            names = ", ".join(s.name for s in shapes)
            self.reject(f'field "{_path(path)}" is none of {names}')
            return
        if not shape.required <= value.keys():
            missing = min(shape.required - value.keys())
            self.reject(f'field "{_path((*path, missing))}" is required in {shape.name}')
        for name, item in value.items():
            found = shape.fields.get(name)
            if found is None:
                where = _path((*path, name))
                self.warnings.append(f'unknown field "{where}" of {shape.name}, ignored')
                continue
            self.nested(item, found.types, (*path, name))
            if (found.limit or found.charset) and isinstance(item, str):
                self.text(shape.name, found, item)
        if shape.one_of:
            self.one_of(value, shape, path)

    def one_of(self, value: dict[str, Any], shape: Shape, path: Where) -> None:
        """Hold an object to the spec's "exactly one" (or "at most one") of its fields."""
        used = sorted(name for name in shape.one_of if name in value)
        if shape.exactly_one and not used:
            choices = ", ".join(sorted(shape.one_of))
            self.reject(NO_ACTION.get(shape.name, f'field "{_path(path)}" needs one of {choices}'))
        if len(used) > 1:
            # Telegram's Bot API server uses the first it looks for (url, then callback_data...).
            self.warnings.append(
                f'field "{_path(path)}" sets {", ".join(used)}, but {shape.name} allows only '
                "one: Telegram takes one and ignores the rest"
            )

    def text(self, owner: str, found: Field, value: str) -> None:
        """Enforce a string's stated length (unless counted after parsing) and characters."""
        limit, wording = found.limit, WORDING.get((owner, found.name))
        # Lengths counted after entities parsing are the method's to check, once it has parsed.
        checked = limit is not None and not limit.after_entities
        if limit and checked and not limit.low <= limit.measure(value) <= limit.high:
            span = f"{limit.low}-{limit.high} {limit.unit}"
            raise bad_request(wording or f"{found.name} must be {span} long")
        if found.charset is not None and not found.charset.fullmatch(value):
            raise bad_request(wording or f"{found.name} contains unallowed characters")

    def reject(self, reason: str) -> None:
        """Fail the call as Telegram does, naming the parameter that could not be parsed."""
        if reason.startswith("can't parse"):
            raise bad_request(reason)
        raise bad_request(f"can't parse {self.param}: {reason}")


@functools.lru_cache(maxsize=1024)
def _encoded(spec: ApiSpec, method: str, name: str, raw: str) -> tuple[str, ...]:
    """Check a JSON-encoded parameter; return its warnings (a 400 is raised, never cached)."""
    # A bot sends the same keyboards over and over: checking each text once keeps this cheap.
    try:
        value = json.loads(raw)
    except ValueError:
        raise bad_request(f"can't parse {name} JSON object") from None
    warnings: list[str] = []
    found = spec.methods[method.lower()].fields[name]
    checker = _Checker(spec, method, name, warnings)
    if isinstance(value, dict | list):
        checker.nested(value, found.types, (name,))
    elif _scalar(value, spec.expected(found.types).scalars, top=False) is None:
        checker.mistyped(found)
    return tuple(warnings)


def _scalar(value: Any, scalars: tuple[str, ...], *, top: bool) -> str | None:
    """Return the scalar type among `scalars` that accepts value, if any."""
    for name in scalars:
        if _accepts(name, value, top):
            return name
    return None


def _accepts(name: str, value: Any, top: bool) -> bool:
    """Tell whether a scalar type accepts value (top-level values travel as strings)."""
    if isinstance(value, Upload):
        return name == "InputFile"
    if isinstance(value, str):
        if name == "String":
            return True
        if name == "Integer":
            return bool(_INTEGER.fullmatch(value.strip()))
        if name == "Float":
            return _is_float(value)
        if name == "Boolean":
            return top and value.strip().lower() in TRUE_WORDS | FALSE_WORDS
        # Inside JSON a file is named by file_id, URL or attach://; a top-level upload is a part.
        return name == "InputFile" and (not top or value.startswith("attach://"))
    if isinstance(value, bool):
        return name == "Boolean"
    if isinstance(value, int):
        return name in {"Integer", "Float", "String"}
    if isinstance(value, float):
        return name in {"Float", "String"}
    return False


def _is_float(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _pick(value: dict[str, Any], shapes: tuple[Shape, ...]) -> Shape | None:
    """Return the type an object is: its required fields present, its type constant matching."""
    if len(shapes) == 1:
        return shapes[0]  # checked against it, the error names what is wrong

    def fits(shape: Shape) -> bool:
        return shape.required <= value.keys() and all(
            value.get(f.name) == f.constant for f in shape.fields.values() if f.constant
        )

    fitting = [shape for shape in shapes if fits(shape)]
    return max(fitting, key=lambda shape: len(value.keys() & shape.fields.keys()), default=None)


def _kinds(types: tuple[TypeRef, ...]) -> str:
    return " or ".join(str(ref) for ref in types)


def _path(path: Where) -> str:
    """Spell a path inside a parameter as in `reply_markup.inline_keyboard[0][1].text`."""
    return "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" if index else part
        for index, part in enumerate(path)
    )
