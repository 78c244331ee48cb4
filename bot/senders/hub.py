"""The background senders as handlers reach them: one object, set on the application at start."""

from __future__ import annotations

from bot.hearing.moderation import AuthorNotice
from bot.hearing.responses import Notice
from bot.senders.broadcasts import Broadcaster
from bot.senders.followers import notify_followers
from bot.senders.moderation_notices import tell_author
from bot.senders.outbox import OutboxSender
from bot.senders.response_notices import deliver
from bot.services import Services
from handlers.context import HearingApp


class BackgroundSenders:
    """Implement handlers.context.Senders over the running application's senders."""

    def __init__(self, app: HearingApp, broadcaster: Broadcaster, outbox: OutboxSender) -> None:
        self.app = app
        self.broadcaster = broadcaster
        self.outbox = outbox

    def kick_broadcasts(self) -> None:
        """Have the committed broadcasts sent in the background."""
        self.broadcaster.kick()

    def kick_outbox(self) -> None:
        """Have the outbox sent in the background."""
        self.outbox.kick()

    async def notify_followers(self) -> int:
        """Queue the followers' messages due now; return how many."""
        return await notify_followers(self.app)

    async def tell_author(self, notice: AuthorNotice) -> bool:
        """Tell an author what a moderator decided; False if it must be retried later."""
        return await tell_author(self.app.bot, self._services(), notice)

    async def deliver_response(self, notice: Notice) -> bool:
        """Tell an author what a drafter replied or decided; False if retried later."""
        return await deliver(self.app.bot, self._services(), notice)

    def _services(self) -> Services:
        return self.app.bot_data.require_services()
