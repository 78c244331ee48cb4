"""What one Pol.is event becomes as a citizen's updates: for the hearing bot, and for an echo bot.

Pol.is data is licensed CC BY 4.0; Data was gathered using the Polis software
(compdemocracy.org/polis) and is sub-licensed under CC BY 4.0 with Attribution to The
Computational Democracy Project.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from benchmarks.driver import Citizens, with_button
from benchmarks.readback import ReadBack
from bot.commands.polis_data import Event
from bot.hearing.privacy import pseudonym
from bot.views.codec import VOTE_CODES, Action, encode

ITEM = "15"  # every comment becomes a suggestion on one item, as in tests/test_polis_replay.py
STANCE = "🤔 Unsure"
PRIORITY = "High"
ADD = "✍️ Add a suggestion"
ANYWAY = "📝 Post mine anyway"
SAVED = "✅ Thank you. Your suggestion"
OWN = "This is your own suggestion"
REFUSED = "cannot be posted"  # a bare link or emoji alone: refused by design
GONE = "no longer open for voting"  # held for a moderator, or hidden
USER_BASE = 100_000


def user_of(person: str) -> int:
    """Each Pol.is participant (as author and as voter) is one citizen."""
    return USER_BASE + int(person)


@dataclass
class Outcome:
    """What the bot did with the votes, for the exactness check."""

    suggestion_of: dict[str, int] = field(default_factory=dict)
    refused_comments: set[str] = field(default_factory=set)
    skipped_votes: int = 0
    posted: dict[str, asyncio.Future[int | None]] = field(default_factory=dict)
    accepted: int = 0
    refused_own: int = 0
    refused_other: int = 0
    # Comments posted but not open for voting (held for a moderator where moderation exists).
    closed_comments: set[str] = field(default_factory=set)
    refused_closed: int = 0

    def future(self, comment_id: str) -> asyncio.Future[int | None]:
        """Return the future resolved with the comment's suggestion id once it is posted."""
        if comment_id not in self.posted:
            self.posted[comment_id] = asyncio.get_running_loop().create_future()
        return self.posted[comment_id]

    def ready(self, event: Event) -> asyncio.Future[int | None] | None:
        """Return what a vote must wait for (its comment being posted), or None."""
        if event.kind != "vote":
            return None
        posted = self.future(event.comment_id)
        return None if posted.done() else posted


class HearingScript:
    """Play Pol.is events through the hearing bot's real buttons."""

    def __init__(self, citizens: Citizens, db: ReadBack, secret: str) -> None:
        self.citizens = citizens
        self.emu = citizens.emu
        self.outcome = Outcome()
        self.db = db
        self.secret = secret

    async def play(self, event: Event) -> None:
        """Play a comment or a vote."""
        if event.kind == "comment":
            sid = await self.comment(user_of(event.person), event.value)
            if sid is None:
                self.outcome.refused_comments.add(event.comment_id)
            else:
                self.outcome.suggestion_of[event.comment_id] = sid
            self.outcome.future(event.comment_id).set_result(sid)
        elif event.comment_id in self.outcome.refused_comments:
            self.outcome.skipped_votes += 1  # there is no suggestion to vote on
        elif not await self.vote(event, self.outcome.suggestion_of[event.comment_id]):
            self.outcome.closed_comments.add(event.comment_id)

    async def _press_label(self, user: int, message_id: int, label: str) -> None:
        def labelled() -> str | None:
            message = self.emu.message(user, message_id)
            found = [d for row in (message.buttons() if message else []) for t, d in row]
            labels = [t for row in (message.buttons() if message else []) for t, d in row]
            return found[labels.index(label)] if label in labels else None

        data = await self.citizens.until(user, labelled)
        await self.citizens.press(user, message_id, data)

    async def comment(self, user: int, text: str) -> int | None:
        """Answer the item, add a suggestion (past any near-duplicate), return its id.

        None when the bot refuses the text (a bare link, say), as it does by design.
        """
        mark = await self.citizens.follow_link(user, f"item-{ITEM}")
        item = await self.citizens.until(
            user, with_button(self.emu, user, mark, lambda label, _: label == STANCE)
        )
        for label in (STANCE, PRIORITY, ADD):
            await self._press_label(user, item.message_id, label)
        mark = self.citizens.text(user, text)

        def answered() -> tuple[str, int] | None:
            for message in self.emu.messages_since(user, mark):
                if message.plain_text().startswith(SAVED):
                    return "saved", message.message_id
                if ANYWAY in message.button_labels():
                    return "similar", message.message_id
                if REFUSED in message.plain_text():
                    return "refused", message.message_id
            return None

        kind, message_id = await self.citizens.until(user, answered)
        if kind == "refused":
            return None
        if kind == "similar":
            mark = self.emu.cursor(user)
            await self._press_label(user, message_id, ANYWAY)
            await self.citizens.until(
                user,
                lambda: any(
                    m.plain_text().startswith(SAVED) for m in self.emu.messages_since(user, mark)
                ),
            )
        [(latest,)] = await self.db.rows(
            "SELECT MAX(id) FROM suggestions WHERE participant_id = ?",
            (pseudonym(self.secret, user),),
        )
        return int(latest)

    async def vote(self, event: Event, sid: int) -> bool:
        """Open the suggestion by deep link and press the vote; False if it is not open."""
        user = user_of(event.person)
        data = encode(Action.VOTE, sid, VOTE_CODES[event.vote], 0)
        mark = await self.citizens.follow_link(user, f"s-{sid}")
        card = with_button(self.emu, user, mark, lambda _, d: d == data)

        def shown() -> tuple[str, int] | None:
            if (found := card()) is not None:
                return "card", found.message_id
            for message in self.emu.messages_since(user, mark):
                if OWN in message.plain_text():
                    return "own", 0
                if GONE in message.plain_text():
                    return "closed", 0
            return None

        kind, message_id = await self.citizens.until(user, shown)
        if kind == "own":
            self.outcome.refused_own += 1
            return True
        if kind == "closed":
            self.outcome.refused_closed += 1
            return False
        answer = await self.citizens.press(user, message_id, data)
        if str(answer.get("text", "")).startswith("Saved"):
            self.outcome.accepted += 1
        else:
            self.outcome.refused_other += 1
        return True


class EchoScript:
    """Play the same updates (texts and presses) against a bot that echoes them."""

    def __init__(self, citizens: Citizens) -> None:
        self.citizens = citizens
        self.outcome = Outcome()

    async def _say(self, user: int, text: str) -> int:
        mark = self.citizens.text(user, text)
        return (await self.citizens.reply(user, mark)).message_id

    async def play(self, event: Event) -> None:
        """Send what the hearing script sends for this event, without its choices."""
        user = user_of(event.person)
        if event.kind == "comment":
            message_id = await self._say(user, f"/start item-{ITEM}")
            for data in (f"v1:st:{ITEM}:u", f"v1:pr:{ITEM}:h", f"v1:add:{ITEM}"):
                await self.citizens.press(user, message_id, data)
            await self._say(user, event.value)
            self.outcome.future(event.comment_id).set_result(int(event.comment_id))
            return
        message_id = await self._say(user, f"/start s-{event.comment_id}")
        await self.citizens.press(user, message_id, f"v1:vt:{event.comment_id}:a:0")
