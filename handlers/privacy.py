"""/mydata and /delete: a citizen's copy of their data, and its erasure after confirmation."""

from __future__ import annotations

from datetime import timedelta

from telegram import CallbackQuery, InputFile, Message, Update

from bot.views.codec import Action, Button
from bot.views.ui import Rendered, keyboard
from handlers.context import HearingContext
from handlers.messaging import edit, send, toast

FILE_NAME = "my-hearing-data.json"
# A confirmation button older than this erases nothing: the citizen is asked again.
CONFIRMATION_VALID = timedelta(minutes=10)


async def send_my_data(update: Update, context: HearingContext) -> None:
    """Send the citizen a JSON file of everything stored about them."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    s = context.services
    mine = await s.my_data.document(s.participants.identify(user.id))
    caption = context.t.plural("privacy.mydata_caption", mine.records, records=mine.records)
    document = InputFile(mine.content, filename=FILE_NAME)
    await context.bot.send_document(chat.id, document, caption=caption)


async def ask_to_delete(update: Update, context: HearingContext) -> None:
    """Explain what erasure removes and ask the citizen to confirm it with a button."""
    if update.effective_chat is None:
        return
    ui = context.ui
    buttons = keyboard(
        [ui.button("privacy.erase_button", Action.ERASE)],
        [ui.button("privacy.keep_button", Action.ERASE_KEEP)],
    )
    question = Rendered(ui.t("privacy.delete_question"), buttons)
    await send(context, update.effective_chat.id, question)


async def erase(query: CallbackQuery, context: HearingContext, pid: str, _: Button) -> None:
    """Erase the pressing citizen's data, if they pressed a /delete question sent moments ago.

    Telegram, not the citizen's client, fills in the pressed message's date and buttons, so
    forged data on another message, or an old question, erases nothing.
    """
    s, message = context.services, query.message
    if not isinstance(message, Message) or not _offers(message, query.data):
        await toast(query, context.t("toast.invalid"), alert=True)
        return
    if s.clock() - message.date > CONFIRMATION_VALID:
        await edit(context, query, Rendered(context.t("privacy.expired")))
        await toast(query)
        return
    erased = await s.erasure.erase(pid)
    done = context.t("privacy.erased", stances=erased.stances, suggestions=erased.suggestions,
                   votes=erased.votes, reports=erased.reports, drafts=erased.drafts)  # fmt: skip
    await edit(context, query, Rendered(done))
    await toast(query)


def _offers(message: Message, data: str | None) -> bool:
    markup = message.reply_markup
    offered = [b.callback_data for row in (markup.inline_keyboard if markup else ()) for b in row]
    return data in offered


async def keep(query: CallbackQuery, context: HearingContext, _: str, __: Button) -> None:
    """Leave everything as it is."""
    await edit(context, query, Rendered(context.t("privacy.kept")))
    await toast(query)
