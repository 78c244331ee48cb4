"""A typed callback context: handlers reach the services through `context.services`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.hearing.moderation import AuthorNotice
from bot.hearing.responses import Notice
from bot.model.values import Language
from bot.services import Services
from bot.views.links import Links
from bot.views.texts import Texts
from bot.views.ui import Ui


class Senders(Protocol):
    """The background senders as handlers reach them (bot/senders/ implements them)."""

    def kick_broadcasts(self) -> None:
        """Have the committed broadcasts sent in the background."""

    def kick_outbox(self) -> None:
        """Have the outbox sent in the background."""

    async def notify_followers(self) -> int:
        """Queue the followers' messages due now; return how many."""

    async def tell_author(self, notice: AuthorNotice) -> bool:
        """Tell an author what a moderator decided; False if it must be retried later."""

    async def deliver_response(self, notice: Notice) -> bool:
        """Tell an author what a drafter replied or decided; False if retried later."""


class BotData:
    """Application-wide data: the services and the background senders, set once at start."""

    def __init__(self) -> None:
        self.services: Services | None = None
        self.senders: Senders | None = None
        # Whether this process runs the scheduled work (digests, follower batches): on a fleet
        # of workers, only the one holding the scheduler's lock does.
        self.scheduled_here: Callable[[], bool] = lambda: True

    def require_services(self) -> Services:
        """Return the hearing's services."""
        if self.services is None:
            raise RuntimeError("the application was built without services")
        return self.services


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
        return self.bot_data.require_services()

    @property
    def senders(self) -> Senders:
        """Return the background senders."""
        senders = self.bot_data.senders
        if senders is None:
            raise RuntimeError("the application was started without its background senders")
        return senders

    @property
    def t(self) -> Texts:
        """Return the texts in the language of the person this update is from."""
        return self.services.texts_in(self.language)

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
            s.settings.results_url,
        )


HearingApp = Application[
    ExtBot[None], HearingContext, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Any]
]
CONTEXT_TYPES = ContextTypes(context=HearingContext, bot_data=BotData)
