"""The optional sub-items card: each sub-item of an item with the citizen's stance on it."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.hearing.sub_items import SubItemsView
from bot.model.values import Stance
from bot.views.codec import Action
from bot.views.ui import Rendered, Ui, keyboard

# The stances offered on a sub-item, in the order of the whole item's buttons.
STANCES = (Stance.SUPPORT, Stance.UNSURE, Stance.OPPOSE)


def render_sub_items(ui: Ui, view: SubItemsView, done: bool = False) -> Rendered:
    """Show an item's sub-items with the citizen's answers; buttons until they are done."""
    t, item = ui.t, ui.local(view.item)
    lines = [t("subitems.title", number=item.number, text=item.text), ""]
    for sub in item.children:
        stance = view.answers.get(sub.id)
        answer = t(f"stance.{stance}") if stance else t("subitems.unanswered")
        lines.append(t("subitems.row", number=sub.number, text=sub.text, answer=answer))
    lines += ["", t("subitems.done_note" if done else "subitems.note")]
    if done:
        return Rendered("\n".join(lines))
    rows: list[list[InlineKeyboardButton]] = []
    for sub in view.item.children:
        chosen = view.answers.get(sub.id)
        rows.append([
            ui.button(f"subitem_button.{s}_chosen" if s is chosen else f"subitem_button.{s}",
                      Action.SUB_STANCE, sub.id, s.value, number=sub.number)
            for s in STANCES
        ])  # fmt: skip
    rows.append([ui.button("subitems.done", Action.SUB_DONE, view.item.id)])
    return Rendered("\n".join(lines), keyboard(*rows))
