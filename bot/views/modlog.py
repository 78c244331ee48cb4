"""The moderation log and the list of bans, as moderators read them: words, not codes, and
times in the hearing's time zone."""

from __future__ import annotations

import re
from datetime import datetime

from bot.hearing.bans import Ban
from bot.model.records import LogRecord
from bot.model.values import FlagReason, ReportReason, SuggestionStatus
from bot.views import dates
from bot.views.texts import Html, Texts
from bot.views.ui import Rendered, paginate

_REPORTS = re.compile(r"(\d+) reports?")


def local_time(t: Texts, stored: str, zone: str) -> str:
    """Write a stored UTC time in the hearing's time zone, in the reader's language."""
    return dates.when(t, datetime.fromisoformat(stored), zone)


def render_log(t: Texts, entries: list[LogRecord], zone: str) -> list[Rendered]:
    """List moderation decisions, newest first, with pseudonymous actors and local times."""
    if not entries:
        return [Rendered(t("moderation.log_empty"))]
    lines = [t.plural("moderation.log_heading", len(entries), zone=dates.zone_name(t, zone))]
    for entry in entries:
        details = [t("moderation.log_by", actor=entry.actor_id[:8]) if entry.actor_id
                   else t("moderation.log_automatic")]  # fmt: skip
        if (reason := _reason(t, entry)) is not None:
            details.append(reason)
        if entry.previous_status or entry.new_status:
            details.append(t("moderation.log_change", before=_status(t, entry.previous_status),
                             after=_status(t, entry.new_status)))  # fmt: skip
        what = t(f"moderation.action_{entry.action}")
        if entry.suggestion_id is not None:
            what = t("moderation.log_suggestion", action=what, id=entry.suggestion_id)
        lines.append(t("moderation.log_row", when=local_time(t, entry.created_at, zone), what=what,
                       details=Html(" · ".join(details))))  # fmt: skip
    return paginate(lines)


def _reason(t: Texts, entry: LogRecord) -> Html | None:
    """Say why, in words: the checks that held a post, a moderator's reason, the reports."""
    reason = entry.reason
    if not reason:
        return None
    if entry.action == "flagged":
        flags = [t(f"moderation.flagged_{r}") for r in reason.split(",") if r in set(FlagReason)]
        return t("moderation.log_reason", reason=Html(", ".join(flags))) if flags else None
    if entry.action == "unban":
        return t("moderation.log_author", author=reason)
    if (reports := _REPORTS.fullmatch(reason)) is not None:
        return t.plural("moderation.log_reports", int(reports.group(1)))
    if reason in set(ReportReason):
        return t("moderation.log_reason", reason=t(f"moderation.reason_{reason}"))
    return t("moderation.log_reason", reason=reason)


def _status(t: Texts, status: str | None) -> Html:
    if status is None or status not in set(SuggestionStatus):
        return t("moderation.status_none")
    return t(f"moderation.status_{status}")


def render_bans(t: Texts, bans: list[Ban], zone: str) -> Rendered:
    """List the banned authors by their tag, with how to lift a ban."""
    if not bans:
        return Rendered(t("moderation.bans_none"))
    rows = [t("moderation.bans_row", tag=ban.tag, since=local_time(t, ban.since, zone))
            for ban in bans]  # fmt: skip
    name = dates.zone_name(t, zone)
    return Rendered("\n".join([t("moderation.bans_title", zone=name), *rows, "",
                               t("moderation.bans_how")]))  # fmt: skip
