"""What the offline commands read first: the hearing's database and its plan, or why not."""

from __future__ import annotations

from bot.config import Settings
from bot.hearing.plan import Plan, PlanError, load_plan


def stored_hearing_plan(settings: Settings) -> Plan | str:
    """Return the plan of a hearing whose database exists, or the one line saying what is wrong."""
    if not settings.database_url and not settings.database_path.is_file():
        return f"no database at {settings.database_path} (set DATABASE_PATH)"
    try:
        return load_plan(settings.plan_path)
    except PlanError:
        return f"the plan {settings.plan_path} has problems (see check-content)"
    except (OSError, UnicodeDecodeError) as exc:
        return f"the plan {settings.plan_path} cannot be read: {exc}"
