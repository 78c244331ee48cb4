"""The scheduled work an earlier run may have left: caught up at start (on a fleet, by the
worker that takes the scheduler's role, each time one takes it)."""

from __future__ import annotations

from bot.senders.broadcasts import Broadcaster
from bot.senders.digests import catch_up
from bot.senders.followers import announce_revision, notify_followers
from bot.senders.moderation_notices import tell_pending_authors
from bot.senders.outbox import OutboxSender
from bot.senders.response_notices import deliver_pending
from handlers.context import HearingApp


async def resume_scheduled(
    app: HearingApp, broadcaster: Broadcaster, outbox: OutboxSender
) -> None:
    """Send the due digest, resume a broadcast and the outbox, queue what is due, retry notices.

    Each records what it has done, so running this again (a restart, a new scheduler) neither
    repeats nor skips any of it.
    """
    services = app.bot_data.require_services()
    await catch_up(app)
    broadcaster.kick()  # resumes a broadcast an earlier run did not finish
    await announce_revision(app)
    await notify_followers(app)
    outbox.kick()  # sends what an earlier run queued and did not send
    await deliver_pending(app.bot, services)
    await tell_pending_authors(app.bot, services)
