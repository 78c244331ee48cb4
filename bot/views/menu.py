"""The command menu Telegram shows beside the text box, in the reader's language."""

from __future__ import annotations

from telegram import BotCommand

from bot.views.texts import Texts
from bot.views.ui import Rendered

# What citizens are offered, in the menu's order; staff commands are not advertised.
MENU = (
    "start", "items", "mine", "propose", "groups", "status", "updates", "followups", "language",
    "help", "mydata", "delete",
)  # fmt: skip


def command_menu(texts: Texts) -> list[BotCommand]:
    """Return the command menu, with descriptions from content/."""
    return [BotCommand(name, texts.plain(f"commands.{name}")) for name in MENU]


def render_help(t: Texts, roles: dict[str, bool]) -> Rendered:
    """Explain how the hearing works, with the commands of each role the reader has."""
    parts = [t("help.text")] + [t(f"help.{role}") for role, has in roles.items() if has]
    return Rendered("\n\n".join(parts))
