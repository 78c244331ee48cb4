"""Claims per chat across a fleet of workers on one PostgreSQL (docs/postgres.md).

Every worker hands on to its Application the pending updates of the chats it holds, and only
those: a chat is held by one worker at a time, under a lease the worker renews, so a chat's
updates run in order across the fleet and different chats run in parallel. A worker claims
chats with pending updates that nobody holds (or whose holder let the lease run out: it died,
and its chat's pending updates are replayed, their attempts counted, as after a restart), and
gives a chat back once it has handled every pending update of it. What a handler writes
commits only if its chat is still the worker's, checked in the same transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable

from telegram import Bot, Update

from bot.runtime.chat_order import chat_key
from bot.runtime.flood_gate import FloodGate
from bot.runtime.inbox import MAX_REPLAYS, ClaimLost, Inbox, InboxQueue
from bot.runtime.logs import Throttled
from storage.backend import DATABASE_ERRORS, Store
from storage.claims import NO_CHAT, Claimed
from storage.clock import iso
from storage.inbox import InboxEntry, InboxRepository
from storage.repositories import Repositories
from storage.unit import retried

log = logging.getLogger(__name__)

# A chat whose holder has not renewed its claim for this long is taken over by another worker.
LEASE_SECONDS = 15.0
HEARTBEAT_SECONDS = 4.0
# How often a worker looks for chats nobody holds when no one tells it of new ones.
LOOK_EVERY_SECONDS = 1.0
# Updates the receiving worker keeps to hand on without reading them back (if it claims them).
STORED_KEPT = 10_000


def claim_key(update: object) -> int:
    """The key a chat is claimed under: its chat (or user) id, NO_CHAT for neither."""
    key = chat_key(update)
    return NO_CHAT if key is None else key


class ChatClaims:
    """Claim chats with pending updates, hand their updates on in order, renew, give back."""

    def __init__(
        self, db: Store, inbox: Inbox, worker: str, capacity: int,
        tell_fleet: Callable[[], Awaitable[object]] | None = None, *, alone: bool = False,
    ) -> None:  # fmt: skip
        self._db = db
        self._inbox = inbox
        self.worker = worker
        self._capacity = capacity
        # Told when this worker had more chats to claim than room: another may take them.
        self._tell_fleet = tell_fleet
        # Chats held: the claim's epoch, and how many of its updates are handed on, not done.
        self._held: dict[int, tuple[int, int]] = {}
        self._handed_ids: dict[int, set[int]] = {}  # chat: the entries handed on
        self._handed: dict[int, tuple[int, int]] = {}  # entry id: (chat, epoch)
        self._epochs = itertools.count(1)
        self._stored: OrderedDict[int, Update] = OrderedDict()
        # A worker that starts alone finds what the fleet's last run left pending: replays when
        # it begins them, their attempts counted, as after a restart on SQLite (None: not
        # looked yet). Joining a running fleet, unclaimed updates are new ones; a dead
        # worker's are found by their claims, taken over.
        self._leftovers_up_to: int | None = None if alone else 0
        self._wake = asyncio.Event()
        self._round_lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._bot: Bot | None = None
        self._hand_on: Callable[[Update], Awaitable[None]] | None = None
        self._failing = Throttled(log, "could not claim chats or renew their leases")
        self.handed_on = 0  # updates handed on so far (what this worker handled, or began)
        # From now on, what this worker stores waits for a claim (a webhook may already post).
        inbox.claims = self

    def start(self, bot: Bot, hand_on: Callable[[Update], Awaitable[None]]) -> None:
        """Start claiming (and renewing): `hand_on` queues an update for the Application."""
        self._bot, self._hand_on = bot, hand_on
        self.kick()  # what earlier runs left pending is looked for at once, not a second later
        self._tasks = [
            asyncio.create_task(self._claiming(), name="chat-claims"),
            asyncio.create_task(self._renewing(), name="chat-leases"),
        ]

    async def halt(self) -> None:
        """Stop claiming chats and renewing leases (the worker is stopping)."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def stop(self) -> None:
        """Stop claiming; give back the chats that are done, end the lease of the others."""
        await self.halt()
        try:
            async with (
                self._inbox.marks.writing() as write_marks,
                self._db.transaction() as repos,
            ):
                await write_marks(repos)
                done = self._finished(await repos.claims.pending_of(self.worker))
                await repos.claims.release(self.worker, done)
                await repos.claims.expire(self.worker)
        except DATABASE_ERRORS as exc:  # the leases run out on their own
            log.warning("could not give back the chats held: %s", type(exc).__name__)
        self._held.clear()

    def kick(self) -> None:
        """Look for work now (new updates stored, a chat done)."""
        self._wake.set()

    def stored(self, entries: list[tuple[Update, int]]) -> None:
        """Keep updates just stored, to hand them on without reading them back; look now."""
        for update, entry_id in entries:
            self._stored[entry_id] = update
        while len(self._stored) > STORED_KEPT:
            self._stored.popitem(last=False)
        self.kick()

    def holds(self, entry_id: int) -> bool:
        """Tell whether the entry's chat is still held under the claim it was handed on in."""
        handed = self._handed.get(entry_id)
        if handed is None:
            return True  # not one of the claims' (nothing to check)
        chat, epoch = handed
        held = self._held.get(chat)
        return held is not None and held[0] == epoch

    async def guard(self, repos: Repositories, entry_id: int) -> None:
        """Raise ClaimLost unless the chat is still this worker's (checked as it commits)."""
        handed = self._handed.get(entry_id)
        if handed is None:
            return
        if not self.holds(entry_id) or not await repos.claims.holds(self.worker, handed[0]):
            raise ClaimLost(handed[0])

    def finished(self, entry_id: int) -> None:
        """Count a handed-on entry done; a chat with none left is given back at the next look."""
        handed = self._handed.pop(entry_id, None)
        if handed is None:
            return
        chat, epoch = handed
        held = self._held.get(chat)
        if held is not None and held[0] == epoch:
            self._held[chat] = (epoch, held[1] - 1)
            if held[1] <= 1:
                self.kick()

    async def settled(self) -> bool:
        """Look once now; tell whether nothing is left to hand on and no chat is held."""
        handed = await self._look()
        return handed == 0 and not self._held

    async def _claiming(self) -> None:
        while True:
            # Not asyncio.wait_for: Python 3.11's swallows a cancel that comes just after a
            # kick, and this loop would outlive the worker's stop (halt() would wait forever).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(LOOK_EVERY_SECONDS):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self._look()
            except DATABASE_ERRORS:
                self._failing.note()
                await asyncio.sleep(LOOK_EVERY_SECONDS)

    async def _look(self) -> int:
        """Claim free chats, hand on what is new in the chats held, give back finished ones."""
        async with self._round_lock:
            room = self._capacity - len(self._held)
            claimed, pending, done = await retried(lambda alone: self._claim_round(room, alone))
            # Committed: only now does this worker hold (and no longer hold) those chats.
            self._forget(done)
            for found in claimed:  # a chat claimed anew: its earlier handing-on is void
                self._held[found.chat] = (next(self._epochs), 0)
                self._handed_ids[found.chat] = set()
            if room > 0 and len(claimed) == room and self._tell_fleet is not None:
                await self._tell_fleet()
            return await self._hand_on_new(pending, {c.chat for c in claimed if c.taken_over})

    async def _claim_round(
        self, room: int, alone: bool
    ) -> tuple[list[Claimed], list[InboxEntry], list[int]]:
        """Claim free chats, read what the chats held have pending, give back finished ones.

        Beside updates' units of work unless `alone`: two workers that claim one chat, or a
        claim and a unit that reads it, conflict, and one of the two is tried again.
        """
        async with (
            self._inbox.marks.writing() as write_marks,
            self._db.transaction(concurrent=not alone) as repos,
        ):
            claimed = await repos.claims.claim_free(self.worker, LEASE_SECONDS, room) if (
                room > 0) else []  # fmt: skip
            if self._leftovers_up_to is None:
                self._leftovers_up_to = await repos.claims.last_entry()
            now = iso(self._db.now())
            chats = [c.chat for c in claimed]
            if claimed and await repos.claims.abandon_exhausted(chats, MAX_REPLAYS, now):
                log.warning("gave up on update(s) replayed %d times", MAX_REPLAYS)
            # The marks first: a chat is given back only once none of its updates is pending,
            # so that no round finds one still pending after it was handled, claims the chat
            # again and hands the update on once more.
            await write_marks(repos)
            pending = await repos.claims.pending_of(self.worker)
            done = self._finished(pending)
            await repos.claims.release(self.worker, done)
        return claimed, pending, done

    def _finished(self, pending: list[InboxEntry]) -> list[int]:
        """The chats held with nothing under way and nothing pending (a handled update whose
        mark is not written yet is still pending: its chat is kept until it is)."""
        waiting = {claim_key_of(entry) for entry in pending}
        return [chat for chat, (_, busy) in self._held.items()
                if busy <= 0 and chat not in waiting]  # fmt: skip

    def _forget(self, chats: Iterable[int]) -> None:
        for chat in chats:
            self._held.pop(chat, None)
            self._handed_ids.pop(chat, None)

    async def _hand_on_new(self, pending: list[InboxEntry], taken: set[int]) -> int:
        handed = replays = 0
        unreadable: list[int] = []
        for entry in pending:
            chat = claim_key_of(entry)
            held = self._held.get(chat)
            # Not while a copy handed on under an earlier claim of the chat is still under way:
            # it gives up (its claim is void), and the next look hands the entry on again.
            if held is None or entry.id in self._handed:
                continue
            handed_ids = self._handed_ids.setdefault(chat, set())
            if entry.id in handed_ids:
                continue
            handed_ids.add(entry.id)
            replayed = chat in taken or entry.id <= (self._leftovers_up_to or 0)
            stored = self._stored.pop(entry.id, None)
            update = self._inbox.adopt(entry, self._bot, stored, replayed=replayed)
            if update is None:
                unreadable.append(entry.id)  # this version cannot read it: keep it, stop trying
                continue
            if self._hand_on is None:
                continue
            self._held[chat] = (held[0], held[1] + 1)
            self._handed[entry.id] = (chat, held[0])
            await self._hand_on(update)
            handed += 1
            self.handed_on += 1
            replays += replayed
        if replays:
            log.info("replaying %d update(s) left pending by an earlier run", replays)
        if unreadable:
            async with self._db.transaction() as repos:
                await InboxRepository(repos.conn).abandon(unreadable, iso(self._db.now()))
        return handed

    async def _renewing(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                await self._renew()
            except DATABASE_ERRORS:
                self._failing.note()

    async def _renew_leases(self, alone: bool) -> set[int]:
        async with self._db.transaction(concurrent=not alone) as repos:
            still = await repos.claims.renew(self.worker, LEASE_SECONDS)
            # Claimed by a look whose transaction failed after this worker forgot them
            # (or before it knew of them): nobody would ever give them back.
            stray = [chat for chat in still if chat not in self._held]
            await repos.claims.release(self.worker, stray)
        return still

    async def _renew(self) -> None:
        """Extend the leases; forget chats taken over, give back claims held in vain."""
        async with self._round_lock:
            still = await retried(self._renew_leases)
            lost = [chat for chat in self._held if chat not in still]
            self._forget(lost)
            if lost:
                log.warning("%d chat(s) were taken over by other workers", len(lost))


def claim_key_of(entry: InboxEntry) -> int:
    """The key an entry's chat is claimed under."""
    return NO_CHAT if entry.chat_key is None else int(entry.chat_key)


class FleetQueue(InboxQueue):
    """The Application's update queue on a fleet: an update is stored, then handed on by the
    worker that claims its chat (this one, or another)."""

    claims: ChatClaims | None = None

    def __init__(self, inbox: Inbox, gate: FloodGate | None = None) -> None:
        super().__init__(inbox)
        self._gate = gate

    async def put(self, item: object) -> None:
        """Store an update (the claims hand it on); queue anything else."""
        if isinstance(item, Update):
            await self.inbox.admit(item)
            if self._gate is not None:
                # Another worker may handle it, unseen here: the gate bounds each sender's
                # rate on a fleet, not the chat's backlog (docs/postgres.md).
                self._gate.finished(item)
            return
        await asyncio.Queue.put(self, item)

    async def hand_on(self, update: Update) -> None:
        """Queue an update of a claimed chat (already stored)."""
        await asyncio.Queue.put(self, update)

    async def settled(self) -> bool:
        """Look for work once now; tell whether none is left for this worker."""
        return self.claims is None or await self.claims.settled()
