"""Render domain views as Telegram HTML text and inline keyboards."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.hearing.plan import Item, Plan
from bot.hearing.values import Priority, Stance, Step
from bot.hearing.walkthrough import Answer, Finished, ItemView, Overview, View, Welcome
from bot.texts import Html, Texts, escape
from handlers.codec import Action, encode

BAR_CELLS = 10
ITEM_PREVIEW_CHARS = 70
JUMP_ROW = 5
SUGGESTION_PREVIEW_CHARS = 300
# Telegram allows 4,096 characters of text after markup; raw HTML is always at least as long.
MESSAGE_BUDGET = 4000


@dataclass(frozen=True)
class Rendered:
    """A message ready to send or edit."""

    text: str
    markup: InlineKeyboardMarkup | None = None


def button(
    t: Texts,
    label_key: str,
    action: Action,
    item: str | None = None,
    value: str | None = None,
    **values: object,
) -> InlineKeyboardButton:
    """Build one inline button with a label from content/ and encoded data."""
    return InlineKeyboardButton(t(label_key, **values), callback_data=encode(action, item, value))


def progress_bar(position: int, total: int) -> str:
    """Draw how far through the plan an item is, e.g. ▰▰▰▱▱▱▱▱▱▱."""
    filled = math.ceil(BAR_CELLS * (position + 1) / total) if total else 0
    return "▰" * filled + "▱" * (BAR_CELLS - filled)


def answer_text(t: Texts, answer: Answer) -> Html:
    """Describe an answer, e.g. "Support · High priority"."""
    stance = t(f"stance.{answer.stance}")
    if answer.priority is None:
        return t("answer.stance_only", stance=stance)
    return t("answer.with_priority", stance=stance, priority=t(f"priority.{answer.priority}"))


def item_body(t: Texts, view: ItemView) -> Html:
    """Render the header, progress bar, item text and sub-items."""
    header = t(
        "item.header",
        position=view.position + 1,
        total=view.total,
        bar=progress_bar(view.position, view.total),
    )
    lines = [header, "", Html(f"<b>{view.item.number}.</b> ") + escape(view.item.text)]
    lines += [t("item.subitem", number=sub.number, text=sub.text) for sub in view.item.children]
    return Html("\n".join(lines))


def render_item(t: Texts, view: ItemView, limit: int) -> Rendered:
    """Render an item at its current step with that step's buttons."""
    body = item_body(t, view)
    item = view.item.id
    nav = [
        button(t, "button.back", Action.BACK, item),
        button(t, "button.skip", Action.SKIP, item),
    ]
    answer = answer_text(t, view.answer) if view.answer else None
    if view.step is Step.PRIORITY and view.answer:
        prompt = t("item.ask_priority", stance=t(f"stance.{view.answer.stance}"))
        rows = [[button(t, f"button.{p}", Action.PRIORITY, item, p.value) for p in Priority]]
    elif view.step is Step.SUGGEST and answer:
        prompt = t("item.ask_suggestion", answer=answer)
        rows = [[button(t, "button.suggest", Action.SUGGEST, item)]]
    elif view.step is Step.SUGGESTION_TEXT:
        key = "item.ask_suggestion_text" if answer else "item.ask_suggestion_text_unanswered"
        prompt = t(key, answer=answer or "", number=view.item.number, limit=limit)
        rows = []
    else:
        prompt = t("item.ask_stance")
        if answer:
            prompt = Html(f"{prompt}\n{t('item.previous_answer', answer=answer)}")
        rows = [[button(t, f"button.{s}", Action.STANCE, item, s.value) for s in Stance]]
    return Rendered(f"{body}\n\n{prompt}", InlineKeyboardMarkup([*rows, nav]))


def render_closed_item(t: Texts, view: ItemView) -> Rendered:
    """Render an item the citizen has moved on from: its text and answer, no buttons."""
    status = t("item.answered", answer=answer_text(t, view.answer)) if view.answer else None
    text = item_body(t, view) + (f"\n\n{status}" if status else f"\n\n{t('item.no_answer')}")
    return Rendered(text)


def render_view(t: Texts, view: View, limit: int) -> Rendered:
    """Render whatever comes next: an item, or the end-of-plan summary."""
    if isinstance(view, Finished):
        return render_summary(t, view.overview)
    return render_item(t, view, limit)


def render_summary(t: Texts, overview: Overview) -> Rendered:
    """Render the thank-you and a summary of the citizen's answers."""
    high = ", ".join(item.number for item in overview.high_priority()) or t("summary.none")
    text = t(
        "summary.text",
        answered=overview.answered,
        total=len(overview.rows),
        support=overview.count(Stance.SUPPORT),
        oppose=overview.count(Stance.OPPOSE),
        unsure=overview.count(Stance.UNSURE),
        high=high,
        suggestions=len(overview.suggestions),
    )
    return Rendered(text)


def render_welcome(t: Texts, plan: Plan, welcome: Welcome) -> Rendered:
    """Render /start for a new, returning or finished citizen."""
    total = len(plan.items)
    restart = button(t, "welcome.start_over", Action.RESTART)
    if welcome.resume_at is not None:
        number = welcome.resume_at.item.number
        text = t("welcome.returning", title=plan.title, number=number, total=total)
        resume = button(t, "welcome.continue", Action.RESUME, number=number)
        return Rendered(text, InlineKeyboardMarkup([[resume], [restart]]))
    if welcome.step is Step.FINISHED:
        text = t("welcome.finished", title=plan.title, total=total)
        review = button(t, "welcome.review", Action.REVIEW)
        return Rendered(text, InlineKeyboardMarkup([[review], [restart]]))
    text = t("welcome.new", title=plan.title, preamble=plan.preamble, total=total)
    return Rendered(text, InlineKeyboardMarkup([[button(t, "welcome.begin", Action.BEGIN)]]))


def render_items(t: Texts, plan: Plan, overview: Overview) -> list[Rendered]:
    """Render /items: every item with the citizen's answer and buttons to jump."""
    title = t("items.title", title=plan.title, total=len(plan.items), answered=overview.answered)
    lines: list[str] = [title]
    for item, answer in overview.rows:
        mark = (
            t("items.row_answer", answer=answer_text(t, answer))
            if answer
            else t("items.row_unanswered")
        )
        lines.append(t("items.row", number=item.number, text=_preview(item), answer=mark))
    buttons = [
        button(t, "button.item", Action.OPEN, item.id, number=item.number)
        for item, _ in overview.rows
    ]
    rows = [buttons[i : i + JUMP_ROW] for i in range(0, len(buttons), JUMP_ROW)]
    return paginate(lines, InlineKeyboardMarkup(rows))


def render_mine(t: Texts, plan: Plan, overview: Overview) -> list[Rendered]:
    """Render /mine: the citizen's answers and suggestions."""
    if overview.answered == 0 and not overview.suggestions:
        return [Rendered(t("mine.empty"))]
    lines: list[str] = [t("mine.title", answered=overview.answered, total=len(plan.items))]
    lines += [
        t("mine.row", number=item.number, answer=answer_text(t, answer))
        for item, answer in overview.rows
        if answer is not None
    ]
    if overview.suggestions:
        lines += ["", t("mine.suggestions_title")]
        lines += [
            t("mine.suggestion_row", number=s.item_id, text=_shorten(s.text))
            for s in overview.suggestions
        ]
    return paginate(lines)


def _preview(item: Item) -> str:
    return _shorten(item.text, ITEM_PREVIEW_CHARS)


def _shorten(text: str, limit: int = SUGGESTION_PREVIEW_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def paginate(lines: Sequence[str], markup: InlineKeyboardMarkup | None = None) -> list[Rendered]:
    """Split lines into messages under Telegram's limit; the keyboard goes on the last one."""
    pages: list[list[str]] = [[]]
    size = 0
    for line in lines:
        if pages[-1] and size + len(line) + 1 > MESSAGE_BUDGET:
            pages.append([])
            size = 0
        pages[-1].append(line)
        size += len(line) + 1
    rendered = [Rendered("\n".join(page)) for page in pages]
    rendered[-1] = Rendered(rendered[-1].text, markup)
    return rendered
