"""Drafters' broadcasts: the preview before sending, and the report once one has finished."""

from __future__ import annotations

from bot.hearing.broadcasts import Drafted
from bot.model.records import BroadcastRecord
from bot.model.values import DeliveryStatus
from bot.views.codec import Action
from bot.views.texts import Texts, as_html, strip_html
from bot.views.ui import Rendered, Ui, keyboard, shorten

PREVIEW_CHARS = 80


def render_broadcast_confirm(ui: Ui, drafted: Drafted) -> Rendered:
    """Show a drafted broadcast as citizens will see it, with Send and Cancel."""
    bid = drafted.broadcast_id
    buttons = [ui.button("broadcast.send", Action.BROADCAST_SEND, bid),
               ui.button("broadcast.cancel", Action.BROADCAST_CANCEL, bid)]  # fmt: skip
    text = ui.t.plural("broadcast.confirm", drafted.audience, audience=drafted.audience,
                       text=as_html(drafted.text))  # fmt: skip
    return Rendered(text, keyboard(buttons))


def broadcast_report(
    t: Texts, broadcast: BroadcastRecord, counts: dict[DeliveryStatus, int]
) -> str:
    """Tell a broadcast's author it has finished, and how many it reached."""
    # Still "pending" at the end: the recipient blocked the bot before their turn came.
    blocked = counts.get(DeliveryStatus.BLOCKED, 0) + counts.get(DeliveryStatus.PENDING, 0)
    preview = shorten(strip_html(broadcast.text), PREVIEW_CHARS)
    return t("broadcast.report", id=broadcast.id, text=preview,
             sent=counts.get(DeliveryStatus.SENT, 0), blocked=blocked,
             failed=counts.get(DeliveryStatus.FAILED, 0))  # fmt: skip
