"""The one clock: every "now" in storage, the domain and the runtime comes from one of these."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

# A clock returns the current moment as an aware datetime. The composition injects one (the
# system's, or a test's fixed one) into the database, which hands it on to everything else.
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Return the current UTC time from the system."""
    return datetime.now(UTC)
