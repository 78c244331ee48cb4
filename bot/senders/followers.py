"""After the hearing, in the background: follower batches, plan-change notices, the outbox."""

from __future__ import annotations

import logging
from typing import cast

from bot.hearing.plan_revision import ItemChange
from bot.model.values import Language
from bot.services import Services
from bot.views.reports import follower_message, plan_change_notice
from handlers.context import HearingApp, HearingContext

log = logging.getLogger(__name__)

FOLLOWERS_JOB = "follower-notices"
# Followers' batches are gathered every hour; each citizen still gets at most one a day.
FOLLOWERS_EVERY_SECONDS = 3600
MISFIRE_GRACE_SECONDS = 6 * 3600


def schedule_followers(app: HearingApp) -> None:
    """Gather the followers' batches every hour (and at start-up, separately)."""
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without its job-queue extra")
    grace = {"misfire_grace_time": MISFIRE_GRACE_SECONDS}
    app.job_queue.run_repeating(
        _followers_job, FOLLOWERS_EVERY_SECONDS, name=FOLLOWERS_JOB, job_kwargs=grace
    )


async def _followers_job(context: HearingContext) -> None:
    app = cast("HearingApp", context.application)
    if not app.bot_data.scheduled_here():  # on a fleet, the scheduler's worker gathers them
        return
    try:
        await notify_followers(app)
    except Exception:  # the next hourly run tries again; citizens are still served
        log.exception("gathering the followers' notices failed")


async def notify_followers(app: HearingApp) -> int:
    """Queue one message for each follower with unseen changes not told today; kick sending."""
    services = _services(app)
    following = services.following
    queued = 0
    async with following.batching:
        now = services.clock()
        batches = await following.due(now)
        if batches:
            tracked = await services.tracking.all()
            today = services.today()
            for batch in batches:
                items = [tracked[item_id] for item_id in batch.item_ids if item_id in tracked]
                language = await services.participants.language_of(batch.participant_id)
                t, plan = services.texts_in(language), services.plan_for(language)
                body = follower_message(t, plan, items, today)
                await following.record(batch, body, now)
                queued += 1
    if queued:
        kick_outbox(app)
    return queued


async def announce_revision(app: HearingApp) -> int:
    """Queue the "you said, we did" notices of the plan now served, once; kick sending."""
    services = _services(app)

    def render(change: ItemChange, language: Language | None) -> str:
        s = services
        return plan_change_notice(s.texts_in(language), s.plan_for(language).title, change)

    queued = await services.revisions.announce(services.plan, render)
    if queued:
        log.info("queued %d notices of the revised plan", queued)
    return queued


def kick_outbox(app: HearingApp) -> None:
    """Have the outbox sent in the background."""
    if app.bot_data.senders is not None:
        app.bot_data.senders.kick_outbox()


def _services(app: HearingApp) -> Services:
    services = app.bot_data.services
    if services is None:
        raise RuntimeError("the application was built without services")
    return services
