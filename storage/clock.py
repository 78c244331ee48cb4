"""The one timestamp format every table stores."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> str:
    """Return the current UTC time as ISO-8601 text with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")
