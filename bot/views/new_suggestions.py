"""New suggestions as drafters read them: the digest's list, and the /suggestions pages.

A suggestion's votes are shown as published (bot/hearing/publishable.py): how they split once
at least MIN_GROUP_SIZE people voted on it; before that only "fewer than N", as the digest
withholds the split of an item few people answered.
"""

from __future__ import annotations

from itertools import groupby

from bot.hearing.digest_model import Digest
from bot.hearing.suggestion_list import SuggestionPage
from bot.model.reports import TalliedSuggestion
from bot.model.values import NEW_ITEMS
from bot.views.buttons import Action
from bot.views.links import Links
from bot.views.texts import Html, Texts
from bot.views.ui import Rendered, Ui, keyboard, shorten, target_name

# The digest lists this many; /suggestions pages through every one.
NEW_LISTED = 50
# Entries per block: a block is never split between messages, so it must stay well under one.
PER_BLOCK = 10
SUGGESTION_CHARS = 160
ITEM_CHARS = 90


def votes_text(t: Texts, row: TalliedSuggestion, min_group: int) -> Html:
    """Show how the published votes split; "fewer than N" while they are withheld."""
    if row.withheld:
        return t("digest.votes_withheld", count=min_group)
    if row.agree + row.disagree + row.passed == 0:
        return t("digest.new_tally", votes=0)
    return t("digest.new_split", agree=row.agree, disagree=row.disagree)


def _link(t: Texts, suggestion_id: int, links: Links | None) -> Html:
    if links is None:
        return t("digest.plain_id", id=suggestion_id)
    return t("digest.link", url=links.review(suggestion_id), id=suggestion_id)


def _entry(t: Texts, row: TalliedSuggestion, links: Links | None, min_group: int) -> str:
    text, votes = shorten(row.text, SUGGESTION_CHARS), votes_text(t, row, min_group)
    return t("digest.new_suggestion", link=_link(t, row.id, links), text=text, votes=votes)


def new_blocks(t: Texts, digest: Digest, links: Links | None) -> list[str]:
    """List every suggestion new in the digest's period, by item, in blocks of a few."""
    rows, waiting = digest.new_suggestions, digest.new_waiting
    if not rows and not waiting:
        return [t("digest.new_none")]
    head = [t("digest.new_title", count=len(rows), min_group=digest.min_group)]
    if waiting:
        head.append(t("digest.new_waiting", count=waiting))
    blocks = ["\n".join(head)]
    listed = rows[:NEW_LISTED]
    for item_id, on_item in groupby(listed, key=lambda row: row.item_id):
        entries = [_entry(t, row, links, digest.min_group) for row in on_item]
        heading = _heading(t, digest, item_id)
        for start in range(0, len(entries), PER_BLOCK):
            blocks.append("\n".join([heading, *entries[start : start + PER_BLOCK]]))
    if len(rows) > len(listed):
        blocks.append(t("digest.new_more", count=len(rows) - len(listed)))
    return blocks


def _heading(t: Texts, digest: Digest, item_id: str) -> str:
    if item_id == NEW_ITEMS:
        return t("digest.new_proposals")
    stats = digest.item(item_id)
    number, text = (stats.number, stats.text) if stats else (item_id, "")
    return t("digest.item", number=number, text=shorten(text, ITEM_CHARS))


def render_page(ui: Ui, page: SuggestionPage, min_group: int) -> Rendered:
    """Render one page of /suggestions, with buttons to older ones and back to the newest."""
    t = ui.t
    if not page.rows:
        return Rendered(t("suggestions.none"))
    lines = [t("suggestions.title", total=page.total, min_group=min_group)]
    for row in page.rows:
        target, link = target_name(t, row.item_id), _link(t, row.id, ui.links)
        text, votes = shorten(row.text, SUGGESTION_CHARS), votes_text(t, row, min_group)
        lines.append(t("suggestions.row", link=link, target=target, text=text, votes=votes))
    buttons = []
    if page.older is not None:
        buttons.append(ui.button("suggestions.older", Action.SUGGESTIONS_OLDER, page.older))
    if not page.first_page:
        buttons.append(ui.button("suggestions.newest", Action.SUGGESTIONS_NEWEST))
    return Rendered("\n".join(lines), keyboard(buttons))
