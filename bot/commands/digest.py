"""`hearing-bot digest --print`: the drafters' digest so far, as plain text."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.config import Settings
from bot.hearing.digest import DigestBuilder
from bot.hearing.digest_model import Digest
from bot.hearing.digest_schedule import DigestLedger, RenderedDigest
from bot.hearing.opinion_service import GroupsDigestBuilder, Opinions
from bot.hearing.plan import load_plan
from bot.hearing.plan_revision import PlanRevisions
from bot.model.values import Language
from bot.views.digest import render_digest
from bot.views.texts import load_texts, strip_html
from storage.backend import open_database


def print_digest(settings: Settings, out: TextIO, language: Language = Language.ENGLISH) -> int:
    """Print what a drafter's /digest would show now (without the charts); record no digest.

    Its figures are published as /digest's are (bot/hearing/publishable.py): this may record
    a figure's new release, never show one that /digest would not.

    In `language`, with the items in that language's plan when it has a matching translation.
    """
    if not settings.database_url and not settings.database_path.is_file():
        print(f"hearing-bot digest: no database at {settings.database_path}", file=sys.stderr)
        return 2
    messages = asyncio.run(_messages(settings, language))
    for number, message in enumerate(messages, start=1):
        if number > 1:
            out.write("\n")
        out.write(strip_html(message) + "\n")
    return 0


async def _messages(settings: Settings, language: Language) -> list[str]:
    plan = load_plan(settings.plan_path)
    texts = load_texts(language)

    async with open_database(settings.database_url, settings.database_path) as db:
        # A revised plan, if one was published, with its translations.
        plans = await PlanRevisions(db).served_plans(plan, settings.plan_path)
        plan = plans[Language.ENGLISH]
        local = plans.get(language, plan)

        async def render(digest: Digest) -> RenderedDigest:
            shown = digest.in_plan(local)
            return RenderedDigest(render_digest(texts, shown, settings.timezone, None), None)

        # With the opinion groups section (as /digest: the saved state, nothing stored).
        builder = GroupsDigestBuilder(
            DigestBuilder(db, plan, settings.timezone, settings.min_group_size),
            Opinions(db, plan, settings.min_group_size),
        )
        ledger = DigestLedger(db, builder, settings.digest_time, settings.timezone)
        rendered = await ledger.on_demand(db.now(), render)
    return rendered.messages
