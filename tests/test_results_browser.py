"""The results site in a real browser: Debian's headless Chromium, driven by Playwright."""

from __future__ import annotations

import asyncio
import os
import shutil
import struct
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# CHROMIUM names another build of it (or, for a try, a missing one).
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).is_file():
    pytest.skip(
        f"Chromium is not installed ({CHROMIUM} is missing): the browser tests are skipped",
        allow_module_level=True,
    )

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Browser, Page, Route, sync_playwright  # noqa: E402

from bot.commands.report import write_site  # noqa: E402
from bot.hearing.languages import load_plans  # noqa: E402
from bot.hearing.plan import DEFAULT_PLAN_PATH, load_plan  # noqa: E402
from bot.hearing.results import build_results  # noqa: E402
from bot.views.results.site import render_site  # noqa: E402
from storage.db import Database  # noqa: E402
from tests.results_support import HOSTILE_SHOWN, MIN_GROUP, NOW, fill  # noqa: E402

# A fresh profile each run (Playwright makes one), and nothing Chromium does on its own.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
PHONE, DESKTOP = 390, 1280
PAGES = [f"{lang}/{name}" for lang in ("en", "ur")
         for name in ("index.html", "items-1.html", "proposals.html", "changes.html")]  # fmt: skip


async def _build(folder: Path) -> None:
    plan = load_plan()
    async with Database(folder.with_suffix(".db")) as db:
        await fill(db, plan)
        page = await build_results(db, plan, "Asia/Karachi", MIN_GROUP, NOW)
    write_site(render_site(page, load_plans(plan, DEFAULT_PLAN_PATH)), folder)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The results site of a small hearing, written to a folder."""
    folder = tmp_path_factory.mktemp("results") / "site"
    # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(_build(folder))).result()
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@dataclass
class Visit:
    """A page opened from disk, with what it logged and what it tried to fetch elsewhere."""

    page: Page
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


def visit(browser: Browser, site: Path, name: str, width: int) -> Visit:
    """Open a page of the site at a width, refusing (and noting) any request outside it."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    seen = Visit(context.new_page())
    inside = site.as_uri() + "/"

    def route(r: Route) -> None:
        if r.request.url.startswith(inside):
            r.continue_()
        else:
            seen.outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    seen.page.on("console", lambda m: m.type == "error" and seen.errors.append(m.text))
    seen.page.on("pageerror", lambda e: seen.errors.append(str(e)))
    seen.page.goto((site / name).as_uri(), wait_until="load")
    seen.page.evaluate("document.fonts.ready.then(() => true)")
    return seen


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_every_page_loads_cleanly_and_fits_the_screen(
    browser: Browser, site: Path, width: int
) -> None:
    for name in ["index.html", *PAGES]:
        seen = visit(browser, site, name, width)
        assert seen.errors == [], name
        assert seen.outside == [], name
        sizes = seen.page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert sizes[0] <= sizes[1], f"{name} scrolls sideways at {width}px"
        seen.page.context.close()


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_screenshots_at_phone_and_desktop_width(
    browser: Browser, site: Path, width: int, tmp_path: Path
) -> None:
    for name in ("en/index.html", "ur/items-1.html"):
        seen = visit(browser, site, name, width)
        shot = tmp_path / f"{name.replace('/', '-')}-{width}.png"
        seen.page.screenshot(path=str(shot), full_page=True)
        png_width, height = struct.unpack(">II", shot.read_bytes()[16:24])
        assert png_width == width and height > 900, "a full page, as wide as the screen"
        seen.page.context.close()


def test_the_urdu_pages_read_right_to_left_in_the_shipped_font(
    browser: Browser, site: Path
) -> None:
    for name in (n for n in PAGES if n.startswith("ur/")):
        page = visit(browser, site, name, PHONE).page
        directions = page.evaluate(
            "['html', 'body', 'main', 'h1', 'nav'].map("
            "s => getComputedStyle(document.querySelector(s)).direction)"
        )
        assert directions == ["rtl"] * 5, name
        assert page.evaluate("document.documentElement.lang") == "ur"
        fonts = page.evaluate(
            "[...document.fonts].filter(f => f.family.includes('Nastaliq')).map(f => f.status)"
        )
        assert fonts == ["loaded"], f"{name}: the shipped Nastaliq font is used"
        page.context.close()
    page = visit(browser, site, "ur/items-1.html", PHONE).page
    # A suggestion in English keeps its own direction inside the Urdu page.
    assert (
        page.evaluate("getComputedStyle(document.querySelector('blockquote')).direction") == "ltr"
    )
    page.context.close()


def test_every_chart_has_a_text_alternative(browser: Browser, site: Path) -> None:
    for name in ("en/index.html", "en/items-1.html", "ur/index.html", "ur/items-1.html"):
        page = visit(browser, site, name, DESKTOP).page
        charts = page.evaluate(
            """[...document.querySelectorAll('svg:not([aria-hidden="true"])')].map(svg => {
                const label = document.getElementById(svg.getAttribute('aria-labelledby'));
                return [svg.getAttribute('role'), label ? label.textContent.trim() : ''];
            })"""
        )
        assert charts, name
        for role, label in charts:
            assert role == "img" and len(label) > 10, (name, label)
        page.context.close()
    page = visit(browser, site, "en/items-1.html", DESKTOP).page
    assert page.get_by_role(
        "img", name="Of 12 answers: support 50%, unsure 25%, oppose 25%"
    ).count()
    page.context.close()


def test_axe_finds_no_serious_or_critical_violation(browser: Browser, site: Path) -> None:
    axe = Axe()
    for name in ["index.html", *PAGES]:
        page = visit(browser, site, name, PHONE).page
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        violations = axe.run(page).response["violations"]
        serious = [(v["id"], v["impact"], len(v["nodes"])) for v in violations
                   if v["impact"] in ("serious", "critical")]  # fmt: skip
        assert serious == [], name
        page.context.close()


def test_a_hostile_suggestion_is_shown_as_text_and_never_runs(
    browser: Browser, site: Path
) -> None:
    seen = visit(browser, site, "en/items-1.html", PHONE)
    page = seen.page
    assert page.evaluate("window.__pwned === undefined")
    assert page.evaluate("document.querySelectorAll('script, img').length") == 0
    quoted = page.locator("#item-3 blockquote").first.inner_text()
    assert quoted.startswith(HOSTILE_SHOWN) and "evil" in quoted and "\u202e" not in quoted
    # The override is gone, so what follows the suggestion reads in its own direction.
    votes = page.locator("#item-3 .votes").first
    assert votes.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert seen.errors == [] and seen.outside == []
    page.context.close()


def test_the_language_link_opens_the_same_page_in_the_other_language(
    browser: Browser, site: Path
) -> None:
    page = visit(browser, site, "en/items-1.html", PHONE).page
    page.get_by_role("link", name="اردو").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/ur/items-1.html")
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/en/items-1.html")
    page.context.close()


def test_the_opinion_groups_read_as_headings_and_lists(browser: Browser, site: Path) -> None:
    for name, title in (("en/index.html", "Opinion groups"), ("ur/index.html", "رائے کے گروہ")):
        seen = visit(browser, site, name, PHONE)
        page = seen.page
        assert page.get_by_role("heading", name=title, level=2).count() == 1, name
        section = page.get_by_role("region", name=title)
        # Two groups of six in the small hearing, each with what sets it apart, in words.
        assert section.get_by_role("heading", level=3).count() >= 2, name
        assert section.get_by_role("listitem").count() >= 2, name
        assert page.evaluate("window.__pwned === undefined")
        assert seen.errors == [] and seen.outside == []
        page.context.close()
