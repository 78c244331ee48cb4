"""Staff apart from citizens: staff actions under a pseudonym of their own, /help by role, the
weekly oversight report on demand."""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import main
from bot.emulator import Emulator
from bot.hearing.privacy import pseudonym
from tests.harness import SECRET, Hearing, make_settings, query, use_database

DRAFTER, MODERATOR, OVERSEER, BOTH, CITIZEN = 7701, 7702, 7703, 7704, 7705
LINKED = "Read the full report at https://example.org/report first"


@pytest.fixture
async def staffed(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> AsyncIterator[Hearing]:
    """A hearing with a drafter, a moderator, an overseer, and one drafter who moderates too."""
    settings = replace(
        make_settings(tmp_path), drafter_ids=frozenset({DRAFTER, BOTH}),
        moderator_ids=frozenset({MODERATOR, BOTH}), oversight_ids=frozenset({OVERSEER}),
    )  # fmt: skip
    hearing = Hearing(emu, settings)
    await hearing.start()
    try:
        yield hearing
    finally:
        await hearing.stop()


def table(archive: bytes, name: str) -> list[dict[str, str]]:
    """Read one CSV file of a zipped export."""
    with zipfile.ZipFile(io.BytesIO(archive)) as packed:
        return list(csv.DictReader(io.StringIO(packed.read(name).decode("utf-8"))))


async def test_staff_actions_cannot_be_linked_to_their_own_answers(
    staffed: Hearing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hearing = staffed
    # Staff take part as citizens too.
    for staff in (DRAFTER, MODERATOR, OVERSEER):
        await hearing.answer_item(staff, "4", "👎 Oppose")
    sid = await hearing.suggest(CITIZEN, "10", LINKED)
    [card] = await hearing.say(MODERATOR, "/queue")
    await hearing.press(MODERATOR, "🙈 Hide", card)
    await hearing.press(MODERATOR, "Spam", card)
    [review] = await hearing.say(DRAFTER, f"/start d-{sid}")
    await hearing.press(DRAFTER, "💬 Reply to the author", review)
    await hearing.say(DRAFTER, "Please post it without the link.")
    [track] = await hearing.say(OVERSEER, "/track 4")
    await hearing.press(OVERSEER, "Responsible body", track)
    await hearing.say(OVERSEER, "Ministry of Education")

    own = {pseudonym(SECRET, user) for user in (DRAFTER, MODERATOR, OVERSEER)}
    await hearing.say(DRAFTER, "/export")
    archive = hearing.last(DRAFTER).file_bytes or b""
    assert own <= {row["participant_id"] for row in table(archive, "stances.csv")}
    acting = {
        *(row["actor_id"] for row in table(archive, "moderation_log.csv") if row["actor_id"]),
        *(row["decided_by"] for row in table(archive, "moderation_queue.csv")),
        *(row["responder_id"] for row in table(archive, "suggestion_responses.csv")),
        *(row["actor"] for row in table(archive, "tracking_history.csv")),
    }
    assert len(acting) == 3 and all(a.startswith("s") and len(a) == 32 for a in acting)
    assert not acting & own, "no staff action leads to the person's own answers"
    assert not {a[1:8] for a in acting} & {o[1:8] for o in own}
    # What staff see of each other: the same staff pseudonyms, never the citizen ones.
    [log] = await hearing.say(BOTH, "/modlog")
    moderator_tag = next(a for a in acting if a in {r["decided_by"] for r in
                         table(archive, "moderation_queue.csv")})[:8]  # fmt: skip
    assert f"by moderator {moderator_tag}" in log.plain_text()
    assert pseudonym(SECRET, MODERATOR)[:8] not in log.plain_text()
    # Without the secret (the command line run elsewhere), staff are only "staff".
    await hearing.stop()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PSEUDONYM_SECRET", raising=False)
    use_database(monkeypatch, hearing.settings.database_path)
    assert await asyncio.to_thread(main, ["export", "--out", "plain"]) == 0
    with (tmp_path / "plain" / "moderation_queue.csv").open(encoding="utf-8") as handle:
        assert [row["decided_by"] for row in csv.DictReader(handle)] == ["staff"]


async def test_help_lists_the_commands_of_the_readers_roles(staffed: Hearing) -> None:
    hearing = staffed
    sections = ("For drafters", "For moderators", "For the oversight committee")
    expected = {
        CITIZEN: (), DRAFTER: sections[:1], MODERATOR: sections[1:2], OVERSEER: sections[2:],
        BOTH: sections[:2],
    }  # fmt: skip
    for user, shown in expected.items():
        [help_] = await hearing.say(user, "/help")
        text = help_.plain_text()
        assert "How this hearing works" in text and "/mydata" in text
        assert [s for s in sections if s in text] == list(shown), user
    [drafter] = await hearing.say(DRAFTER, "/help")
    for command in ("/digest", "/suggestions", "/broadcast", "/export", "/ask", "/report"):
        assert command in drafter.plain_text()
    [moderator] = await hearing.say(MODERATOR, "/help")
    assert "/queue" in moderator.plain_text() and "/unban" in moderator.plain_text()
    assert "/digest" not in moderator.plain_text()


async def test_the_weekly_report_can_be_asked_for(staffed: Hearing) -> None:
    hearing = staffed
    [refused] = await hearing.say(CITIZEN, "/report")
    assert "only the hearing's drafters and its oversight committee" in refused.plain_text()
    replies = await hearing.say(OVERSEER, "/report")
    assert replies[0].plain_text().startswith("Here is the weekly oversight report so far")
    assert "Weekly oversight report: Anti-Terror Action Plan" in replies[1].plain_text()
    replies = await hearing.say(DRAFTER, "/report")
    assert "Weekly oversight report" in replies[1].plain_text()
    rows = await query(hearing.settings.database_path, "SELECT COUNT(*) FROM digests")
    assert rows == [(0,)], "on demand: nothing is recorded, the Monday report still comes"
