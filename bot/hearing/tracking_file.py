"""The tracking file: items' status, responsible body, deadline and metrics, for bulk import.

    ## Item 18
    status: in progress
    responsible: Ministry of Law and Justice
    deadline: 2027-06-30
    metric: Terrorism cases decided within 6 months | % | 20 | 80
    value: Terrorism cases decided within 6 months | 35 | 2026-11-01

Lines starting with a single `#` are comments; blank lines are ignored. Every problem is
reported with its line number, and nothing is imported unless the whole file is valid.
"""

from __future__ import annotations

import re
from datetime import date

from bot.hearing.plan import Problem
from bot.model.refusals import Refusal, Refused
from bot.model.tracking import (
    Change,
    ItemTracking,
    Metric,
    TrackingStatus,
    check_responsible,
    parse_deadline,
    parse_metric,
    parse_number,
)

_SECTION = re.compile(r"##[ \t]+(?:[Ii]tem[ \t]+)?(?P<id>\S+)[ \t]*")
_FIELD = re.compile(r"(?P<key>[A-Za-z_ ]+?)[ \t]*:[ \t]*(?P<value>.*)")
KEYS = ("status", "responsible", "deadline", "metric", "value")
_REASONS = {
    Refusal.BAD_DATE: "'{text}' is not a date: write it as YYYY-MM-DD, e.g. 2027-06-30",
    Refusal.NOT_A_NUMBER: "'{text}' is not a number: write digits, e.g. 35 or 12.5",
    Refusal.BAD_METRIC: "write a metric as 'name | unit | baseline | target', e.g. "
    "'Cases decided within 6 months | % | 20 | 80' (the unit may be empty)",
    Refusal.EMPTY_RESPONSE: "the responsible body is empty",
    Refusal.RESPONSE_TOO_LONG: "the responsible body is {length} characters; the limit is {limit}",
}


def _reason(refusal: Refused) -> str:
    template = _REASONS.get(refusal.code, refusal.code.value.replace("_", " "))
    return template.format(**refusal.values)


def _status(text: str) -> str:
    value = "_".join(text.lower().split())
    if value not in set(TrackingStatus):
        names = ", ".join(s.value.replace("_", " ") for s in TrackingStatus)
        raise ValueError(f"unknown status '{text}': use one of {names}")
    return value


def read_tracking_file(
    text: str, item_ids: set[str], current: dict[str, ItemTracking], today: date
) -> tuple[list[Change], list[Problem]]:
    """Read a tracking file into changes; return every problem found, with its line."""
    changes: list[Change] = []
    problems: list[Problem] = []
    item: str | None = None
    seen: set[str] = set()
    metrics: dict[str, set[str]] = {k: {m.name for m in v.metrics} for k, v in current.items()}
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or (line.startswith("#") and not line.startswith("##")):
            continue
        if section := _SECTION.fullmatch(line):
            item = section["id"]
            if item not in item_ids:
                problems.append(Problem(number, f"item {item} is not in the plan"))
                item = ""  # its fields are skipped: the problem is already reported
            elif item in seen:
                problems.append(Problem(number, f"item {item} appears twice in the file"))
            seen.add(section["id"])
            continue
        field = _FIELD.fullmatch(line)
        if field is None:
            problems.append(Problem(number, "expected '## Item N' or 'field: value'"))
            continue
        if item is None:
            problems.append(Problem(number, "a field must come under an '## Item N' line"))
            continue
        if not item:
            continue
        key, value = field["key"].strip().lower(), field["value"].strip()
        try:
            changes.append(_change(item, key, value, current.get(item), metrics, today))
        except Refused as refusal:
            problems.append(Problem(number, _reason(refusal)))
        except ValueError as exc:
            problems.append(Problem(number, str(exc)))
    return changes, problems


def _change(
    item: str, key: str, value: str, before: ItemTracking | None,
    metrics: dict[str, set[str]], today: date,
) -> Change:  # fmt: skip
    if key in ("text", "wording", "title"):
        raise ValueError(
            "the plan's wording cannot be changed in a tracking file: publish a revised plan "
            "with `hearing-bot publish-plan FILE`"
        )
    if key == "status":
        return Change(item, key, _status(value))
    if key == "responsible":
        return Change(item, key, check_responsible(value))
    if key == "deadline":
        return Change(item, key, parse_deadline(value).isoformat())
    if key == "metric":
        metric = parse_metric(value)
        metrics.setdefault(item, set()).add(metric.name)
        return Change(item, key, value, metric)
    if key == "value":
        parts = [part.strip() for part in value.split("|")]
        if len(parts) not in (2, 3) or not parts[0]:
            raise ValueError("write a value as 'metric name | number' or add '| YYYY-MM-DD'")
        if parts[0] not in metrics.get(item, set()):
            raise ValueError(f"item {item} has no metric '{parts[0]}': define it with 'metric:'")
        number = parse_number(parts[1])
        day = _measured_on(parts[2], today) if len(parts) == 3 else today
        return Change(item, key, value, Metric(parts[0], "", 0, 0, number, day))
    raise ValueError(f"unknown field '{key}': use one of {', '.join(KEYS)}")


def _date_or_none(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _measured_on(text: str, today: date) -> date:
    day = _date_or_none(text)
    if day is None:
        raise Refused(Refusal.BAD_DATE, text=text[:40])
    if day > today:
        raise ValueError(f"a value cannot be measured in the future ({day.isoformat()})")
    return day
