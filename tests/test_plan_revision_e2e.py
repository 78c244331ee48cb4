"""Publishing the revised seed plan: the right citizens told, answers kept with their version."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.commands.tracking import publish_plan
from bot.emulator import Emulator
from bot.hearing.digest import DigestBuilder
from bot.hearing.languages import load_plans
from bot.hearing.oversight import VersionSplit
from bot.hearing.plan import DEFAULT_PLAN_PATH, load_plan
from bot.hearing.results import build_results
from bot.senders.digests import send_digests
from bot.views.reports import after_blocks
from bot.views.results.site import render_site
from bot.views.texts import load_texts, strip_html
from tests.after_support import DRAFTER, outbox_sent, running
from tests.harness import Clock, Hearing, at, database_at, query

REVISED = Path(__file__).parent / "data" / "plan_revised.md"
ANSWERED, COMMENTED, ELSEWHERE, URDU_READER = 601, 602, 603, 604
NOTICE = "You said, we did"
UR_NOTICE = "آپ نے کہا، ہم نے کیا"
UR_BEFORE = load_plan(DEFAULT_PLAN_PATH.with_name("plan.ur.md")).items[17].text
UR_NOW = load_plan(REVISED.with_name("plan_revised.ur.md")).items[17].text


@pytest.fixture
async def hearing(
    emu: Emulator, tmp_path: Path, database_url: str | None, clock: Clock
) -> AsyncIterator[Hearing]:
    """The seed hearing with answers on item 18 and elsewhere."""
    async with running(emu, tmp_path, clock) as started:
        await started.answer_item(ANSWERED, "18", "👍 Support")
        await started.suggest(COMMENTED, "18", "Along with judges, protect jail staff as well")
        await started.answer_item(ELSEWHERE, "17", "👎 Oppose")
        yield started


async def publish(hearing: Hearing, path: Path = REVISED) -> tuple[int, str, str]:
    """Run `hearing-bot publish-plan FILE` as an operator would, beside the running bot."""
    out, err = io.StringIO(), io.StringIO()
    status = await asyncio.to_thread(publish_plan, hearing.settings, path, out, err)
    return status, out.getvalue(), err.getvalue()


def notices(hearing: Hearing, user: int, notice: str = NOTICE) -> list[str]:
    """The "you said, we did" notices a citizen received."""
    return [m.plain_text() for m in hearing.emu.messages(user) if notice in m.plain_text()]


async def urdu_reader_answers_item_18(hearing: Hearing) -> None:
    """A citizen whose phone is set to Urdu begins, then answers item 18 in Urdu."""
    hearing.emu.send_message(URDU_READER, "/start", language_code="ur")
    await hearing.settle()
    await hearing.press(URDU_READER, "شروع کریں")
    await hearing.answer_item(URDU_READER, "18", "👍 حمایت", "زیادہ")


async def publish_without_translation(hearing: Hearing, tmp_path: Path) -> tuple[int, str, str]:
    """Publish the revised plan from a folder that has no translation beside it."""
    alone = tmp_path / "revised" / REVISED.name
    alone.parent.mkdir()
    alone.write_text(REVISED.read_text("utf-8"), encoding="utf-8")
    return await publish(hearing, alone)


async def changes_page(hearing: Hearing, language: str, plan_path: Path = REVISED) -> str:
    """The results site's page of plan changes in a language, as `hearing-bot report` makes it."""
    plan, settings = load_plan(plan_path), hearing.settings
    async with database_at(settings.database_path) as db:
        page = await build_results(db, plan, settings.timezone, settings.min_group_size,
                                   hearing.clock())  # fmt: skip
    site = await asyncio.to_thread(render_site, page, load_plans(plan, plan_path))
    return site[f"{language}/changes.html"].decode("utf-8")


async def test_publishing_the_revised_seed_plan_tells_the_right_citizens(
    hearing: Hearing,
) -> None:
    status, out, _ = await publish(hearing)
    assert status == 0
    assert "item 18: changed" in out
    assert "now: An effective Witness Protection Program, extended to judges and jail" in out
    assert "2 citizen(s) who answered or commented" in out
    assert notices(hearing, ANSWERED) == [], "told once the bot serves the new version"
    await hearing.restart()
    await outbox_sent(hearing)
    for user in (ANSWERED, COMMENTED):
        (notice,) = notices(hearing, user)
        assert "Item 18, which you answered or commented on" in notice
        assert "Before: An effective Witness Protection Program.\n" in notice
        assert (
            "Now: An effective Witness Protection Program, extended to judges and jail" in notice
        )
    assert notices(hearing, ELSEWHERE) == []
    await hearing.restart()
    await outbox_sent(hearing)
    assert len(notices(hearing, ANSWERED)) == 1, "never told twice"
    replies = await hearing.open_link(ELSEWHERE, "item-18")
    assert "extended to judges and jail staff" in replies[0].plain_text()


async def test_an_urdu_reader_is_told_in_the_urdu_wording_and_reads_the_revision(
    hearing: Hearing,
) -> None:
    await urdu_reader_answers_item_18(hearing)
    status, out, _ = await publish(hearing)
    assert status == 0 and "ur translation: plan_revised.ur.md, published with it" in out
    await hearing.restart()
    await outbox_sent(hearing)
    (notice,) = notices(hearing, URDU_READER, UR_NOTICE)
    assert f"پہلے: \u2068{UR_BEFORE}\u2069" in notice and f"اب: \u2068{UR_NOW}\u2069" in notice
    assert "Witness" not in notice, "no English wording quoted"
    (english,) = notices(hearing, ANSWERED)
    assert "Now: An effective Witness Protection Program, extended to judges and jail" in english
    item = (await hearing.open_link(URDU_READER, "item-18"))[-1].plain_text()
    assert UR_NOW in item and "Witness" not in item, "the revision's Urdu wording is served"
    urdu = await changes_page(hearing, "ur")
    assert f'<blockquote lang="ur" dir="auto">{UR_BEFORE}</blockquote>' in urdu
    assert f'<blockquote lang="ur" dir="auto">{UR_NOW}</blockquote>' in urdu
    assert "Witness" not in urdu and load_texts("ur").plain("results.wording_note") not in urdu
    english = await changes_page(hearing, "en")
    assert '<blockquote lang="en" dir="auto">An effective Witness Protection Program.' in english


async def test_a_revision_without_a_translation_is_read_in_english_in_urdu(
    hearing: Hearing, tmp_path: Path
) -> None:
    await urdu_reader_answers_item_18(hearing)
    status, out, _ = await publish_without_translation(hearing, tmp_path)
    assert status == 0 and "ur translation: none (plan_revised.ur.md is not beside it)" in out
    await hearing.restart()
    await outbox_sent(hearing)
    (notice,) = notices(hearing, URDU_READER, UR_NOTICE)
    assert f"پہلے: \u2068{UR_BEFORE}\u2069" in notice, "the wording answered, in Urdu"
    assert "extended to judges and jail staff" in notice, "no Urdu of the new wording yet"
    item = (await hearing.open_link(URDU_READER, "item-18"))[-1].plain_text()
    assert "extended to judges and jail staff" in item, "not the old Urdu wording of item 18"
    assert "گواہوں" not in item
    alone = tmp_path / "revised" / REVISED.name
    urdu = await changes_page(hearing, "ur", alone)
    assert f'<blockquote lang="ur" dir="auto">{UR_BEFORE}</blockquote>' in urdu, "as published"
    assert '<blockquote lang="en" dir="auto">An effective Witness Protection Program, ext' in urdu
    assert load_texts("ur").plain("results.wording_note") in urdu, "the English quote is said"


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda text: re.sub(r"\n20\. [^\n]*", "", text), "its items differ"),
        (lambda text: text.replace("\n3. ", "\n4. "), "item 4 comes after item 2"),
    ],
)
async def test_a_translation_that_does_not_fit_refuses_the_revision(
    hearing: Hearing, tmp_path: Path, change: Callable[[str], str], said: str
) -> None:
    folder = tmp_path / "revised"
    folder.mkdir()
    (folder / REVISED.name).write_text(REVISED.read_text("utf-8"), encoding="utf-8")
    translated = REVISED.with_name("plan_revised.ur.md").read_text("utf-8")
    (folder / "plan_revised.ur.md").write_text(change(translated), encoding="utf-8")
    status, _, err = await publish(hearing, folder / REVISED.name)
    assert status == 1 and said in err and "plan_revised.ur.md" in err
    rows = await query(hearing.settings.database_path, "SELECT COUNT(*) FROM plan_versions")
    assert rows == [(0,)]


async def test_answers_stay_with_the_version_they_were_given_on(
    hearing: Hearing, clock: Clock
) -> None:
    old = load_plan().version
    await publish(hearing)
    await hearing.restart()
    new = load_plan(REVISED).version
    await hearing.answer_item(ELSEWHERE, "18", "👎 Oppose")
    rows = await query(hearing.settings.database_path,
                       "SELECT plan_version, stance FROM stances WHERE item_id = '18'"
                       " ORDER BY stance DESC")  # fmt: skip
    assert rows == [(old, "support"), (old, "support"), (new, "oppose")]
    clock.now = at(27, 20, 5)
    assert hearing.app is not None
    await send_digests(hearing.app)
    digest = "\n".join(m.plain_text() for m in hearing.emu.messages(DRAFTER))
    assert "Answers on the revised items" in digest
    assert "18. fewer than 5 answers on one of the wordings" in digest, "too few to split"
    assert hearing.app is not None and hearing.app.bot_data.services is not None
    services = hearing.app.bot_data.services
    # Under MIN_GROUP_SIZE 1 the split itself is published: one answer on the new wording.
    builder = DigestBuilder(services.db, services.plan, min_group=1)
    after = (await builder.build(None, clock.now)).after
    assert after.versions == (VersionSplit("18", "changed", (2, 0, 2), (0, 1, 1)),)
    shown = "\n".join(after_blocks(load_texts(), {}, after, None, min_group=1))
    assert "18. earlier: 👍 2 👎 0 of 2 · current: 👍 0 👎 1 of 1" in strip_html(shown)


async def test_the_same_plan_again_changes_nothing(hearing: Hearing, tmp_path: Path) -> None:
    assert (await publish(hearing))[0] == 0
    status, _, err = await publish(hearing)
    assert status == 1 and "already published" in err
    rows = await query(hearing.settings.database_path, "SELECT COUNT(*) FROM plan_versions")
    assert rows == [(2,)]


async def test_a_broken_plan_is_refused_with_line_numbers(
    hearing: Hearing, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.md"
    broken.write_text("# Plan\n\n1. One\n3. Three\n", encoding="utf-8")
    status, _, err = await publish(hearing, broken)
    assert status == 1 and "broken.md:line 4: item 3 comes after item 1 (expected 2)" in err
    rows = await query(hearing.settings.database_path, "SELECT COUNT(*) FROM plan_versions")
    assert rows == [(0,)]


async def test_a_dropped_item_leaves_nobody_stranded(hearing: Hearing, tmp_path: Path) -> None:
    await hearing.answer_item(ELSEWHERE, "20", "👍 Support")  # and stops there
    text = load_plan_text().replace("20. Adequate resource allocation.\n", "")
    shorter = tmp_path / "plan-19.md"
    shorter.write_text(text, encoding="utf-8")
    status, out, _ = await publish(hearing, shorter)
    assert status == 0 and "item 20: dropped" in out
    await hearing.restart()
    await outbox_sent(hearing)
    (notice,) = notices(hearing, ELSEWHERE)
    assert "Item 20, which you answered or commented on, was dropped" in notice
    assert "It read: Adequate resource allocation." in notice
    replies = await hearing.say(ELSEWHERE, "/start")
    assert "Sorry, something went wrong" not in replies[0].plain_text()
    assert replies[0].button_labels()


def load_plan_text() -> str:
    """The bundled seed plan's Markdown."""
    return (Path(__file__).resolve().parents[1] / "content" / "plan.md").read_text("utf-8")
