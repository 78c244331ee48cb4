"""Replay a real Pol.is conversation through the bot's buttons: the tallies must be exact.

Data: the `london.youth.policing` conversation from the Pol.is open data, licensed CC BY 4.0.
Data was gathered using the Polis software (compdemocracy.org/polis) and is sub-licensed under
CC BY 4.0 with Attribution to The Computational Democracy Project.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.commands.polis_data import Event, events, recount
from bot.emulator import Emulator
from bot.views.codec import VOTE_CODES, Action, encode
from tests.harness import DATASETS, Hearing, make_settings, query

CONVERSATION = DATASETS / "polis" / "london.youth.policing"
ITEM = "15"  # every comment becomes a suggestion on one item ("Performance enhancement of LEAs")
USER_BASE = 100_000


@pytest.fixture
async def replay(
    emu: Emulator, tmp_path: Path, database_url: str | None
) -> AsyncIterator[Hearing]:
    """A hearing whose flood limit allows a conversation's hours to replay in seconds."""
    async with Hearing(emu, make_settings(tmp_path, suggestions_per_hour=1000)) as running:
        yield running


def user_of(person: str) -> int:
    """Each Pol.is participant (as author and as voter) is one citizen."""
    return USER_BASE + int(person)


async def post_comment(hearing: Hearing, event: Event) -> int:
    """Post a Pol.is comment as a suggestion, through the walkthrough's buttons."""
    return await hearing.suggest(user_of(event.person), ITEM, event.value, stance="🤔 Unsure")


async def cast_vote(hearing: Hearing, event: Event, sid: int) -> bool:
    """Open a suggestion by deep link and press the vote; False if the bot refused it."""
    user = user_of(event.person)
    replies = await hearing.open_link(user, f"s-{sid}")
    data = encode(Action.VOTE, sid, VOTE_CODES[event.vote], 0)
    cards = [m for m in replies if any(d == data for row in m.buttons() for _, d in row)]
    if not cards:
        assert "This is your own suggestion" in replies[0].plain_text()
        return False
    card = cards[0]
    update_id = hearing.emu.press_button(user, card.message_id, data)
    await hearing.settle()
    answer = hearing.emu.answer_for(update_id)
    return answer is not None and str(answer.get("text", "")).startswith("Saved")


async def test_london_replay_gives_exact_tallies(replay: Hearing) -> None:
    hearing = replay
    stream = events(CONVERSATION)
    expected, own_votes = recount(stream)
    suggestion_of: dict[str, int] = {}
    refused_own = 0
    repeats = 0
    authors = {e.comment_id: e.person for e in stream if e.kind == "comment"}
    current: dict[tuple[str, str], str] = {}
    for event in stream:
        if event.kind == "comment":
            suggestion_of[event.comment_id] = await post_comment(hearing, event)
            continue
        accepted = await cast_vote(hearing, event, suggestion_of[event.comment_id])
        if authors[event.comment_id] == event.person:
            assert not accepted
            refused_own += 1
        elif current.get((event.comment_id, event.person)) == event.value:
            assert not accepted, "the same vote twice is refused and changes nothing"
            repeats += 1
        else:
            assert accepted
            current[(event.comment_id, event.person)] = event.value
    assert refused_own == own_votes == 24
    rows = await query(
        hearing.settings.database_path,
        "SELECT suggestion_id, vote, COUNT(*) FROM votes GROUP BY 1, 2",
    )
    stored: dict[int, Counter[str]] = {sid: Counter() for sid in suggestion_of.values()}
    for sid, vote, count in rows:
        stored[int(str(sid))][str(vote)] = int(str(count))
    for comment_id, sid in suggestion_of.items():
        assert stored[sid] == expected[comment_id], f"comment {comment_id}"
    assert len(suggestion_of) == 39
    assert sum(sum(c.values()) for c in stored.values()) == sum(
        sum(c.values()) for c in expected.values()
    )
