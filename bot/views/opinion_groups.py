"""Opinion groups in words: the drafters' digest section, and a citizen's own place.

Only what bot/hearing/opinion_groups.py describes is shown: groups of at least MIN_GROUP_SIZE
people and shares resting on at least as many votes. A citizen is told their own group only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.hearing.digest_model import Digest
from bot.hearing.opinion_groups import GroupsOutcome, GroupSummary
from bot.hearing.opinion_statements import HearingGroups, OwnPlace, Statement
from bot.hearing.opinion_summary import Across, Direction, Distinctive, Share
from bot.views.links import Links
from bot.views.opinion_map import letter, render_map
from bot.views.texts import Html, Texts
from bot.views.ui import Rendered, Ui, head_count, shorten, target_name
from storage.unit import in_thread

ITEM_CHARS = 70
SUGGESTION_CHARS = 110
DATE_FORMAT = "%d %b %Y"
# (agree, disagree) wordings of a group's distinctive statements, and of the common ground.
DRAFTER_KEYS = ("groups.apart_agree", "groups.apart_disagree")
CITIZEN_KEYS = ("groups.mine_agree", "groups.mine_disagree")
CONSENSUS_KEYS = ("groups.consensus_agree", "groups.consensus_disagree")

# An item as the reader's plan words it: (number, text) by item id.
ItemNames = Mapping[str, tuple[str, str]]


@dataclass(frozen=True)
class _Namer:
    """Names statements for one reader: items from their plan, suggestions with a link."""

    t: Texts
    items: ItemNames
    statements: Mapping[str, Statement]
    links: Links | None
    for_drafters: bool

    def __call__(self, key: object) -> Html:
        statement = self.statements.get(str(key))
        if statement is None:
            return Html(str(key))
        if statement.suggestion_id is None:
            number, text = self.items.get(statement.item_id, (statement.item_id, ""))
            return self.t("groups.item", number=number, text=shorten(text, ITEM_CHARS))
        sid = statement.suggestion_id
        if self.links is None:
            link = self.t("digest.plain_id", id=sid)
        else:
            url = self.links.review(sid) if self.for_drafters else self.links.suggestion(sid)
            link = self.t("digest.link", url=url, id=sid)
        target = target_name(self.t, statement.item_id)
        text = shorten(statement.text, SUGGESTION_CHARS)
        return self.t("groups.suggestion", link=link, target=target, text=text)


def opinion_blocks(t: Texts, digest: Digest, links: Links | None) -> list[str]:
    """Render the digest's opinion groups section as blocks (never split between messages)."""
    groups = digest.opinion
    if groups is None:
        return []
    result = groups.result
    if not groups.found:
        return [_too_few(t, groups)]
    items = {s.item_id: (s.number, s.text) for s in digest.items}
    name = _Namer(t, items, groups.statements, links, for_drafters=True)
    key = "groups.found" if result.outcome is GroupsOutcome.GROUPS else "groups.one_group"
    head = [t("groups.title"), t(key, groups=len(result.groups), clustered=result.clustered,
                                 count=result.participants)]  # fmt: skip
    if result.merged:
        head.append(t("groups.merged", count=result.merged, min_size=groups.params.min_group_size))
    blocks = ["\n".join(head)]
    for group in result.groups:
        lines: list[str] = [t("groups.group", group=letter(group.label), size=group.size)]
        lines += _apart(t, name, group, DRAFTER_KEYS) or [t("groups.nothing_apart")]
        blocks.append("\n".join(lines))
    blocks.append(_consensus(t, name, groups, "groups.consensus"))
    if len(result.groups) > 1:
        rows = [
            t("groups.divisive_row", statement=name(a.statement), shares=_splits(t, groups, a))
            for a in result.divisive
        ]
        blocks.append(
            "\n".join([t("groups.divisive"), *rows]) if rows else t("groups.no_divisive")
        )
    return blocks


def render_own_place(ui: Ui, place: OwnPlace) -> Rendered:
    """Tell a citizen where they stand: their group, what sets it apart, the common ground."""
    t, groups = ui.t, place.groups
    if not groups.found:
        return Rendered(t("groups.mine_too_few"))
    if place.label is None:
        return Rendered(
            t("groups.mine_not_yet", min_votes=groups.params.min_votes, count=place.counted)
        )
    result = groups.result
    items = {item.id: (item.number, item.text) for item in ui.plan.items}
    name = _Namer(t, items, groups.statements, ui.links, for_drafters=False)
    key = "groups.mine_found" if result.outcome is GroupsOutcome.GROUPS else "groups.mine_one"
    lines = [
        t("groups.mine_title"),
        t(key, groups=len(result.groups), clustered=result.clustered),
        t("groups.mine_group", group=letter(place.label), size=place.size),
        "",
    ]
    own = next(g for g in result.groups if g.label == place.label)
    apart = _apart(t, name, own, CITIZEN_KEYS)
    lines += [t("groups.mine_apart"), *apart] if apart else [t("groups.mine_nothing_apart")]
    lines += ["", _consensus(t, name, groups, "groups.mine_consensus")]
    return Rendered("\n".join(lines))


async def render_digest_map(digest: Digest) -> bytes | None:
    """Draw the digest's opinion map, or None when there are no groups to draw."""
    groups = digest.opinion
    if groups is None or not groups.found:
        return None
    # matplotlib is slow and synchronous: keep it off the event loop.
    return await in_thread(render_map, groups.result)


async def render_own_map(place: OwnPlace) -> bytes | None:
    """Draw the opinion map with the citizen marked ★, or None if they are in no group."""
    if place.label is None or place.position is None:
        return None
    return await in_thread(render_map, place.groups.result, place.position)


def map_caption(t: Texts, today: datetime) -> str:
    """Caption the drafters' opinion map with the day it was drawn."""
    return t("groups.map_caption", date=today.strftime(DATE_FORMAT))


def own_map_caption(t: Texts, place: OwnPlace) -> str:
    """Caption a citizen's map: the star is them, in their group."""
    return t("groups.mine_map_caption", group=letter(place.label or 0))


def _too_few(t: Texts, groups: HearingGroups) -> str:
    result, least = groups.result, groups.params.min_group_size
    # Head counts of people, so under MIN_GROUP_SIZE only "fewer than N" (publishable.py).
    count = head_count(t, result.participants, least)
    if result.outcome is GroupsOutcome.TOO_FEW_PARTICIPANTS:
        return t("groups.too_few_participants", count=count, needed=groups.needed)
    return t("groups.too_few_votes", enough=head_count(t, groups.enough, least), count=count,
             min_votes=groups.params.min_votes, needed=groups.needed)  # fmt: skip


def _apart(t: Texts, name: _Namer, group: GroupSummary, keys: tuple[str, str]) -> list[str]:
    return [_distinctive(t, name, group, d, keys) for d in group.distinctive]


def _distinctive(
    t: Texts, name: _Namer, group: GroupSummary, d: Distinctive, keys: tuple[str, str]
) -> str:
    key = keys[0] if d.direction is Direction.AGREE else keys[1]
    return t(key, statement=name(d.statement), group=letter(group.label),
             inside=_pct(d.inside, d.direction), outside=_pct(d.outside, d.direction))  # fmt: skip


def _consensus(t: Texts, name: _Namer, groups: HearingGroups, title: str) -> str:
    rows = []
    for across in groups.result.consensus:
        direction = across.direction or Direction.AGREE
        key = CONSENSUS_KEYS[0] if direction is Direction.AGREE else CONSENSUS_KEYS[1]
        rows.append(t(key, statement=name(across.statement),
                      shares=_shares(t, groups, across, direction)))  # fmt: skip
    return "\n".join([t(title), *rows]) if rows else t("groups.no_consensus")


def _shares(t: Texts, groups: HearingGroups, across: Across, direction: Direction) -> Html:
    pairs = _by_group(groups, across.by_group)
    return Html(" · ".join(t("groups.share", group=letter(label), percent=_pct(share, direction))
                           for label, share in pairs))  # fmt: skip


def _splits(t: Texts, groups: HearingGroups, across: Across) -> Html:
    return Html(" · ".join(
        t("groups.split", group=letter(label), agree=_pct(share, Direction.AGREE),
          disagree=_pct(share, Direction.DISAGREE))
        for label, share in _by_group(groups, across.by_group)
    ))  # fmt: skip


def _by_group(groups: HearingGroups, shares: Sequence[Share]) -> list[tuple[int, Share]]:
    # Across.by_group follows the order of result.groups (by label).
    return [(g.label, s) for g, s in zip(groups.result.groups, shares, strict=True)]


def _pct(share: Share, direction: Direction) -> int:
    return round(100 * share.share(direction))
