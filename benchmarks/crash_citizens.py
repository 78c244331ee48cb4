"""Scripted citizens for the crash test: each answers items, suggests and votes, and keeps a
record of exactly what it sent, so that the database can be checked against it afterwards."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from benchmarks.readback import ReadBack
from bot.emulator import Emulator, SentMessage
from bot.hearing.privacy import pseudonym

STANCES = {"support": "👍 Support", "oppose": "👎 Oppose", "unsure": "🤔 Unsure"}
PRIORITIES = {"high": "High", "medium": "Medium", "low": "Low"}
VOTES = {"agree": "👍 Agree", "disagree": "👎 Disagree", "pass": "🤷 Pass"}
ITEMS = 20
# Words for suggestions far enough apart that near-duplicate offers stay rare (they are
# handled anyway: the citizen posts theirs).
# fmt: off
WORDS = (
    "audit", "budget", "border", "camera", "court", "curfew", "danger", "drill", "fund",
    "guard", "hospital", "judge", "ledger", "madrassa", "metro", "night", "notice", "parcel",
    "patrol", "permit", "police", "port", "prison", "radio", "rail", "record", "rescue",
    "school", "shelter", "signal", "survey", "tender", "train", "transit", "trust", "village",
    "visa", "warden", "witness", "youth", "bridge", "clinic", "data", "drone", "fence",
    "harbour", "lantern", "market", "ration", "siren", "tunnel",
)
# fmt: on


class Stuck(Exception):
    """The bot did not answer an action within the wait: an update was lost or stalled."""


@dataclass
class Sent:
    """What one citizen sent that must be stored exactly once."""

    user_id: int
    stances: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    suggestions: list[tuple[str, str]] = field(default_factory=list)  # (item, text)
    votes: dict[int, str] = field(default_factory=dict)
    actions: int = 0
    stuck: str | None = None


def linked(message: SentMessage) -> bool:
    """Tell whether a message is the short welcome a newcomer sees after a shared link."""
    return any(
        data.startswith(("v1:li:", "v1:ls:")) for row in message.buttons() for _, data in row
    )


def text_has(*parts: str) -> Callable[[SentMessage], bool]:
    """Match a bot message whose visible text contains every part."""
    return lambda m: all(part in m.plain_text() for part in parts)


class Citizen:
    """One scripted citizen; every action waits for the bot's visible answer to it."""

    def __init__(
        self, emu: Emulator, user_id: int, rng: random.Random, wait: float, db: ReadBack,
        secret: str,
    ) -> None:  # fmt: skip
        self.emu = emu
        self.rng = rng
        self.wait = wait
        self.db = db
        self.pid = pseudonym(secret, user_id)
        self.sent = Sent(user_id)
        self.trace: list[str] = []

    @property
    def uid(self) -> int:
        """Return the citizen's Telegram user id."""
        return self.sent.user_id

    async def run(self, items: int, suggest_share: float, votes: int) -> Sent:
        """Answer `items` random items, suggesting on some, then vote on others' suggestions."""
        try:
            for item in self.rng.sample(range(1, ITEMS + 1), items):
                await self.answer(str(item), suggest=self.rng.random() < suggest_share)
            for sid in await self.others_suggestions(votes):
                await self.vote(sid, self.rng.choice(list(VOTES)))
        except Stuck as exc:
            self.sent.stuck = str(exc)
        return self.sent

    async def answer(self, item: str, suggest: bool) -> None:
        """Open an item by deep link, give a stance and a priority, maybe a suggestion."""
        after = self.emu.cursor(self.uid)

        def is_item(m: SentMessage) -> bool:
            return (
                f"Item {item} of {ITEMS}" in m.plain_text() and "👍 Support" in m.button_labels()
            )

        shown = await self.say(f"/start item-{item}", lambda m: is_item(m) or linked(m), after)
        if linked(shown):  # a newcomer sees a short welcome first, then opens the item
            after = self.emu.cursor(self.uid)
            update_id = self.emu.press(self.uid, shown.message_id, f"Open item {item}")
            self.trace.append(f"u{update_id} opens item {item} from the welcome")
            self.sent.actions += 1
            shown = await self.expect(is_item, after)
        stance, priority = self.rng.choice(list(STANCES)), self.rng.choice(list(PRIORITIES))
        # Recorded before each action: what was sent must be stored, answered or not.
        self.sent.stances[item] = (stance, None)
        await self.press(shown, STANCES[stance], "How high a priority")
        self.sent.stances[item] = (stance, priority)
        await self.press(shown, PRIORITIES[priority], "Would you like to add a suggestion")
        if not suggest:
            return
        await self.press(shown, "✍️ Add a suggestion", "Send your suggestion")
        text = " ".join([*self.rng.sample(WORDS, 6), f"c{self.uid}i{item}"])
        after = self.emu.cursor(self.uid)
        self.sent.suggestions.append((item, text))
        reply = await self.say(
            text, lambda m: text in m.plain_text() or "already suggested" in m.plain_text(), after
        )
        if "already suggested" in reply.plain_text():
            after = self.emu.cursor(self.uid)
            self.emu.press(self.uid, reply.message_id, "📝 Post mine anyway")
            self.sent.actions += 1
            await self.expect(text_has("is saved", text), after)

    async def vote(self, sid: int, vote: str) -> None:
        """Open a suggestion's card by deep link and vote on it."""
        after = self.emu.cursor(self.uid)
        card = await self.say(f"/start s-{sid}", lambda m: "👍 Agree" in m.button_labels(), after)
        self.sent.votes[sid] = vote
        await self.press(card, VOTES[vote], "Your vote:")

    async def others_suggestions(self, count: int) -> list[int]:
        """Pick up to `count` suggestions by other citizens, read from the bot's database."""
        if count <= 0:
            return []
        rows = await self.db.rows(
            "SELECT id FROM suggestions WHERE participant_id <> ? AND status = 'visible'"
            " ORDER BY id",
            (self.pid,),
        )
        return self.rng.sample([sid for (sid,) in rows], min(count, len(rows)))

    async def say(
        self, text: str, predicate: Callable[[SentMessage], bool], after: int
    ) -> SentMessage:
        """Send a text message and wait for the bot's answer to it."""
        update_id = self.emu.send_message(self.uid, text)
        self.trace.append(f"u{update_id} says {text[:20]!r}")
        self.sent.actions += 1
        return await self.expect(predicate, after)

    async def press(self, message: SentMessage, label: str, then: str) -> SentMessage:
        """Press a button on a message and wait until that message shows `then`."""
        update_id = self.emu.press(self.uid, message.message_id, label)
        self.trace.append(f"u{update_id} presses {label!r} on #{message.message_id}")
        self.sent.actions += 1
        return await self.expect(
            lambda m: m.message_id == message.message_id and then in m.plain_text(), 0
        )

    async def expect(self, predicate: Callable[[SentMessage], bool], after: int) -> SentMessage:
        """Wait for a matching bot message, however many restarts it takes, up to the wait."""
        try:
            return await self.emu.wait_for_message(
                self.uid, predicate, after=after, timeout=self.wait
            )
        except TimeoutError:
            raise Stuck(self.transcript()) from None

    def transcript(self) -> str:
        """Describe the citizen's last actions and the chat, to find out what went wrong."""
        chat = [
            f"#{m.message_id}/{m.edits}: {m.plain_text()[:60]!r} {m.button_labels()[:3]}"
            for m in self.emu.messages(self.uid)
        ]
        return f"last actions {self.trace[-4:]}; chat {chat[-6:]}"
