"""Render the public results site: every page in English and Urdu, the style and the font."""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from typing import Any

from babel.dates import format_date
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from bot.hearing.opinion_groups import GroupsOutcome
from bot.hearing.opinion_summary import Direction, Share
from bot.hearing.plan import Plan
from bot.hearing.plan_revision import ItemChange
from bot.hearing.results import (
    GroupsResult,
    GroupStatement,
    ItemResult,
    Outcome,
    ResultsPage,
    borrows_english,
)
from bot.hearing.turnout import Period
from bot.model.tracking import Metric, TrackingStatus
from bot.model.values import NEW_ITEMS, Language
from bot.views.fonts import LICENCE, URDU_FONT
from bot.views.results.charts import chart_width, columns, percent, progress_width, split_segments
from bot.views.texts import Html, Texts, load_texts
from storage.unit import in_thread

ITEMS_PER_PAGE = 20
# The opinion groups name items and suggestions as the digest does: cut to this many characters.
ITEM_CHARS, SUGGESTION_CHARS = 70, 110
# Up to this many items, each item's suggestions are shown open; beyond, folded (<details>).
OPEN_UP_TO = 30
# The site's own assets, and the package's Urdu font with its licence (bot/views/fonts).
STATIC = ("style.css",)
FONTS = (URDU_FONT, LICENCE)
PAGES = (
    ("index.html", "results.nav_overview"),
    ("items-1.html", "results.nav_items"),
    ("proposals.html", "results.nav_proposals"),
    ("changes.html", "results.nav_changes"),
)
TURNOUT_TITLES = {
    "day": "results.joined_by_day",
    "week": "results.joined_by_week",
    "month": "results.joined_by_month",
}
DIRECTION = {Language.ENGLISH: "ltr", Language.URDU: "rtl"}
# Embedding, override and isolate controls: a citizen's text could use them to display in an
# order other than the one written (and to spill that order onto the page around it).
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")

_ENV = Environment(
    loader=PackageLoader("bot.views.results", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["citizen"] = lambda text: _BIDI_CONTROLS.sub("", str(text))

Site = dict[str, bytes]


@dataclass(frozen=True)
class Other:
    """The language a page links to."""

    lang: str
    dir: str
    name: str


def render_site(page: ResultsPage, plans: Mapping[Language, Plan]) -> Site:
    """Render every page of the site in each language, with its assets, as {path: bytes}."""
    english = plans[Language.ENGLISH]
    site: Site = {}
    for language in Language:
        # A language without a matching translation of the plan shows the English wording.
        worded_in = language if language in plans else Language.ENGLISH
        plan = plans[worded_in]
        pages = _pages(page.in_plan(plan), plan, language, worded_in)
        site |= {f"{language.value}/{name}": body for name, body in pages}
    choices = [
        (f"{language.value}/index.html", language.value, DIRECTION[language],
         load_texts(language.value).plain("results.read_in"))
        for language in Language
    ]  # fmt: skip
    chooser = _ENV.get_template("chooser.html").render(title=english.title, choices=choices)
    site["index.html"] = chooser.encode("utf-8")
    static = files("bot.views.results") / "static"
    for name in STATIC:
        site[f"assets/{name}"] = (static / name).read_bytes()
    for font in FONTS:
        site[f"assets/fonts/{font.name}"] = font.read_bytes()
    return site


async def packed_site(page: ResultsPage, plans: Mapping[Language, Plan], folder: str) -> bytes:
    """Render the site and pack it as a zip, off the event loop (it takes a moment)."""
    site = await in_thread(render_site, page, plans)
    return await in_thread(zip_site, site, folder)


def zip_site(site: Site, folder: str) -> bytes:
    """Pack the site into a zip archive held in memory, under one folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as packed:
        for name, body in sorted(site.items()):
            packed.writestr(f"{folder}/{name}", body)
    return buffer.getvalue()


def _pages(
    page: ResultsPage, plan: Plan, language: Language, worded_in: Language
) -> list[tuple[str, bytes]]:
    t = load_texts(language.value)
    size = ITEMS_PER_PAGE
    chunks = [page.items[i : i + size] for i in range(0, len(page.items), size)] or [()]
    where = {item.item_id: n for n, chunk in enumerate(chunks, 1) for item in chunk}
    common = _common(page, plan, language, t, where) | {"plan_lang": worded_in.value}
    pager = [(f"items-{n}.html", chunk[0].stats.number, chunk[-1].stats.number)
             for n, chunk in enumerate(chunks, 1) if chunk]  # fmt: skip
    overview = _overview(page, t, common)
    pages = [("index.html", "overview.html", t.plain("results.nav_overview"), overview)]
    for n, chunk in enumerate(chunks, 1):
        heading = t.plain("results.nav_items")
        if len(chunks) > 1 and chunk:
            heading = t.plain("results.items_title", first=chunk[0].stats.number,
                              last=chunk[-1].stats.number, total=len(page.items))  # fmt: skip
        extra = {"items": chunk, "pager": pager, "open_details": len(page.items) <= OPEN_UP_TO}
        pages.append((f"items-{n}.html", "items.html", heading, extra))
    pages.append(("proposals.html", "proposals.html", t.plain("results.nav_proposals"), {}))
    pages.append(("changes.html", "changes.html", t.plain("results.changes_title"), {}))
    return [
        (name, _ENV.get_template(template).render(**common, **extra, current=name,
                                                  heading=heading).encode("utf-8"))
        for name, template, heading, extra in pages
    ]  # fmt: skip


def _common(
    page: ResultsPage, plan: Plan, language: Language, t: Texts, where: dict[str, int]
) -> dict[str, Any]:
    rtl = DIRECTION[language] == "rtl"
    other = next(other for other in Language if other != language)

    def text(key: str, **values: object) -> Markup:
        # Safe: the catalogue is ours, and Texts escapes every value it fills in.
        return Markup(t(key, **values))

    def day(value: date) -> str:
        return format_date(value, "d MMMM y", locale=language.value)

    def period(p: Period) -> Markup:
        if p.start == p.end:
            return Markup.escape(day(p.start))
        return text("results.period", start=day(p.start), end=day(p.end))

    return {
        "page": page,
        "lang": language.value,
        "dir": DIRECTION[language],
        "rtl": rtl,
        "other": Other(
            other.value, DIRECTION[other], load_texts(other.value).plain("language.name")
        ),
        "nav": PAGES,
        "t": text,
        "tp": t.plain,
        "day": day,
        "period": period,
        "pct": percent,
        "pct_of": lambda share: round(100 * share),
        "fill": progress_width,
        "split": lambda stats: split_segments(stats, rtl),
        "columns": lambda periods: columns(periods, rtl),
        "chart_width": chart_width,
        "item_href": lambda item_id: f"items-{where.get(item_id, 1)}.html#item-{item_id}",
        "wording_of": plan.item,
        "outcome": lambda outcome: _outcome(text, outcome),
        "metric": lambda metric: _metric(text, metric),
        "change": lambda change: _change(text, change),
        "quoted": lambda revision: revision.quoted(language),
        "borrows_english": lambda changes: borrows_english(changes, language),
        "letter": _letter,
        "share_pct": _share_pct,
        "statement": lambda s: _statement(text, page, s, where),
        "groups_line": lambda groups: _groups_line(text, groups),
    }


def _overview(page: ResultsPage, t: Texts, common: dict[str, Any]) -> dict[str, Any]:
    text: Callable[..., Markup] = common["t"]
    href: Callable[[str], str] = common["item_href"]
    turnout = page.turnout
    title = TURNOUT_TITLES[turnout.unit]
    alt = "; ".join(
        t.plain("results.period_row", period=str(common["period"](p)), joined=p.joined,
                total=p.total)
        for p in turnout.periods
    )  # fmt: skip
    highlights = []
    for key, ids in (("results.most_supported", page.most_supported),
                     ("results.most_opposed", page.most_opposed),
                     ("results.most_contested", page.most_contested)):  # fmt: skip
        links = []
        for item_id in ids:
            result = page.item(item_id)
            if result is not None:
                links.append((href(item_id), _share(text, key, result)))
        highlights.append((key, links))
    statuses = Counter(item.tracking.status for item in page.items)
    return {
        "turnout_title": title,
        "turnout_alt": f"{t.plain(title)}: {alt}",
        "highlights": highlights,
        "statuses": [(s.value, statuses[s]) for s in TrackingStatus if statuses[s]],
        "overdue": [item for item in page.items if item.overdue],
    }


def _share(text: Callable[..., Markup], key: str, item: ItemResult) -> Markup:
    s = item.stats
    if key == "results.most_contested":
        return text("results.item_split", number=s.number, support=percent(s.support, s.answers),
                    oppose=percent(s.oppose, s.answers))  # fmt: skip
    count = s.support if key == "results.most_supported" else s.oppose
    return text("results.item_share", number=s.number, percent=percent(count, s.answers))


def _outcome(text: Callable[..., Markup], outcome: Outcome) -> Markup:
    if outcome.decision is None:
        return Markup("")
    reason = _BIDI_CONTROLS.sub("", outcome.reason or "")
    return text(f"results.outcome_{outcome.decision.value}", item=outcome.merged_into or "",
                reason=reason)  # fmt: skip


def _metric(text: Callable[..., Markup], m: Metric) -> Markup:
    current = f"{m.current:g}" if m.current is not None else None
    if current is None:
        return text("results.metric_unmeasured", name=m.name, unit=m.unit,
                    baseline=f"{m.baseline:g}", target=f"{m.target:g}")  # fmt: skip
    return text("results.metric", name=m.name, unit=m.unit, current=current,
                baseline=f"{m.baseline:g}", target=f"{m.target:g}")  # fmt: skip


def _change(text: Callable[..., Markup], change: ItemChange) -> Markup:
    return text(f"results.change_{change.kind.value}", item=change.item_id,
                into=change.into_item or "")  # fmt: skip


def _letter(label: int) -> str:
    # As the digest and its map name groups (bot/views/opinion_map.py): 0 is A, 1 is B...
    return chr(ord("A") + label) if 0 <= label < 26 else str(label)


def _share_pct(share: Share, direction: Direction | str) -> int:
    return round(100 * share.share(Direction(direction)))


def _statement(
    text: Callable[..., Markup], page: ResultsPage, s: GroupStatement, where: dict[str, int]
) -> Markup:
    item = page.item(s.item_id)
    number = item.stats.number if item else s.item_id
    if s.suggestion_id is not None:
        # A citizen's words, in either language: isolated, so they cannot reorder the line.
        cut = _shorten(_BIDI_CONTROLS.sub("", s.text), SUGGESTION_CHARS)
        quoted = Html(str(Markup("<bdi>{}</bdi>").format(cut)))
        if s.item_id == NEW_ITEMS:
            return text("results.groups_proposal", text=quoted)
        return text("results.groups_suggestion", number=number, text=quoted)
    wording = _shorten(item.stats.text if item else "", ITEM_CHARS)
    named = text("results.groups_item", number=number, text=wording)
    href = f"items-{where.get(s.item_id, 1)}.html#item-{s.item_id}"
    return Markup('<a href="{}">{}</a>').format(href, named)


def _shorten(text: str, limit: int) -> str:
    # As bot/views/ui.py's shorten, which the site cannot import (it brings in telegram).
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _groups_line(text: Callable[..., Markup], g: GroupsResult) -> Markup:
    """Say how many groups were found, or why none could be."""
    # No count of voters under the floor: only how many groups would need.
    if g.outcome is GroupsOutcome.TOO_FEW_PARTICIPANTS:
        return text("results.groups_too_few_participants", needed=g.needed)
    if g.outcome is GroupsOutcome.TOO_FEW_VOTES:
        return text("results.groups_too_few_votes", min_votes=g.min_votes, needed=g.needed)
    if g.outcome is GroupsOutcome.ONE_GROUP:
        return text("results.groups_one", clustered=g.clustered)
    return text("results.groups_found", groups=len(g.groups), clustered=g.clustered)
