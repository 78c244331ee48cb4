"""Opinion groups for a citizen: /groups, and the same at the end of the walkthrough."""

from __future__ import annotations

from telegram import Update

from bot.hearing.opinion_statements import OwnPlace
from bot.views.opinion_groups import own_map_caption, render_own_map, render_own_place
from handlers.context import HearingContext
from handlers.messaging import send


async def show_groups(update: Update, context: HearingContext) -> None:
    """Show the citizen where they stand: their group, the common ground, the map with ★."""
    if update.effective_user is None or update.effective_chat is None:
        return
    s = context.services
    place = await s.opinions.place_of(s.participants.identify(update.effective_user.id))
    await _send_place(context, update.effective_chat.id, place)


async def show_at_end(context: HearingContext, chat_id: int, pid: str) -> None:
    """After the walkthrough's last item: the same as /groups, once the citizen is in a group."""
    place = await context.services.opinions.place_of(pid)
    if place.label is not None:
        await _send_place(context, chat_id, place)


async def _send_place(context: HearingContext, chat_id: int, place: OwnPlace) -> None:
    await send(context, chat_id, render_own_place(context.ui, place))
    drawn = await render_own_map(place)
    if drawn is not None:
        caption = own_map_caption(context.t, place)
        await context.bot.send_photo(chat_id, drawn, caption=caption)
