"""Render the walkthrough's views as Telegram HTML text and inline keyboards."""

from __future__ import annotations

import math

from bot.hearing.plan import Item
from bot.hearing.walkthrough import Answer, Finished, ItemView, Overview, View, Welcome
from bot.model.values import Priority, Stance, Step
from bot.views.codec import Action
from bot.views.texts import Html, Texts
from bot.views.ui import Rendered, Ui, keyboard, paginate, shorten

BAR_CELLS = 10
ITEM_PREVIEW_CHARS = 70
JUMP_ROW = 5


def progress_bar(answered: int, total: int) -> str:
    """Draw how many of the plan's items are answered, e.g. ▰▰▰▱▱▱▱▱▱▱."""
    if total <= 0:
        return "▱" * BAR_CELLS
    # Any answer shows; the bar is full only once every item is answered.
    filled = math.ceil(BAR_CELLS * min(answered, total) / total)
    if answered < total:
        filled = min(filled, BAR_CELLS - 1)
    return "▰" * filled + "▱" * (BAR_CELLS - filled)


def answer_text(t: Texts, answer: Answer) -> Html:
    """Describe an answer, e.g. "Support · High priority"."""
    stance = t(f"stance.{answer.stance}")
    if answer.priority is None:
        return t("answer.stance_only", stance=stance)
    return t("answer.with_priority", stance=stance, priority=t(f"priority.{answer.priority}"))


def item_body(ui: Ui, view: ItemView) -> Html:
    """Render the header, progress bar, item text and sub-items, in the reader's language."""
    t, item = ui.t, ui.local(view.item)
    bar = progress_bar(view.answered, view.total)
    header = t("item.header", position=view.position + 1, total=view.total, bar=bar,
               answered=view.answered)  # fmt: skip
    lines = [header, "", t("item.title", number=item.number, text=item.text)]
    lines += [t("item.subitem", number=sub.number, text=sub.text) for sub in item.children]
    return Html("\n".join(lines))


def render_item(ui: Ui, view: ItemView, with_cards: bool = False) -> Rendered:
    """Render an item at its current step with that step's buttons."""
    t, item = ui.t, view.item.id
    answer = answer_text(t, view.answer) if view.answer else None
    if view.step is Step.PRIORITY and view.answer:
        prompt = t("item.ask_priority", stance=t(f"stance.{view.answer.stance}"))
        row = [ui.button(f"button.{p}", Action.PRIORITY, item, p.value) for p in Priority]
    elif view.step is Step.SUGGEST and answer:
        key = "item.ask_suggestion_and_vote" if with_cards else "item.ask_suggestion"
        prompt = t(key, answer=answer)
        row = [ui.button("button.suggest", Action.SUGGEST, item)]
        if view.item.children:  # optional: a stance on each sub-item too
            row.append(ui.button("subitems.open", Action.SUB_ITEMS, item,
                                 count=len(view.item.children)))  # fmt: skip
    elif view.step is Step.SUGGESTION_TEXT:
        key = "item.ask_suggestion_text" if answer else "item.ask_suggestion_text_unanswered"
        prompt = t(key, answer=answer or "", number=view.item.number, limit=ui.limit)
        # Cancel, not Back: leaving the prompt returns to this item, not the one before.
        row = [ui.button("button.cancel", Action.CANCEL_SUGGESTION, item)]
    else:
        prompt = t("item.ask_stance")
        if answer:
            prompt = Html(f"{prompt}\n{t('item.previous_answer', answer=answer)}")
        row = [ui.button(f"button.{s}", Action.STANCE, item, s.value) for s in Stance]
    back = (
        [] if view.step is Step.SUGGESTION_TEXT else [ui.button("button.back", Action.BACK, item)]
    )
    nav = [*back, ui.button("button.skip", Action.SKIP, item)]
    share_text = t.plain("share.item", number=view.item.number, title=ui.plan.title)
    share = ui.link("button.share", ui.links.share(ui.links.item(item), share_text))
    returned = f"{t('item.back_to_walk', number=view.item.number)}\n\n" if view.returned else ""
    return Rendered(f"{returned}{item_body(ui, view)}\n\n{prompt}", keyboard(row, nav, [share]))


def render_closed_item(ui: Ui, view: ItemView) -> Rendered:
    """Render an item the citizen has moved on from: its text and answer, no buttons."""
    t = ui.t
    status = t("item.answered", answer=answer_text(t, view.answer)) if view.answer else None
    text = item_body(ui, view) + (f"\n\n{status}" if status else f"\n\n{t('item.no_answer')}")
    return Rendered(text)


def render_view(ui: Ui, view: View) -> Rendered:
    """Render whatever comes next: an item, or the end-of-plan summary."""
    if isinstance(view, Finished):
        return render_summary(ui, view.overview)
    return render_item(ui, view)


def render_summary(ui: Ui, overview: Overview) -> Rendered:
    """Render the thank-you, a summary of the citizen's answers, and what they can do next."""
    t = ui.t
    high_items = overview.high_priority()
    high = ", ".join(item.number for item in high_items) or t("summary.none")
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
    propose = ui.button("button.propose", Action.PROPOSE)
    vote = ui.button("button.vote_proposals", Action.VOTE_PROPOSALS)
    # After the hearing: follow the items that matter most to the citizen, accept questions.
    follow = [ui.button("follow.follow_high", Action.FOLLOW_HIGH, count=len(high_items))]
    ask = ui.button("follow_ups.turn_on", Action.FOLLOW_UPS_ACCEPT)
    results = [ui.link("results.open_button", ui.results_url)] if ui.results_url else []
    return Rendered(
        text, keyboard([propose], [vote], follow if high_items else [], [ask], results)
    )


def render_welcome(ui: Ui, welcome: Welcome) -> Rendered:
    """Render /start for a new, returning or finished citizen."""
    t, plan = ui.t, ui.plan
    total = len(plan.items)
    restart = ui.button("welcome.start_over", Action.RESTART)
    if welcome.resume_at is not None:
        number = welcome.resume_at.item.number
        text = t("welcome.returning", title=plan.title, number=number, total=total)
        resume = ui.button("welcome.continue", Action.RESUME, number=number)
        return Rendered(text, keyboard([resume], [restart]))
    if welcome.step is Step.FINISHED:
        text = t("welcome.finished", title=plan.title, total=total)
        return Rendered(text, keyboard([ui.button("welcome.review", Action.REVIEW)], [restart]))
    text = t("welcome.new", title=plan.title, preamble=plan.preamble, total=total)
    return Rendered(text, keyboard([ui.button("welcome.begin", Action.BEGIN)]))


def render_linked_welcome(ui: Ui, item: Item | None, suggestion_id: int | None) -> Rendered:
    """Welcome a newcomer who followed a shared link, briefly, then offer what it points to."""
    t, plan = ui.t, ui.plan
    if item is not None:
        local = ui.local(item)
        target = t("welcome.linked_item", number=local.number,
                   text=shorten(local.text, ITEM_PREVIEW_CHARS))  # fmt: skip
        button = ui.button("welcome.open_item", Action.LINK_ITEM, item.id, number=item.number)
    else:
        target = t("welcome.linked_suggestion")
        button = ui.button("welcome.open_suggestion", Action.LINK_SUGGESTION, suggestion_id)
    text = t("welcome.linked", title=plan.title, total=len(plan.items), target=target)
    return Rendered(text, keyboard([button]))


def render_items(ui: Ui, overview: Overview) -> list[Rendered]:
    """Render /items: every item with the citizen's answer and buttons to jump."""
    t = ui.t
    total = len(ui.plan.items)
    lines: list[str] = [
        t("items.title", title=ui.plan.title, total=total, answered=overview.answered)
    ]
    for item, answer in overview.rows:
        mark = (
            t("items.row_answer", answer=answer_text(t, answer))
            if answer
            else t("items.row_unanswered")
        )
        lines.append(t("items.row", number=item.number, text=_preview(ui, item), answer=mark))
    buttons = [
        ui.button("button.item", Action.OPEN, item.id, number=item.number)
        for item, _ in overview.rows
    ]
    rows = [buttons[i : i + JUMP_ROW] for i in range(0, len(buttons), JUMP_ROW)]
    return paginate(lines, keyboard(*rows))


def answers_lines(ui: Ui, overview: Overview) -> list[str]:
    """List the citizen's answers for /mine."""
    t = ui.t
    lines: list[str] = [t("mine.title", answered=overview.answered, total=len(ui.plan.items))]
    lines += [
        t("mine.row", number=item.number, answer=answer_text(t, answer))
        for item, answer in overview.rows
        if answer is not None
    ]
    return lines


def _preview(ui: Ui, item: Item) -> str:
    return shorten(ui.local(item).text, ITEM_PREVIEW_CHARS)
