"""Render what after-the-hearing messages say: follower batches, reports, notices, questions."""

from __future__ import annotations

from datetime import date

from bot.hearing.oversight import AfterHearing, OversightReport
from bot.hearing.plan import Plan
from bot.hearing.plan_revision import ChangeKind, ItemChange
from bot.model.reports import QuestionRow
from bot.model.tracking import ItemTracking
from bot.views import dates
from bot.views.links import Links
from bot.views.texts import Html, Texts
from bot.views.tracking import day, history_line, summary_line
from bot.views.ui import pack, shorten

ANSWER_CHARS = 160
ANSWERS_SHOWN = 10
# Old and new wording share one message: each is cut to fit.
WORDING_CHARS = 1500
CHANGES_SHOWN = 30


def follower_message(t: Texts, plan: Plan, items: list[ItemTracking], today: date) -> str:
    """Tell a follower where each followed item that changed stands now."""
    lines = [t("follow.batch_title", title=plan.title)]
    for tracking in items:
        item = plan.item(tracking.item_id)
        text = shorten(item.text, 80) if item else ""
        lines.append(t("follow.batch_row", number=tracking.item_id, text=text,
                       line=summary_line(t, tracking, today)))  # fmt: skip
    lines.append(t("follow.batch_footer"))
    return "\n".join(lines)


def item_texts(plan: Plan) -> dict[str, str]:
    """Map each top-level item's id to its text."""
    return {item.id: item.text for item in plan.items}


def overdue_lines(t: Texts, texts: dict[str, str], overdue: tuple[ItemTracking, ...]) -> list[str]:
    """List overdue items with their deadline, status and responsible body."""
    lines: list[str] = []
    for tracking in overdue:
        lines.append(t("oversight.overdue_row", number=tracking.item_id,
                       text=shorten(texts.get(tracking.item_id, ""), 70),
                       day=day(t, tracking.deadline) if tracking.deadline else "",
                       status=t(f"tracking_status.{tracking.status.value}"),
                       body=tracking.responsible or t("oversight.no_body")))  # fmt: skip
    return lines


def render_oversight(t: Texts, plan: Plan, report: OversightReport, zone: str) -> list[str]:
    """Render the weekly oversight report as messages under Telegram's limit."""
    end, name = dates.when(t, report.period_end, zone), dates.zone_name(t, zone)
    lines = [t("oversight.title", title=report.title), t("oversight.period", end=end, zone=name),
             ""]  # fmt: skip
    if report.overdue:
        lines.append(t.plural("oversight.overdue", len(report.overdue)))
        lines += overdue_lines(t, item_texts(plan), report.overdue)
    else:
        lines.append(t("oversight.none_overdue"))
    lines += ["", t("oversight.items")]
    for tracking in report.items:
        lines.append(t("oversight.item_row", number=tracking.item_id,
                       line=summary_line(t, tracking, report.today)))  # fmt: skip
    lines += ["", t("oversight.changes", count=len(report.changes))]
    lines += [t("oversight.change_row", number=row.item_id, change=history_line(t, row, zone))
              for row in report.changes[-CHANGES_SHOWN:]]  # fmt: skip
    return pack(lines)


def after_blocks(
    t: Texts, texts: dict[str, str], after: AfterHearing, links: Links | None,
    min_group: int = 1,
) -> list[str]:  # fmt: skip
    """Render the digest's after-the-hearing sections: overdue, follow-ups, plan versions."""
    blocks = []
    if after.overdue:
        lines = [t("digest_after.overdue", count=len(after.overdue))]
        blocks.append("\n".join(lines + overdue_lines(t, texts, after.overdue)))
    for question, answers in after.questions:
        lines = [t("digest_after.question", id=question.id, item=question.item_id,
                   segment=t(f"ask.segment_{question.segment}"), text=shorten(question.text, 200),
                   audience=question.audience, count=len(answers))]  # fmt: skip
        for sid, text in answers[:ANSWERS_SHOWN]:
            link = t("digest.link", url=links.review(sid), id=sid) if links else f"#{sid}"
            lines.append(t("digest_after.answer", link=Html(link),
                           text=shorten(text, ANSWER_CHARS)))  # fmt: skip
        blocks.append("\n".join(lines))
    if after.versions:
        lines = [t("digest_after.versions")]
        for v in after.versions:
            # As for items: no split of a handful of answers that could be traced to people.
            if v.withheld or any(0 < side[2] < min_group for side in (v.earlier, v.current)):
                lines.append(t("digest_after.version_withheld", number=v.item_id, count=min_group))
                continue
            lines.append(t("digest_after.version_row", number=v.item_id, old_support=v.earlier[0],
                           old_oppose=v.earlier[1], old_all=v.earlier[2],
                           new_support=v.current[0], new_oppose=v.current[1],
                           new_all=v.current[2]))  # fmt: skip
        blocks.append("\n".join(lines))
    return blocks


def plan_change_notice(t: Texts, title: str, change: ItemChange) -> str:
    """Tell a citizen what became of an item they answered or commented on."""
    old = shorten(change.old_text or "", WORDING_CHARS)
    new = shorten(change.new_text or "", WORDING_CHARS)
    if change.kind is ChangeKind.DROPPED:
        return t("plan_change.dropped", title=title, number=change.item_id, old=old)
    if change.kind is ChangeKind.MERGED:
        return t("plan_change.merged", title=title, number=change.item_id,
                 into=change.into_item or "", old=old, new=new)  # fmt: skip
    return t("plan_change.changed", title=title, number=change.item_id, old=old, new=new)


def question_message(t: Texts, title: str, question: QuestionRow) -> str:
    """Render a follow-up question as its recipients read it."""
    return t("ask.message", title=title, number=question.item_id,
             segment=t(f"ask.you_{question.segment}"), text=question.text)  # fmt: skip
