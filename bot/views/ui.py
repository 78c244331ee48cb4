"""What every view needs: texts, links, limits; and the building blocks of a message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.hearing.plan import Item, Plan, telegram_length
from bot.model.records import Tally
from bot.model.refusals import Refused
from bot.model.values import NEW_ITEMS, Awaiting, SuggestionStatus
from bot.views.codec import Action, encode
from bot.views.links import Links
from bot.views.texts import Html, Texts

# Telegram allows 4,096 UTF-16 code units of text after markup; raw HTML is always as long.
MESSAGE_BUDGET = 4000


@dataclass(frozen=True)
class Rendered:
    """A message ready to send or edit."""

    text: str
    markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class Ui:
    """The texts, links and limits views are rendered with."""

    t: Texts
    links: Links
    plan: Plan
    limit: int
    results_url: str | None = None  # the published results page, if there is one

    def button(
        self, label_key: str, action: Action, *args: object, **values: object
    ) -> InlineKeyboardButton:
        """Build an inline button with a label from content/ and encoded data."""
        return InlineKeyboardButton(
            self.t(label_key, **values), callback_data=encode(action, *args)
        )

    def local(self, item: Item) -> Item:
        """Return an item (with its sub-items) as this plan words it: the reader's language."""
        return self.plan.item(item.id) or item

    def link(self, label_key: str, url: str, **values: object) -> InlineKeyboardButton:
        """Build an inline button that opens a link."""
        return InlineKeyboardButton(self.t.plain(label_key, **values), url=url)


def prompt(ui: Ui, text: str, awaiting: Awaiting) -> Rendered:
    """A request for free text, with Cancel: the citizen is never stuck in a prompt."""
    return Rendered(text, keyboard([ui.button("button.cancel", Action.CANCEL_INPUT, awaiting)]))


def refusal_text(t: Texts, refusal: Refused) -> Html:
    """Say politely why a command was refused."""
    return t(f"refused.{refusal.code}", **refusal.values)


def target_name(t: Texts, item_id: str) -> Html:
    """Name what a suggestion is about: "item 5", or the proposed new items."""
    if item_id == NEW_ITEMS:
        return t("suggestion.target_new")
    return t("suggestion.target_item", number=item_id)


def state_note(t: Texts, status: str) -> Html:
    """Note a suggestion's state after it (" · withdrawn"); a visible one needs no note."""
    return Html("") if status == SuggestionStatus.VISIBLE else t(f"mine.state_{status}")


def head_count(t: Texts, count: int | None, min_group: int) -> Html:
    """Show a count of people, or "fewer than N" for a withheld one (None, or 1 to N - 1)."""
    if count is None or 0 < count < min_group:
        return t("digest.fewer", count=min_group)
    return Html(str(count))


def tally_text(t: Texts, tally: Tally | None) -> Html:
    """Show a suggestion's votes as published, or say that too few voted to show them."""
    if tally is None:
        return t("tally.withheld")
    return t("tally.split", agree=tally.agree, disagree=tally.disagree, passed=tally.passed)


def keyboard(*rows: Sequence[InlineKeyboardButton]) -> InlineKeyboardMarkup | None:
    """Build a keyboard from non-empty rows; None when there are none."""
    kept = [list(row) for row in rows if row]
    return InlineKeyboardMarkup(kept) if kept else None


def shorten(text: str, limit: int) -> str:
    """Fold whitespace and cut a text to `limit` characters with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def pack(parts: Sequence[str], separator: str = "\n") -> list[str]:
    """Join parts into as few texts under Telegram's limit as they fit, never splitting one."""
    texts: list[str] = []
    current: list[str] = []
    size = 0
    for part in parts:
        length = telegram_length(part) + telegram_length(separator)
        if current and size + length > MESSAGE_BUDGET:
            texts.append(separator.join(current))
            current, size = [], 0
        current.append(part)
        size += length
    if current:
        texts.append(separator.join(current))
    return texts


def paginate(lines: Sequence[str], markup: InlineKeyboardMarkup | None = None) -> list[Rendered]:
    """Split lines into messages under Telegram's limit; the keyboard goes on the last one."""
    rendered = [Rendered(text) for text in pack(lines)] or [Rendered("")]
    rendered[-1] = Rendered(rendered[-1].text, markup)
    return rendered


@dataclass(frozen=True)
class Switch:
    """A setting a citizen turns on or off: its two states' texts and buttons."""

    on_text: str
    off_text: str
    turn_on: tuple[str, Action]
    turn_off: tuple[str, Action]

    def view(self, ui: Ui, on: bool) -> Rendered:
        """Say whether the setting is on, with the button that flips it."""
        label, action = self.turn_off if on else self.turn_on
        text = ui.t(self.on_text if on else self.off_text)
        return Rendered(text, keyboard([ui.button(label, action)]))
