"""Runs before every feature handler: private chats only, participant registered."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import ApplicationHandlerStop

from bot.model.values import Language
from bot.runtime.replies import apologise_with
from bot.views.buttons import Action
from handlers import eligibility
from handlers.context import HearingContext
from handlers.messaging import toast
from handlers.roles import is_drafter, is_moderator, is_oversight


async def admit(update: Update, context: HearingContext) -> None:
    """Register the participant, or stop the update if it is not from a person in private."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot:
        raise ApplicationHandlerStop
    if chat.type != ChatType.PRIVATE:
        if _moderators_button(update, context):
            return  # the presser's role is checked by the button dispatcher, by user id
        await _redirect_to_private(update, context)
        raise ApplicationHandlerStop
    if update.my_chat_member is not None:
        await _follow_block(update, context)
        raise ApplicationHandlerStop
    pid = await context.services.participants.register(user.id, chat.id)
    await resolve_language(context, pid, user.language_code)
    apologise_with(chat.id, context.t("error.generic"))
    message = update.message
    if message is not None and message.text is not None and message.text.startswith("/"):
        # A command ends any wait for free text, so that later chat is not taken as a suggestion.
        await context.services.walkthrough.leave_input(pid)
    open_to_all = _open_to_all(update, context, user.id)
    if not open_to_all and await context.services.eligibility.needs_check(pid):
        await eligibility.ask(update, context)  # the number first (ELIGIBILITY_COUNTRY_CODE)
        raise ApplicationHandlerStop


# What a citizen may do before their number is checked: read the welcome and help, choose a
# language, see or erase their data, and share the contact itself.
_OPEN_COMMANDS = frozenset({"/start", "/help", "/language", "/mydata", "/delete"})
_OPEN_BUTTONS = frozenset(
    action.code for action in (
        Action.LANGUAGE, Action.LANGUAGE_ITEM, Action.LANGUAGE_SUGGESTION, Action.ERASE,
        Action.ERASE_KEEP,
    )
)  # fmt: skip


def _open_to_all(update: Update, context: HearingContext, user_id: int) -> bool:
    """Tell whether an update needs no eligibility check: staff, or what anyone may do."""
    if (
        is_drafter(context, user_id)
        or is_moderator(context, user_id)
        or is_oversight(context, user_id)
    ):
        return True
    message, query = update.message, update.callback_query
    if message is not None and message.contact is not None:
        return True
    if message is not None and message.text is not None:
        words = message.text.split(maxsplit=1)
        return bool(words) and words[0].split("@")[0] in _OPEN_COMMANDS
    if query is not None and query.data is not None:
        parts = query.data.split(":")
        return len(parts) > 1 and parts[1] in _OPEN_BUTTONS
    return False


async def resolve_language(context: HearingContext, pid: str, language_code: str | None) -> None:
    """Put on the context the language to answer in: the chosen one, else the client's."""
    chosen = await context.services.participants.language_of(pid)
    context.language_chosen = chosen is not None
    context.language = chosen or Language.from_telegram(language_code) or Language.ENGLISH


def _moderators_button(update: Update, context: HearingContext) -> bool:
    """Tell whether this is a button pressed in the moderators' group chat."""
    chat = update.effective_chat
    moderators_chat = context.services.settings.moderator_chat_id
    return (
        update.callback_query is not None
        and chat is not None
        and moderators_chat is not None
        and chat.id == moderators_chat
    )


async def _follow_block(update: Update, context: HearingContext) -> None:
    """Record that a citizen blocked the bot (or unblocked it) as soon as Telegram says so."""
    change, participants = update.my_chat_member, context.services.participants
    if change is None or update.effective_user is None or update.effective_chat is None:
        return
    pid = participants.identify(update.effective_user.id)
    if change.new_chat_member.status == ChatMemberStatus.BANNED:
        await participants.mark_blocked(pid)
    else:
        await participants.register(update.effective_user.id, update.effective_chat.id)


async def _redirect_to_private(update: Update, context: HearingContext) -> None:
    """Tell a group that the hearing runs in private, but only when the bot was addressed."""
    user = update.effective_user
    context.language = Language.from_telegram(user.language_code if user else None) or (
        Language.ENGLISH
    )
    t = context.t
    username = context.bot.username
    notice = t("input.private_only", username=username)
    if update.callback_query is not None:
        await toast(update.callback_query, notice, alert=True)
        return
    message = update.message
    if message is None or not message.text or not message.text.startswith("/"):
        return
    link = InlineKeyboardButton(t("input.open_private"), url=f"https://t.me/{username}")
    await message.reply_text(notice, reply_markup=InlineKeyboardMarkup([[link]]))
