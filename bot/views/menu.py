"""The command menu Telegram shows beside the text box, in the reader's language."""

from __future__ import annotations

from telegram import BotCommand

from bot.views.texts import Texts

# What citizens are offered, in the menu's order; staff commands are not advertised.
MENU = (
    "start", "items", "mine", "propose", "groups", "status", "updates", "followups", "language",
    "help", "mydata", "delete",
)  # fmt: skip


def command_menu(texts: Texts) -> list[BotCommand]:
    """Return the command menu, with descriptions from content/."""
    return [BotCommand(name, texts.plain(f"commands.{name}")) for name in MENU]
