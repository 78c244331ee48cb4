"""Render items' tracking: /status for citizens, the tracking card and history for trackers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime

from telegram import InlineKeyboardButton

from bot.hearing.plan import Item
from bot.model.reports import HistoryRow
from bot.model.tracking import ItemTracking, Metric, TrackingStatus
from bot.views import dates
from bot.views.codec import Action, encode
from bot.views.texts import Html, Texts
from bot.views.ui import Rendered, Ui, keyboard, paginate, shorten

BAR_CELLS = 10
PREVIEW_CHARS = 60
ROW = 5


def bar(progress: float) -> Html:
    """Draw progress toward a target as a text bar with a percentage, e.g. ▰▰▰▱▱▱▱▱▱▱ 30%."""
    filled = math.floor(BAR_CELLS * progress + 1e-9)
    return Html(f"{'▰' * filled}{'▱' * (BAR_CELLS - filled)} {round(100 * progress)}%")


def day(t: Texts, value: date) -> str:
    """Show a calendar day as the digest does, e.g. 30 Jun 2027, in the reader's language."""
    return dates.day(t, value)


def status_name(t: Texts, status: TrackingStatus) -> Html:
    """Name a tracking status."""
    return t(f"tracking_status.{status.value}")


def summary_line(t: Texts, tracking: ItemTracking, today: date) -> Html:
    """Say an item's status, deadline, progress and whether it is overdue, on one line."""
    parts = [status_name(t, tracking.status)]
    if tracking.deadline is not None:
        parts.append(t("status.due", day=day(t, tracking.deadline)))
    if tracking.progress is not None:
        parts.append(bar(tracking.progress))
    if tracking.overdue(today):
        parts.append(t("status.overdue"))
    return Html(" · ".join(parts))


def metric_line(t: Texts, metric: Metric) -> Html:
    """Describe one metric with its progress bar."""
    current = f"{metric.current:g}" if metric.current is not None else t("status.not_measured")
    when = t("status.measured_on", day=day(t, metric.measured_on)) if metric.measured_on else ""
    return t("status.metric", name=metric.name, unit=metric.unit, baseline=f"{metric.baseline:g}",
             target=f"{metric.target:g}", current=current, when=Html(when),
             bar=bar(metric.progress))  # fmt: skip


def render_status(ui: Ui, tracked: dict[str, ItemTracking], today: date) -> list[Rendered]:
    """Render /status: every item's status, deadline and progress, with buttons to open one."""
    t = ui.t
    lines = [t("status.title", title=ui.plan.title)]
    for item in ui.plan.items:
        line = summary_line(t, tracked[item.id], today)
        lines.append(t("status.row", number=item.number,
                       text=shorten(item.text, PREVIEW_CHARS), line=line))  # fmt: skip
    overdue = sum(1 for tracking in tracked.values() if tracking.overdue(today))
    if overdue:
        lines.append(t.plural("status.overdue_count", overdue))
    lines.append(t("status.open_hint"))
    buttons = [
        ui.button("button.item", Action.STATUS_ITEM, item.id, number=item.number)
        for item in ui.plan.items
    ]
    rows = [buttons[i : i + ROW] for i in range(0, len(buttons), ROW)]
    results = [ui.link("results.open_button", ui.results_url)] if ui.results_url else []
    return paginate(lines, keyboard(*rows, results))


def item_details(t: Texts, item: Item, tracking: ItemTracking, today: date) -> list[str]:
    """Describe one item's tracking in full: text, status, body, deadline, metrics."""
    lines: list[str] = [t("status.item_title", number=item.number, text=shorten(item.text, 600)),
             t("status.item_status", line=summary_line(t, tracking, today))]  # fmt: skip
    if tracking.responsible:
        lines.append(t("status.responsible", body=tracking.responsible))
    if tracking.deadline is not None:
        lines.append(t("status.deadline", day=day(t, tracking.deadline)))
    lines += [metric_line(t, metric) for metric in tracking.metrics]
    return lines


def render_status_item(
    ui: Ui, item: Item, tracking: ItemTracking, today: date, following: bool
) -> Rendered:
    """Render an item's page for a citizen, offering to follow (or stop following) it."""
    t = ui.t
    lines = item_details(t, item, tracking, today)
    lines.append(t("follow.following" if following else "follow.offer"))
    action = Action.UNFOLLOW if following else Action.FOLLOW
    label = "follow.unfollow_button" if following else "follow.follow_button"
    return Rendered("\n".join(lines), keyboard([ui.button(label, action, item.id)]))


def render_tracking_card(ui: Ui, item: Item, tracking: ItemTracking, today: date) -> Rendered:
    """Render an item's tracking for a drafter or overseer, with what they can set."""
    t, iid = ui.t, item.id
    lines = [*item_details(t, item, tracking, today), "", t("tracking.choose")]
    rows = [
        [ui.button("tracking.set_status", Action.TRACK_STATUS_ASK, iid),
         ui.button("tracking.set_responsible", Action.TRACK_FIELD, iid, "responsible")],
        [ui.button("tracking.set_deadline", Action.TRACK_FIELD, iid, "deadline"),
         ui.button("tracking.add_metric", Action.TRACK_FIELD, iid, "metric_new")],
        [ui.button("tracking.update_metric", Action.TRACK_METRIC_ASK, iid),
         ui.button("tracking.history", Action.TRACK_HISTORY, iid)],
    ]  # fmt: skip
    return Rendered("\n".join(lines), keyboard(*rows))


def render_item_picker(ui: Ui, action: Action, key: str) -> Rendered:
    """Offer every item as a button."""
    buttons = [
        ui.button("button.item", action, item.id, number=item.number) for item in ui.plan.items
    ]
    rows = [buttons[i : i + ROW] for i in range(0, len(buttons), ROW)]
    return Rendered(ui.t(key), keyboard(*rows))


def render_status_picker(ui: Ui, item: Item) -> Rendered:
    """Offer the statuses an item can have."""
    buttons = [
        ui.button(f"tracking_status.{s.value}", Action.TRACK_STATUS, item.id, s.value)
        for s in TrackingStatus
    ]
    return Rendered(ui.t("tracking.ask_status", number=item.number),
                    keyboard(buttons[:3], buttons[3:]))  # fmt: skip


def render_metric_picker(ui: Ui, item: Item, metrics: Sequence[Metric]) -> Rendered:
    """Offer an item's metrics, to record a new value of one."""
    if not metrics:
        return Rendered(ui.t("tracking.no_metrics", number=item.number))
    # A metric's name is the citizen-facing label as typed: buttons show text, not HTML.
    rows = [[InlineKeyboardButton(ui.t.plain("tracking.metric_button", name=m.name),
                                  callback_data=encode(Action.TRACK_METRIC, item.id, i))]
            for i, m in enumerate(metrics)]  # fmt: skip
    return Rendered(ui.t("tracking.ask_metric", number=item.number), keyboard(*rows))


def history_line(t: Texts, row: HistoryRow, zone: str) -> Html:
    """Describe one change: when (in the hearing's time zone), what, from what to what, by whom
    (pseudonymous)."""
    field, _, metric = row.field.partition(":")
    what = t(f"history.field_{field}", metric=metric)
    old = _shown(t, field, row.old_value)
    new = _shown(t, field, row.new_value)
    who = (
        t("history.by_file", name=row.actor)
        if row.source == "import"
        else t("history.by_person", who=row.actor[:8])
    )
    when = dates.when(t, datetime.fromisoformat(row.changed_at), zone)
    return t("history.row", when=when, what=what, old=old, new=new, who=who)


def _shown(t: Texts, field: str, value: str | None) -> Html:
    if value is None or value == "":
        return t("history.unset")
    if field == "status":
        return status_name(t, TrackingStatus(value))
    return Html(t("history.value", value=value))


def render_history(ui: Ui, item: Item, rows: Sequence[HistoryRow], zone: str) -> list[Rendered]:
    """Render an item's tracking history, oldest first, its times in the hearing's time zone."""
    t = ui.t
    lines = [t("history.title", number=item.number, zone=dates.zone_name(t, zone))]
    lines += [history_line(t, row, zone) for row in rows] or [t("history.empty")]
    return paginate(lines)
