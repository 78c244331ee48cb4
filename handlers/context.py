"""A typed callback context: handlers reach the services through `context.services`."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.model.values import Language
from bot.senders.broadcasts import Broadcaster
from bot.senders.outbox import OutboxSender
from bot.services import Services
from bot.views.links import Links
from bot.views.texts import Texts
from bot.views.ui import Ui


class BotData:
    """Application-wide data: the services and the background senders, set once at start."""

    def __init__(self) -> None:
        self.services: Services | None = None
        self.broadcaster: Broadcaster | None = None
        self.outbox: OutboxSender | None = None


class HearingContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """The context every handler receives."""

    # Set by the guard (handlers/guard.py) once per update: the language the participant
    # chose, else their Telegram client's if the bot has it, else English; and whether they
    # chose it. One context serves all the handlers of an update.
    language: Language = Language.ENGLISH
    language_chosen: bool = False

    @property
    def services(self) -> Services:
        """Return the hearing's services."""
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("the application was built without services")
        return services

    @property
    def broadcaster(self) -> Broadcaster:
        """Return the background sender of broadcasts."""
        broadcaster = self.bot_data.broadcaster
        if broadcaster is None:
            raise RuntimeError("the application was started without a broadcaster")
        return broadcaster

    @property
    def outbox(self) -> OutboxSender:
        """Return the background sender of the outbox."""
        outbox = self.bot_data.outbox
        if outbox is None:
            raise RuntimeError("the application was started without an outbox sender")
        return outbox

    @property
    def t(self) -> Texts:
        """Return the texts in the language of the person this update is from."""
        return self.services.texts_for(self.language)

    @property
    def shared_ui(self) -> Ui:
        """Return what a shared chat (the moderators' group) is written with: English."""
        s = self.services
        return Ui(s.texts, Links(self.bot.username), s.plan, s.settings.suggestion_max_chars)

    @property
    def ui(self) -> Ui:
        """Return what views are rendered with: texts and plan in the person's language, limits."""
        s = self.services
        return Ui(
            self.t,
            Links(self.bot.username),
            s.plan_for(self.language),
            s.settings.suggestion_max_chars,
        )


HearingApp = Application[
    ExtBot[None], HearingContext, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Any]
]
CONTEXT_TYPES = ContextTypes(context=HearingContext, bot_data=BotData)
