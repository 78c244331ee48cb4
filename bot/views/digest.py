"""Render a Digest as Telegram HTML messages, split at item boundaries under the limit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.hearing.digest_model import Digest, ItemStats, SuggestionGroup
from bot.hearing.digest_schedule import RenderedDigest
from bot.hearing.plan import Plan
from bot.model.values import Language
from bot.views import dates
from bot.views.chart import ChartLabels, render_chart
from bot.views.links import Links
from bot.views.new_suggestions import new_blocks
from bot.views.opinion_groups import opinion_blocks, render_digest_map
from bot.views.reports import after_blocks
from bot.views.texts import Html, Texts
from bot.views.ui import head_count, pack, shorten
from storage.unit import in_thread

SUGGESTION_CHARS = 160
ITEM_CHARS = 90
# Blocks are never split, so each must stay well under one message: proposals are capped.
PROPOSALS_SHOWN = 10


class HearingSettings(Protocol):
    """The settings rendering a digest reads."""

    @property
    def min_group_size(self) -> int: ...

    @property
    def timezone(self) -> str: ...


class Hearing(Protocol):
    """What rendering a digest needs of the running hearing (its services, structurally)."""

    @property
    def texts(self) -> Texts: ...

    @property
    def settings(self) -> HearingSettings: ...

    @property
    def clock(self) -> Callable[[], datetime]: ...

    def texts_in(self, language: Language | None) -> Texts: ...

    def plan_for(self, language: Language | None) -> Plan: ...


async def render_for_drafters(
    services: Hearing, username: str, digest: Digest, language: Language | None = None
) -> RenderedDigest:
    """Render a digest in a drafter's language, with links they can tap, and its chart."""
    t = services.texts_in(language)
    local = digest.in_plan(services.plan_for(language))
    messages = render_digest(t, local, services.settings.timezone, Links(username))
    # matplotlib is slow and synchronous: keep it off the event loop. The chart is in the
    # drafter's language too: its labels, the items' wording and the reading direction.
    chart = await in_thread(render_chart, local, chart_labels(t), t.language)
    return RenderedDigest(messages, chart, await render_digest_map(digest))


def chart_labels(t: Texts) -> ChartLabels:
    """Take the chart's words from content/ (plain text; the chart fills in the date)."""
    return ChartLabels(**{f.name: t.raw(f"chart.{f.name}") for f in fields(ChartLabels)})


def chart_caption(services: Hearing, t: Texts) -> str:
    """Caption the chart with the day it was made, in the hearing's time zone."""
    today = services.clock().astimezone(ZoneInfo(services.settings.timezone))
    return t("digest.chart_caption", end=dates.day(t, today.date()))


def render_digest(t: Texts, digest: Digest, zone: str, links: Links | None) -> list[str]:
    """Render the digest as HTML messages, each under Telegram's limit, split between items."""
    blocks = [_header(t, digest, zone), _items_heading(t, digest)]
    for stats in digest.items:
        blocks.append(_item_block(t, digest, stats, zone, links))
    blocks += new_blocks(t, digest, links)
    blocks.append(_proposals(t, digest, links))
    blocks += opinion_blocks(t, digest, links)
    texts = {s.item_id: s.text for s in digest.items}
    blocks += after_blocks(t, texts, digest.after, links, digest.min_group)
    return pack(blocks, "\n\n")


def _header(t: Texts, digest: Digest, zone: str) -> str:
    end, name = dates.when(t, digest.period_end, zone), dates.zone_name(t, zone)
    if digest.period_start is None:
        period = t("digest.since_start", end=end, zone=name)
    else:
        start = dates.when(t, digest.period_start, zone)
        period = t("digest.period", start=start, end=end, zone=name)
    lines = [
        t("digest.title", title=digest.title),
        period,
        "",
        _participation(t, digest, zone),
        "",
        t("digest.highlights"),
        t("digest.most_supported", items=_shares(t, digest, digest.most_supported, "support")),
        t("digest.most_opposed", items=_shares(t, digest, digest.most_opposed, "oppose")),
        t("digest.most_contested", items=_splits(t, digest, digest.most_contested)),
        t("digest.new_glance", count=len(digest.new_suggestions)),
        t("digest.moderation", count=digest.awaiting_moderation),
        t("digest.reported", count=digest.reported),
    ]  # fmt: skip
    return "\n".join(lines)


def _participation(t: Texts, digest: Digest, zone: str) -> str:
    p, least = digest.participation, digest.min_group
    line = t("digest.participation", total=head_count(t, p.total, least),
             total_change=_change(t, p.total_change), completed=head_count(t, p.completed, least),
             completed_change=_change(t, p.completed_change),
             active=head_count(t, p.active, least))  # fmt: skip
    return line + _as_of(t, p.as_of, zone)


def _items_heading(t: Texts, digest: Digest) -> str:
    if digest.min_group <= 1:
        return t("digest.items")
    return "\n".join([t("digest.items"), t("digest.release_note", count=digest.min_group)])


def _item_block(t: Texts, digest: Digest, s: ItemStats, zone: str, links: Links | None) -> str:
    lines: list[str] = [t("digest.item", number=s.number, text=shorten(s.text, ITEM_CHARS))]
    if s.withheld:
        lines.append(
            t("privacy.too_few_responses", count=digest.min_group) + _as_of(t, s.as_of, zone)
        )
    elif s.answers == 0:
        lines.append(t("digest.no_answers"))
    else:
        priority = (
            t("digest.item_priority", score=round(s.priority_score))
            if s.priority_score is not None
            else ""
        )
        change = s.change or (None, None, None)
        lines.append(
            t("digest.item_counts",
              support=s.support, support_pct=_pct(s, s.support),
              support_change=_change(t, change[0]),
              oppose=s.oppose, oppose_pct=_pct(s, s.oppose),
              oppose_change=_change(t, change[1]),
              unsure=s.unsure, unsure_change=_change(t, change[2]), priority=Html(priority))
            + _as_of(t, s.as_of, zone)
        )  # fmt: skip
    for sub in digest.subs_of(s.item_id):
        if sub.withheld:
            lines.append(t("digest.sub_item_withheld", number=sub.number, count=digest.min_group))
        else:
            lines.append(t("digest.sub_item_counts", number=sub.number, support=sub.support,
                           unsure=sub.unsure, oppose=sub.oppose))  # fmt: skip
    best = digest.best_suggestions.get(s.item_id, ())
    if best:
        lines.append(t("digest.best"))
        lines += [_suggestion(t, group, links, digest.min_group) for group in best]
    return "\n".join(lines)


def _proposals(t: Texts, digest: Digest, links: Links | None) -> str:
    if not digest.proposals:
        return t("digest.no_proposals")
    shown = digest.proposals[:PROPOSALS_SHOWN]
    lines = [t("digest.proposals")] + [_suggestion(t, g, links, digest.min_group) for g in shown]
    if len(digest.proposals) > len(shown):
        lines.append(t("digest.more_proposals", count=len(digest.proposals) - len(shown)))
    return "\n".join(lines)


def _suggestion(t: Texts, group: SuggestionGroup, links: Links | None, min_group: int) -> str:
    sid = group.suggestion_id
    link = (
        t("digest.link", url=links.review(sid), id=sid) if links else t("digest.plain_id", id=sid)
    )
    similar = t("digest.similar", count=group.writers) if group.similar else ""
    votes = (
        t("digest.votes_withheld", count=min_group)
        if group.withheld
        else t("digest.new_split", agree=group.agree, disagree=group.disagree)
    )
    return t("digest.suggestion", link=link, text=shorten(group.text, SUGGESTION_CHARS),
             votes=votes, similar=Html(similar))  # fmt: skip


def _shares(t: Texts, digest: Digest, item_ids: tuple[str, ...], stance: str) -> Html:
    parts = []
    for item_id in item_ids:
        stats = digest.item(item_id)
        if stats is not None:
            count = stats.support if stance == "support" else stats.oppose
            parts.append(t("digest.share", number=stats.number, percent=_pct(stats, count)))
    return Html(", ".join(parts)) if parts else t("digest.none")


def _splits(t: Texts, digest: Digest, item_ids: tuple[str, ...]) -> Html:
    parts = []
    for item_id in item_ids:
        s = digest.item(item_id)
        if s is not None:
            parts.append(t("digest.split", number=s.number, support=_pct(s, s.support),
                           oppose=_pct(s, s.oppose)))  # fmt: skip
    return Html(", ".join(parts)) if parts else t("digest.none")


def _pct(stats: ItemStats, count: int) -> int:
    return round(100 * stats.share(count))


def _change(t: Texts, count: int | None) -> Html:
    if not count:  # not shown (None), or no change
        return Html("")
    return t("digest.change_up" if count > 0 else "digest.change_down", count=abs(count))


def _as_of(t: Texts, moment: datetime | None, zone: str) -> str:
    """Date a figure published before the digest's period; nothing for a current one."""
    if moment is None:
        return ""
    return str(t("digest.as_of", day=dates.day(t, moment.astimezone(ZoneInfo(zone)).date())))
