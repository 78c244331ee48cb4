"""The fleet end to end: three `hearing-bot run` processes on one PostgreSQL, tens of citizens
talking at once, the workers SIGKILLed and restarted in turn, PostgreSQL itself restarted once
mid-run. Then: every citizen's answers stored once (nothing lost, nothing doubled), every
chat's burst of updates answered in order, nothing left pending or given up, the digest sent
once however often the scheduler's role moved, and a broadcast sent once each within
Telegram's rate by the fleet as a whole (docs/postgres.md, Several workers).

The worker process is the crash-restart test's (tests/test_crash_restart.py); the citizens are
scripted here as the crash test's are (benchmarks/crash_citizens.py, which tests may not
import), each action waiting for the bot's visible answer however many kills it takes.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.emulator import Emulator, SentMessage
from bot.hearing.digest_schedule import EPOCH_KEY
from bot.hearing.privacy import pseudonym
from storage.clock import iso
from storage.postgres import PostgresDatabase
from tests.harness import LINK_DATA, SECRET, rows
from tests.postgres_cluster import Cluster
from tests.test_crash_restart import BotProcess
from tests.test_digest_e2e import TITLE
from tests.test_postgres_restart_e2e import own_cluster  # noqa: F401 - a fixture

WORKERS = 3
CITIZENS = range(9600, 9630)
DRAFTER = 9599
ITEMS_EACH = 3
BURST = ("7", "8", "9")  # items a citizen opens in one burst, answered in this order
KILL_EVERY = 2.5
KILLS = 6
# Long enough for a killed worker's chats to be taken over (their lease, 15 s) and more.
WAIT = 90.0
RATE = 30  # Telegram's limit for the bot as a whole, messages a second
NEWS = "Fleet news: the hearing closes on Friday"


STANCES = ("👍 Support", "👎 Oppose", "🤔 Unsure")
PRIORITIES = ("High", "Medium", "Low")
STORED = {"👍 Support": "support", "👎 Oppose": "oppose", "🤔 Unsure": "unsure",
          "High": "high", "Medium": "medium", "Low": "low"}  # fmt: skip


@dataclass
class Sent:
    """What one citizen sent that must be stored exactly once."""

    user_id: int
    stances: dict[str, tuple[str, str]] = field(default_factory=dict)
    suggestions: list[tuple[str, str]] = field(default_factory=list)  # (item, text)
    stuck: str | None = None


class Citizen:
    """A scripted citizen: answers items, suggests on some; each action waits for its answer."""

    def __init__(self, emu: Emulator, user_id: int) -> None:
        self.emu = emu
        self.uid = user_id
        self.rng = random.Random(user_id)
        self.sent = Sent(user_id)
        self.burst_cards: list[str] = []  # the items of the burst's cards, in the order shown

    async def run(self) -> Sent:
        """Answer ITEMS_EACH items, suggesting on some, then open three items in one burst."""
        try:
            items = self.rng.sample(range(1, 21), ITEMS_EACH)
            for number, item in enumerate(items, start=1):
                # Not on the last: after a suggestion the bot shows the next item by itself,
                # which could come among the burst's cards.
                suggest = self.rng.random() < 0.4 and number < len(items)
                await self.answer(str(item), suggest)
            await self.burst()
        except TimeoutError:
            chat = [m.plain_text()[:50] for m in self.emu.messages(self.uid)[-4:]]
            self.sent.stuck = f"citizen {self.uid} got no answer; the chat ends with {chat}"
        return self.sent

    async def answer(self, item: str, suggest: bool) -> None:
        """Open an item by its link (past a newcomer's welcome), give a stance and priority."""
        # That item's card: the bot may show the next item by itself (after a suggestion).
        card = lambda m: is_card(m) and f"Item {item} of 20" in m.plain_text()  # noqa: E731
        shown = await self.say(f"/start item-{item}", lambda m: card(m) or welcome(m))
        if welcome(shown):
            after = self.emu.cursor(self.uid)
            self.emu.press(self.uid, shown.message_id, f"Open item {item}")
            shown = await self.expect(card, after)
        stance, priority = self.rng.choice(STANCES), self.rng.choice(PRIORITIES)
        await self.press(shown, stance, "How high a priority")
        await self.press(shown, priority, "Would you like to add a suggestion")
        self.sent.stances[item] = (STORED[stance], STORED[priority])
        if not suggest:
            return
        await self.press(shown, "✍️ Add a suggestion", "Send your suggestion")
        text = f"fleet suggestion by {self.uid} on item {item}, number {self.rng.random():.6f}"
        self.sent.suggestions.append((item, text))
        reply = await self.say(
            text, lambda m: text in m.plain_text() or "already suggested" in m.plain_text()
        )
        if "already suggested" in reply.plain_text():
            after = self.emu.cursor(self.uid)
            self.emu.press(self.uid, reply.message_id, "📝 Post mine anyway")
            await self.expect(lambda m: "is saved" in m.plain_text(), after)

    async def burst(self) -> None:
        """Open three items at once, without waiting in between: answered in this order."""
        after = self.emu.cursor(self.uid)
        for item in BURST:
            self.emu.send_message(self.uid, f"/start item-{item}")
        await self.emu.wait_until(
            lambda: len(burst_cards(self.emu.messages_since(self.uid, after))) >= len(BURST),
            timeout=WAIT,
        )
        self.burst_cards = burst_cards(self.emu.messages_since(self.uid, after))

    async def say(self, text: str, matches: Callable[[SentMessage], bool]) -> SentMessage:
        """Send a text and wait for the bot's answer to it."""
        after = self.emu.cursor(self.uid)
        self.emu.send_message(self.uid, text)
        return await self.expect(matches, after)

    async def press(self, message: SentMessage, label: str, then: str) -> None:
        """Press a button on a message and wait until that message shows `then`."""
        self.emu.press(self.uid, message.message_id, label)
        await self.expect(lambda m: m.message_id == message.message_id and then in m.plain_text())

    async def expect(self, matches: Callable[[SentMessage], bool], after: int = 0) -> SentMessage:
        """Wait for a matching bot message in the chat."""
        return await self.emu.wait_for_message(self.uid, matches, after=after, timeout=WAIT)


def welcome(message: SentMessage) -> bool:
    """Tell whether a message is the short welcome a newcomer sees after a shared link."""
    return any(data.startswith(LINK_DATA) for row in message.buttons() for _, data in row)


class Worker(BotProcess):
    """One `hearing-bot run` of the fleet, with a log of its own."""

    def __init__(self, emu: Emulator, workdir: Path, url: str, number: int) -> None:
        super().__init__(emu, workdir)
        self.log = workdir / f"worker{number}.log"
        self.env |= {"DATABASE_URL": url, "DRAFTER_IDS": str(DRAFTER), "LOG_LEVEL": "INFO",
                     "SUGGESTIONS_PER_HOUR": "1000"}  # fmt: skip
        self.starts = 0

    async def start(self) -> None:
        """Start the process (again)."""
        self.starts += 1
        await super().start()

    def running(self) -> bool:
        """Tell whether the process is alive."""
        return self.process is not None and self.process.returncode is None

    def started(self) -> int:
        """Count the times this worker said it was serving."""
        return self.log.read_text("utf-8").count("is running with") if self.log.exists() else 0


async def test_three_workers_lose_nothing_double_nothing_through_kills_and_a_restart(
    emu: Emulator,
    tmp_path: Path,
    own_cluster: Cluster,  # noqa: F811
) -> None:
    url = await own_cluster.fresh_database()
    async with PostgresDatabase(url) as db, db.transaction() as repos:
        # Digests were scheduled days ago: today's (or yesterday's) is due at once.
        await repos.digests.set_state_once(EPOCH_KEY, iso(db.now() - timedelta(days=3)))
    emu.meet(DRAFTER)
    workers = [Worker(emu, tmp_path, url, n) for n in range(WORKERS)]
    sends: list[tuple[float, int, str]] = []
    emu.observe(lambda method, params, _: sends.append(
        (time.monotonic(), int(params.get("chat_id", 0)), str(params.get("text", ""))))
        if method == "sendMessage" else None)  # fmt: skip
    try:
        for worker in workers:
            await worker.start()
        await wait_serving(workers)
        rng = random.Random(13)
        citizens = [Citizen(emu, uid) for uid in CITIZENS]
        talking = [asyncio.create_task(c.run()) for c in citizens]
        kills = await chaos(workers, own_cluster, rng, talking)
        sent = await asyncio.gather(*talking)
        assert all(w.running() for w in workers), "no worker stopped on its own"
        sending_from = len(sends)
        await broadcast(emu)
        await emu.wait_until(lambda: all(got(emu, u, NEWS) for u in CITIZENS), timeout=WAIT)
        await asyncio.sleep(1.0)  # anything sent twice would have come by now
        # An update a killed worker handled but had not marked done waits for its lease to
        # run out: then another worker takes the chat over and finds the reply it kept.
        await asyncio.wait_for(drained(url), timeout=WAIT)
        await wait_serving(workers)  # SIGTERM before its handler is set would just kill it
        for worker in workers:
            assert await worker.terminate() == 0, "SIGTERM stops a worker cleanly"
    finally:
        for worker in workers:
            if worker.running() and worker.process is not None:
                worker.process.kill()
                await worker.process.wait()
    assert kills == KILLS
    assert [c.sent.stuck for c in citizens if c.sent.stuck] == []
    await check_stored(url, sent)
    for citizen in citizens:
        assert citizen.burst_cards == list(BURST), f"{citizen.uid}: the burst out of order"
        assert got(emu, citizen.uid, NEWS) == 1, "the broadcast reached each citizen once"
    news = sorted(
        at for at, chat, text in sends[sending_from:] if NEWS in text and chat != DRAFTER
    )
    assert max(sum(1 for t in news if s <= t < s + 1.0) for s in news) <= RATE
    assert sum(TITLE in m.plain_text() for m in emu.messages(DRAFTER)) == 1, "one digest"


async def chaos(
    workers: list[Worker], cluster: Cluster, rng: random.Random, talking: list[asyncio.Task[Sent]]
) -> int:
    """SIGKILL the workers in turn and start each again; restart PostgreSQL once mid-way."""
    kills = 0
    while kills < KILLS:
        await asyncio.sleep(KILL_EVERY * rng.uniform(0.6, 1.4))
        victim = workers[kills % len(workers)]
        await victim.kill()
        kills += 1
        await asyncio.sleep(0.3)
        await victim.start()
        if kills == KILLS // 2:
            # Once every worker is serving (one still starting would find no server, and
            # stop: a server down at start is an error, exit 1).
            await wait_serving(workers)
            await asyncio.to_thread(cluster.pause)
            await asyncio.sleep(1.0)
            await asyncio.to_thread(cluster.resume)
    return kills


async def wait_serving(workers: list[Worker]) -> None:
    """Wait until every worker has said it serves as often as it was started."""
    await asyncio.wait_for(_serving(workers), timeout=WAIT)


async def _serving(workers: list[Worker]) -> None:
    # Their log files are all there is to watch: no event to wait on.
    while not all(w.started() >= w.starts for w in workers):  # noqa: ASYNC110
        await asyncio.sleep(0.1)


async def drained(url: str) -> None:
    """Wait until no update is pending in the shared inbox."""
    async with PostgresDatabase(url) as db:
        # The database is all there is to watch: no event to wait on.
        while await rows(db, "SELECT 1 FROM inbox WHERE status = 'pending' LIMIT 1"):  # noqa: ASYNC110
            await asyncio.sleep(0.5)


async def broadcast(emu: Emulator) -> None:
    """The drafter writes a broadcast and confirms it, through whichever worker has the chat."""
    after = emu.cursor(DRAFTER)
    emu.send_message(DRAFTER, "/broadcast")
    await emu.wait_for_message(DRAFTER, lambda m: "Send the update" in m.plain_text(),
                               after=after, timeout=WAIT)  # fmt: skip
    after = emu.cursor(DRAFTER)
    emu.send_message(DRAFTER, NEWS)
    confirm = await emu.wait_for_message(
        DRAFTER, lambda m: "This will go to" in m.plain_text(), after=after, timeout=WAIT
    )
    emu.press(DRAFTER, confirm.message_id, "📢 Send it")


def got(emu: Emulator, user: int, text: str) -> int:
    """Count the messages with this text in a chat."""
    return sum(text in m.plain_text() for m in emu.messages(user))


def is_card(message: SentMessage) -> bool:
    """Tell whether a message is an item's card (it offers the stances)."""
    return "👍 Support" in message.button_labels()


def burst_cards(messages: list[SentMessage]) -> list[str]:
    """The burst's items whose cards are among these messages, in the order they came."""
    shown = [m.plain_text() for m in messages if is_card(m)]
    return [item for text in shown for item in BURST if text.startswith(f"Item {item} of")]


async def check_stored(url: str, sent: list[Sent]) -> None:
    """Compare the database with what the citizens sent: nothing lost, nothing doubled."""
    async with PostgresDatabase(url) as db:
        stances = {(p, i): (s, r) for p, i, s, r in await rows(
            db, "SELECT participant_id, item_id, stance, priority FROM stances")}  # fmt: skip
        history = Counter(await rows(db, "SELECT participant_id, item_id FROM stance_history"))
        suggestions = Counter(
            await rows(db, "SELECT participant_id, item_id, text FROM suggestions")
        )
        inbox = dict(await rows(db, "SELECT status, COUNT(*) FROM inbox GROUP BY status"))
        claims = await rows(db, "SELECT COUNT(*) FROM chat_claims WHERE lease_until > now()")
    expected: Counter[tuple[object, ...]] = Counter()
    for citizen in sent:
        pid = pseudonym(SECRET, citizen.user_id)
        for item, answer in citizen.stances.items():
            assert stances.get((pid, item)) == answer, f"{citizen.user_id}: item {item} lost"
            assert history[(pid, item)] <= 2, "a stance and a priority, each recorded once"
        for item, text in citizen.suggestions:
            expected[(pid, item, text)] += 1
    assert suggestions == expected, "every suggestion stored exactly once, nothing else"
    assert set(inbox) == {"done"}, f"nothing pending or given up: {inbox}"
    # A killed worker's claims stay, their leases run out: a chat's next update takes it over.
    assert claims == [(0,)], "no chat held by a worker that stopped"
