"""Build the sample results site in docs/ from the seed hearing's real comments.

    .venv/bin/python scripts/sample_report.py [--seed-dir datasets/seed] [--out docs/sample-report]
        [--screenshots docs]

With --screenshots it also takes the two pictures in docs/ (a phone, 390 px wide, and a desktop,
1280 px) in Debian's headless Chromium through Playwright (the test dependencies).

The suggestions are the seed hearing's real public comments and the answers and votes are the
SIMULATED ones of scripts/sample_digest.py (same seed). So that every section of the page has
something to show, this script also simulates when people joined (spread over two weeks), a
few drafters' replies and decisions, the tracking of four items and one revision of the plan.
None of it says anything about what anyone thought or did.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sample_digest import simulate

from bot.commands.report import write_site
from bot.hearing.digest import DigestBuilder
from bot.hearing.languages import load_plans
from bot.hearing.plan import DEFAULT_PLAN_PATH, Plan, load_plan, parse_plan
from bot.hearing.plan_revision import PlanRevisions
from bot.hearing.responses import Decision, FollowThrough
from bot.hearing.results import build_results
from bot.hearing.tracking import IMPORT, Tracking
from bot.model.tracking import Change, Metric, parse_metric
from bot.views.results.site import Site, render_site
from storage.clock import iso
from storage.db import Database

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
DRAFTER = "simulated-drafter"
ZONE = "Asia/Karachi"
MIN_GROUP = 5


async def build(seed_dir: Path, out: Path) -> None:
    """Fill a temporary hearing as the sample digest does, add the rest, write the site."""
    plan = load_plan()
    text = DEFAULT_PLAN_PATH.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        async with Database(Path(folder) / "sample.db") as db:
            await simulate(db, plan, seed_dir)
            await spread_joining(db)
            await respond(db, plan)
            await track(db, plan)
            revised = text.replace(
                "Improve precision of action", "Improve the precision of action"
            )
            published = await PlanRevisions(db).publish(plan, text, revised)
            await backdate(db, published.version, NOW - timedelta(days=3))
            served = parse_plan(revised)
            page = await build_results(db, served, ZONE, MIN_GROUP, NOW)
    publish(render_site(page, load_plans(served, DEFAULT_PLAN_PATH)), out)


def publish(site: Site, out: Path) -> None:
    """Replace the sample site in `out` with the new one."""
    if out.exists():
        shutil.rmtree(out)
    write_site(site, out)


async def spread_joining(db: Database) -> None:
    """Have people join over the two weeks before NOW, most of them early (simulated)."""
    rng = random.Random(20141216)
    async with db.transaction() as repos:
        async with repos.conn.execute("SELECT id FROM participants ORDER BY id") as cursor:
            ids = [str(row[0]) for row in await cursor.fetchall()]
        for pid in ids:
            joined = NOW - timedelta(days=14 * rng.random() ** 1.5, minutes=rng.randrange(600))
            await repos.conn.execute(
                "UPDATE participants SET created_at = ? WHERE id = ?", (iso(joined), pid)
            )


async def backdate(db: Database, version: str, when: datetime) -> None:
    """Date the revision before NOW, as if it had been published during the hearing."""
    async with db.transaction() as repos:
        await repos.conn.execute(
            "UPDATE plan_versions SET published_at = ? WHERE version = ?", (iso(when), version)
        )


async def respond(db: Database, plan: Plan) -> None:
    """Reply to and decide on the best suggestions of a few items (simulated drafters)."""
    digest = await DigestBuilder(db, plan, ZONE).build(None, NOW)
    best = {
        item: [g.suggestion_id for g in groups] for item, groups in digest.best_suggestions.items()
    }
    async with db.transaction() as repos:
        await repos.participants.ensure(DRAFTER)  # whose replies and decisions these are
    follow = FollowThrough(db, plan)
    decisions = [
        ("3", Decision.ADOPTED, None, None),
        ("10", Decision.MERGED, "2", None),
        ("17", Decision.DECLINED, None, "Judicial appointments are outside this plan's remit."),
    ]
    for item_id, decision, into, reason in decisions:
        if best.get(item_id):
            await follow.respond(DRAFTER, best[item_id][0], decision, into, reason)
    for item_id in ("3", "15"):
        if best.get(item_id):
            reply = "Thank you: this is now part of the draft sent to the provinces."
            await follow.respond(DRAFTER, best[item_id][0], Decision.REPLY, None, reply)


async def track(db: Database, plan: Plan) -> None:
    """Set the tracking of four items, one of them past its deadline (simulated)."""
    registered = parse_metric("Madaris registered | % | 20 | 100")
    measured = Metric(registered.name, "", 0, 0, 46, date(2026, 11, 20))
    changes = [
        Change("3", "status", "in_progress"),
        Change("3", "responsible", "Ministry of Religious Affairs with the provinces"),
        Change("3", "deadline", "2026-11-15"),
        Change("3", "metric", "", registered),
        Change("3", "value", "46", measured),
        Change("15", "status", "adopted"),
        Change("15", "responsible", "Provincial police departments"),
        Change("15", "deadline", "2027-06-30"),
        Change("18", "status", "done"),
        Change("13", "status", "dropped"),
    ]
    await Tracking(db, plan).change(changes, DRAFTER, IMPORT, NOW)


SHOTS = (  # (file, page, width, element scrolled to the top)
    ("sample-report-phone.png", "ur/index.html", 390, None),
    ("sample-report-desktop.png", "en/items-1.html", 1280, "#item-3"),
)


def screenshots(site: Path, out: Path) -> None:
    """Photograph the site as a phone and a desktop show it (Chromium, headless)."""
    from playwright.sync_api import sync_playwright  # a test dependency, used here only

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
        for name, page_name, width, anchor in SHOTS:
            page = browser.new_page(
                viewport={"width": width, "height": 844 if width < 600 else 900}
            )
            page.goto((site / page_name).as_uri(), wait_until="load")
            page.evaluate("document.fonts.ready.then(() => true)")
            if anchor:
                page.evaluate(f"document.querySelector('{anchor}').scrollIntoView()")
            page.screenshot(path=str(out / name))
            page.close()
        browser.close()


def main() -> None:
    """Parse the arguments and write the sample."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-dir", type=Path, default=ROOT / "datasets" / "seed")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "sample-report")
    parser.add_argument("--screenshots", type=Path, help="a folder for the two screenshots")
    args = parser.parse_args()
    asyncio.run(build(args.seed_dir, args.out))
    if args.screenshots:
        screenshots(args.out, args.screenshots)
    print(f"{args.out}/index.html")


if __name__ == "__main__":
    main()
