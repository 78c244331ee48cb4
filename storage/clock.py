"""The one timestamp format every table stores."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.model.clock import system_clock


def iso(moment: datetime) -> str:
    """Format a moment as UTC ISO-8601 text with milliseconds, so stored times sort as text."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def utcnow() -> str:
    """Return the system's current time in the stored format (for scripts, not the bot)."""
    # The bot's repositories stamp rows with the clock the database was given, never this.
    return iso(system_clock())
