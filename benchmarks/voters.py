"""Citizens who vote by deep link, for the per-vote benchmark: their ballots and their moves."""

from __future__ import annotations

import random
from dataclasses import dataclass

from benchmarks.driver import Citizens, with_button
from bot.model.values import Vote
from bot.views.codec import VOTE_CODES, Action, encode

VOTER_BASE = 900_000  # voters apart from the authors (scripts.user_of): none votes on their own


@dataclass(frozen=True)
class Ballot:
    """One citizen's vote on the suggestion at `index` in the conversation's comments."""

    user: int
    index: int
    vote: Vote


def ballots(citizens: int, each: int, suggestions: int, seed_: int) -> list[list[Ballot]]:
    """Draw each citizen's `each` votes on distinct suggestions, the same for both bots."""
    if each > suggestions:
        raise SystemExit(f"--votes-each is at most {suggestions} with these suggestions")
    rng = random.Random(seed_)
    return [
        [
            Ballot(VOTER_BASE + c, i, rng.choice(list(Vote)))
            for i in rng.sample(range(suggestions), each)
        ]
        for c in range(citizens)
    ]


async def begin(citizens: Citizens, user: int) -> None:
    """Send `/start` and press Begin if the bot offers it; wait for what Begin sends."""
    first = await citizens.reply(user, citizens.text(user, "/start"))
    data = encode(Action.BEGIN)
    if any(d == data for row in first.buttons() for _, d in row):
        mark = citizens.emu.cursor(user)
        await citizens.press(user, first.message_id, data)
        await citizens.reply(user, mark)


async def open_and_vote(citizens: Citizens, ballot: Ballot, sid: int) -> None:
    """Open a suggestion by deep link (past a newcomer's welcome) and press the vote."""
    user, data = ballot.user, encode(Action.VOTE, sid, VOTE_CODES[ballot.vote], 0)
    mark = await citizens.follow_link(user, f"s-{sid}")
    card = await citizens.until(
        user, with_button(citizens.emu, user, mark, lambda _, d: d == data)
    )
    answer = await citizens.press(user, card.message_id, data)
    if not str(answer.get("text", "")).startswith("Saved"):
        raise AssertionError(f"vote not saved: {answer.get('text')!r}")
