"""Scheduled work on python-telegram-bot's JobQueue: the daily digest, the weekly oversight report.

Both are recorded by the digest ledger (a report of each kind per slot), so a restart neither
skips nor doubles one; the daily job also checks whether a weekly report is due.
"""

from __future__ import annotations

import base64
import logging
import struct
from typing import cast

from telegram.error import BadRequest, Forbidden, TelegramError

from bot.hearing.digest_model import Digest
from bot.hearing.digest_schedule import (
    CHART,
    MAP,
    DigestLedger,
    RecipientRenderer,
    RenderedDigest,
)
from bot.hearing.oversight import OversightReport
from bot.model.values import Language
from bot.runtime.retry import maybe_delivered
from bot.services import Services
from bot.views.digest import chart_caption, render_for_drafters
from bot.views.opinion_groups import map_caption
from bot.views.reports import render_oversight
from handlers.context import HearingApp, HearingContext

log = logging.getLogger(__name__)

DIGEST_JOB = "daily-digest"
CHART_FILE = "digest-chart.png"
# Telegram refuses photos whose width and height add up to more than this, or too elongated.
PHOTO_MAX_SIDES = 10_000
PHOTO_MAX_RATIO = 20
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
    await catch_up(cast("HearingApp", context.application))


async def send_digests(app: HearingApp) -> bool:
    """Record the due digest (a missed one once), send every unsent part; False to retry."""
    services = _services(app)
    drafters = sorted(services.settings.drafter_ids)
    rendered: dict[Language | None, RenderedDigest] = {}

    async def render(digest: Digest, drafter: int) -> RenderedDigest:
        # Once per language, not per drafter: the chart alone takes a good part of a second.
        language = await _language_of(services, drafter)
        if language not in rendered:
            username = app.bot.username
            rendered[language] = await render_for_drafters(services, username, digest, language)
        return rendered[language]

    return await _send_report(app, services.digests, drafters, render)


async def send_oversight(app: HearingApp) -> bool:
    """Record the due weekly oversight report, send every unsent part; False to retry."""
    services = _services(app)
    members = sorted(services.settings.oversight_ids)
    if not members:
        # Nobody to prepare a report for; one prepared earlier for members since removed is
        # withheld, never sent.
        return await _send_report(app, services.oversight, [], None)

    async def render(report: OversightReport, member: int) -> RenderedDigest:
        s, language = services, await _language_of(services, member)
        t, plan = s.texts_in(language), s.plan_for(language)
        return RenderedDigest(render_oversight(t, plan, report, s.settings.timezone), None)

    return await _send_report(app, services.oversight, members, render)


async def _send_report(
    app: HearingApp, ledger: DigestLedger, recipients: list[int], render: RecipientRenderer | None
) -> bool:
    services = _services(app)
    async with ledger.sending:
        now = services.clock()
        await ledger.start(now)
        if render is not None:
            await ledger.prepare_due(now, recipients, render)
        complete, holders = True, frozenset(recipients)
        for digest_id in await ledger.unfinished():
            complete = await _send_parts(app, ledger, digest_id, holders) and complete
    return complete


async def catch_up(app: HearingApp) -> None:
    """Send the due digest and report, or finish half-sent ones; on failure, retry later."""
    done = True
    for send in (send_digests, send_oversight):
        try:
            done = await send(app) and done
        except Exception:  # the bot goes on serving citizens; the retry job tries again
            log.exception("sending the %s failed", send.__name__.removeprefix("send_"))
            done = False
    if not done and app.job_queue is not None:
        app.job_queue.run_once(_digest_job, RETRY_SECONDS, name=f"{DIGEST_JOB}-retry")


async def _send_parts(
    app: HearingApp, ledger: DigestLedger, digest_id: int, holders: frozenset[int]
) -> bool:
    """Send a recorded digest's unsent parts to those who still hold the role it was for."""
    services = _services(app)
    undeliverable: set[int] = set()
    for part in await ledger.unsent(digest_id):
        if part.recipient not in holders:
            # Prepared while they held the role (a drafter or overseer since removed from the
            # settings): the role is checked at delivery, and the part is never sent.
            log.info("a report part was withheld: its recipient no longer holds the role")
            await ledger.withhold(part)
            continue
        try:
            if part.recipient not in undeliverable:
                if part.kind == CHART:
                    chart = await ledger.chart(digest_id) or b""
                    language = await _language_of(services, part.recipient)
                    caption = chart_caption(services, services.texts_in(language))
                    await _send_chart(app, part.recipient, chart, caption)
                elif part.kind == MAP:
                    language = await _language_of(services, part.recipient)
                    today = services.clock().astimezone(ledger.zone)
                    caption = map_caption(services.texts_in(language), today)
                    png = base64.b64decode(part.body or "")
                    await app.bot.send_photo(part.recipient, png, caption=caption)
                else:
                    await app.bot.send_message(part.recipient, part.body or "")
        except (Forbidden, BadRequest) as exc:
            if _unreachable(exc):
                # A drafter who never opened the bot, or blocked it: the others still get theirs.
                log.warning("a drafter cannot be reached; their digest is skipped")
                undeliverable.add(part.recipient)
            else:
                # Refused for good (it would be refused every day): skip it, keep the rest going.
                log.error("Telegram refused a digest message: %s", exc.message)
        except TelegramError as exc:
            if not maybe_delivered(exc):
                log.warning("digest sending paused, will resume: %s", type(exc).__name__)
                return False
            # Telegram may have delivered it before the answer was lost: never sent twice.
            log.warning("digest part unconfirmed, not resent: %s", type(exc).__name__)
        await ledger.mark_sent(part)
    return await ledger.complete_if_sent(digest_id)


async def _send_chart(app: HearingApp, chat_id: int, chart: bytes, caption: str) -> None:
    """Send the chart as a photo, or as a file when it is too tall for Telegram's photos."""
    width, height = png_size(chart)
    if width + height > PHOTO_MAX_SIDES or height > PHOTO_MAX_RATIO * width:
        await app.bot.send_document(chat_id, chart, filename=CHART_FILE, caption=caption)
    else:
        await app.bot.send_photo(chat_id, chart, caption=caption)


def png_size(data: bytes) -> tuple[int, int]:
    """Read a PNG's width and height from its header; (0, 0) if it is not a PNG."""
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n":
        return 0, 0
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _unreachable(exc: TelegramError) -> bool:
    return isinstance(exc, Forbidden) or "chat not found" in exc.message.lower()


async def _language_of(services: Services, user_id: int) -> Language | None:
    """Return the language a drafter or oversight member chose (/language), if any."""
    return await services.participants.language_of(services.participants.identify(user_id))


def _services(app: HearingApp) -> Services:
    services = app.bot_data.services
    if services is None:
        raise RuntimeError("the application was built without services")
    return services
