"""The one timestamp format every table stores."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime) -> str:
    """Format a moment as UTC ISO-8601 text with milliseconds, so stored times sort as text."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def utcnow() -> str:
    """Return the current UTC time in the stored format."""
    return iso(datetime.now(UTC))
