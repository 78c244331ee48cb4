"""Scheduled work on python-telegram-bot's JobQueue: the drafters' daily digest."""

from __future__ import annotations

import logging
from typing import cast

from telegram.error import BadRequest, Forbidden, TelegramError

from bot.hearing.digest_schedule import CHART, DigestLedger
from bot.services import Services
from handlers.context import HearingApp, HearingContext
from handlers.digest_view import chart_caption, render_for_drafters

log = logging.getLogger(__name__)

DIGEST_JOB = "daily-digest"
RETRY_SECONDS = 60
# A digest job that starts this late (the machine slept, the loop was busy) still runs.
MISFIRE_GRACE_SECONDS = 6 * 3600


def schedule_digests(app: HearingApp) -> None:
    """Run the digest daily at DIGEST_TIME in TIMEZONE (start-up catches up separately)."""
    services = _services(app)
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without its job-queue extra")
    at = services.settings.digest_time.replace(tzinfo=services.digests.zone)
    grace = {"misfire_grace_time": MISFIRE_GRACE_SECONDS}
    app.job_queue.run_daily(_digest_job, at, name=DIGEST_JOB, job_kwargs=grace)


async def _digest_job(context: HearingContext) -> None:
    # python-telegram-bot's generics lose the application's own type inside a job.
    app = cast("HearingApp", context.application)
    if not await send_digests(app) and app.job_queue is not None:
        app.job_queue.run_once(_digest_job, RETRY_SECONDS, name=f"{DIGEST_JOB}-retry")


async def send_digests(app: HearingApp) -> bool:
    """Record the due digest (a missed one once), send every unsent part; False to retry."""
    services = _services(app)
    ledger = services.digests
    drafters = sorted(services.settings.drafter_ids)
    async with ledger.sending:
        now = services.clock()
        await ledger.start(now)
        await ledger.prepare_due(
            now, drafters, lambda digest: render_for_drafters(services, app.bot.username, digest)
        )
        complete = True
        for digest_id in await ledger.unfinished():
            complete = await _send_parts(app, ledger, digest_id) and complete
    return complete


async def catch_up(app: HearingApp) -> None:
    """At start-up, send a digest missed while the bot was down, or finish a half-sent one."""
    try:
        done = await send_digests(app)
    except Exception:  # start-up goes on; the retry job tries again
        log.exception("the start-up digest catch-up failed")
        done = False
    if not done and app.job_queue is not None:
        app.job_queue.run_once(_digest_job, RETRY_SECONDS, name=f"{DIGEST_JOB}-retry")


async def _send_parts(app: HearingApp, ledger: DigestLedger, digest_id: int) -> bool:
    services = _services(app)
    caption = chart_caption(services)
    undeliverable: set[int] = set()
    for part in await ledger.unsent(digest_id):
        try:
            if part.recipient not in undeliverable:
                if part.kind == CHART:
                    chart = await ledger.chart(digest_id)
                    await app.bot.send_photo(part.recipient, chart or b"", caption=caption)
                else:
                    await app.bot.send_message(part.recipient, part.body or "")
        except (Forbidden, BadRequest) as exc:
            if not _unreachable(exc):
                raise
            # A drafter who never opened the bot, or blocked it: the others still get theirs.
            log.warning("a drafter cannot be reached; their digest is skipped")
            undeliverable.add(part.recipient)
        except TelegramError as exc:
            log.warning("digest sending paused, will resume: %s", type(exc).__name__)
            return False
        await ledger.mark_sent(part)
    return await ledger.complete_if_sent(digest_id)


def _unreachable(exc: TelegramError) -> bool:
    return isinstance(exc, Forbidden) or "chat not found" in exc.message.lower()


def _services(app: HearingApp) -> Services:
    services = app.bot_data.services
    if services is None:
        raise RuntimeError("the application was built without services")
    return services
