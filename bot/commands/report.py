"""`hearing-bot report --out DIR`: write the public results site to a new folder."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bot.commands.inputs import stored_hearing_plan
from bot.config import Settings
from bot.hearing.plan import Plan
from bot.hearing.plan_revision import PlanRevisions
from bot.hearing.results import build_results
from bot.model.values import Language
from bot.views.results.site import Site, render_site
from storage.backend import DATABASE_ERRORS, open_database

# The site is meant to be published: readable by everyone, like any web page.
FOLDER_MODE = 0o755
FILE_MODE = 0o644


class ReportError(Exception):
    """The site cannot be written where asked; the message says why, in one line."""


def report(settings: Settings, out: Path, now: datetime | None = None) -> int:
    """Write the results site into a new folder; one line on stderr and 2 if it cannot."""
    target = out.resolve()
    if target.exists() or target.is_symlink():
        return _refuse(f"{target} already exists (the site is written to a new folder only)")
    if not target.parent.is_dir():
        return _refuse(f"cannot write {target}: {target.parent} is not a folder")
    plan = stored_hearing_plan(settings)
    if isinstance(plan, str):
        return _refuse(plan)
    try:
        site = asyncio.run(build_site(settings, plan, now or datetime.now(UTC)))
        write_site(site, target)
    except ReportError as exc:
        return _refuse(str(exc))
    except DATABASE_ERRORS as exc:
        return _refuse(f"cannot read {settings.database_where}: {exc}")
    pages = sum(1 for name in site if name.endswith(".html"))
    print(f"{target}: {pages} pages, {len(site)} files; open {target / 'index.html'}")
    return 0


async def build_site(settings: Settings, plan: Plan, now: datetime) -> Site:
    """Read the hearing (the plan it serves, in each language) and render its results site."""
    async with open_database(settings.database_url, settings.database_path) as db:
        # A revised plan, if one was published, with its translations.
        plans = await PlanRevisions(db).served_plans(plan, settings.plan_path)
        plan = plans[Language.ENGLISH]
        page = await build_results(db, plan, settings.timezone, settings.min_group_size, now)
    return render_site(page, plans)


def write_site(site: Site, target: Path) -> None:
    """Write the site into a new folder, all or nothing: staged beside it, then renamed."""
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise ReportError(f"cannot write {target}: {exc.strerror or exc}") from exc
    try:
        for name, body in site.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
            path.chmod(FILE_MODE)
        for folder in (staging, *(p for p in staging.rglob("*") if p.is_dir())):
            folder.chmod(FOLDER_MODE)
        # rename, not replace: a file or a folder with anything in it that appeared
        # meanwhile is never overwritten.
        os.rename(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ReportError(f"cannot write {target}: {exc.strerror or exc}") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _refuse(reason: str) -> int:
    print(f"hearing-bot report: {reason}", file=sys.stderr)
    return 2
