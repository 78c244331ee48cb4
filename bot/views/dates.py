"""Days, times and time zones written in the reader's language ("06 Dec 2026", "06 دسمبر 2026")."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.views.texts import Texts


def day(t: Texts, value: date) -> str:
    """Write a calendar day, with the month named in the reader's language."""
    month = t.plain(f"date.month_{value.month}")
    return t.plain("date.day", day=f"{value.day:02d}", month=month, year=value.year)


def when(t: Texts, moment: datetime, zone: str) -> str:
    """Write a moment as a day and a time in the hearing's time zone."""
    local = moment.astimezone(ZoneInfo(zone))
    return t.plain("date.when", day=day(t, local.date()), time=f"{local:%H:%M}")


def zone_name(t: Texts, zone: str) -> str:
    """Name the hearing's time zone in the reader's language, when the catalogue has it."""
    key = f"zone.{re.sub(r'[^a-z]+', '_', zone.lower()).strip('_')}"
    return t.plain(key) if key in t.catalogue else zone
