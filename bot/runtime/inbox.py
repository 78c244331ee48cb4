"""The durable inbox: store each update before python-telegram-bot confirms it to Telegram."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from telegram import Bot, Update
from telegram.error import TelegramError

from bot.model.clock import Clock
from bot.runtime.chat_order import chat_key
from bot.runtime.marks import DUPLICATE_WINDOW, PRUNE_EVERY, Marks
from bot.runtime.replies import Kept, Post, decode, deliver, encode, recording
from bot.runtime.wellformed import admitted
from storage.backend import DATABASE_ERRORS, Store
from storage.clock import iso
from storage.inbox import InboxEntry, InboxRepository
from storage.repositories import Repositories
from storage.unit import WriteConflict, retried

log = logging.getLogger(__name__)

# An update still pending after this many replays is taken to be what crashes the bot. Only a
# replay that began handling the update counts: one still waiting its turn when the bot was
# stopped again did nothing that could have crashed it (a backlog killed three times over
# before it was reached would otherwise be abandoned, and lost; the crash test found that).
MAX_REPLAYS = 3
# Confirming what polling fetched can fail at Telegram's end or at the database's.
_CONFIRM_ERRORS: tuple[type[BaseException], ...] = (TelegramError, *DATABASE_ERRORS)


class InboxUnavailable(TelegramError):
    """The inbox cannot store an update, so it must not be confirmed."""

    # A TelegramError, because python-telegram-bot's polling loop retries those (refetching the
    # unconfirmed batch) and lets any other exception end polling for good; a webhook answers
    # an error, so Telegram retries.


class ClaimLost(Exception):
    """Another worker of the fleet took this update's chat over: it must not be handled here."""


class Claims(Protocol):
    """A fleet's claims per chat (bot/runtime/claims.py), as the inbox consults them."""

    def holds(self, entry_id: int) -> bool:
        """Tell whether this worker may still handle the entry (its chat is still its own)."""

    async def guard(self, repos: Repositories, entry_id: int) -> None:
        """Raise ClaimLost, inside the transaction about to commit, if the chat was taken over."""

    def finished(self, entry_id: int) -> None:
        """Note that a handed-on entry is done with (handled, or given up here)."""

    def stored(self, entries: list[tuple[Update, int]]) -> None:
        """Take note of updates just stored, to hand them on once their chat is claimed."""


def payload_of(update: Update, keep_phone: bool = False) -> str:
    """Serialise an update as the inbox stores it: JSON that Update.de_json reads back."""
    return admitted(update, keep_phone)[1]


class Inbox:
    """Record updates durably, drop duplicates, mark them handled and replay leftovers."""

    def __init__(
        self,
        db: Store,
        clock: Clock | None = None,
        prune_every: int = PRUNE_EVERY,
        keep_phone: bool = False,
    ) -> None:
        self._db = db
        self._clock = db.now if clock is None else clock
        self._keep_phone = keep_phone  # the eligibility check reads a shared contact's number
        self._last_seen: int | None = None
        # Entry ids of dispatched updates, found again by identity: ids are not unique enough.
        self._in_flight: dict[int, list[tuple[Update, int]]] = {}
        # Entries handled, whose "handled" mark is not written yet.
        self.marks = Marks(db, self._clock, prune_every)
        # Replies an earlier run committed with their effects and may not have sent in full.
        self._kept: dict[int, tuple[Kept, int]] = {}
        self.post: Post | None = None
        # Whether the transport says when a request's body is about to leave (aiohttp's does):
        # then a message is marked begun at that moment, not before its request is built.
        self.marks_at_write = False
        self._replayed: set[int] = set()
        self._arrivals: list[tuple[Update, asyncio.Future[Update | None]]] = []
        self._storer: asyncio.Task[None] | None = None
        self._prerecorded: dict[int, tuple[Update, Update, int | None]] = {}
        # On a fleet (PostgreSQL), a stored update is handled once its chat is claimed, by
        # whichever worker claims it; None: this process handles every update it stores.
        self.claims: Claims | None = None

    async def record(self, update: Update) -> bool:
        """Store an update as pending; return False (store nothing) if it is a duplicate."""
        return await self.admit(update) is not None

    async def admit(self, update: Update) -> Update | None:
        """Store an update (mended, serialised once) as pending and return it; None if a duplicate.

        Concurrent calls (webhook requests) share one transaction: group commit.
        """
        known = self._prerecorded.pop(id(update), None)
        if known is not None and known[0] is update:
            return known[1] if known[2] is not None else None
        arrival: asyncio.Future[Update | None] = asyncio.get_running_loop().create_future()
        self._arrivals.append((update, arrival))
        if self._storer is None or self._storer.done():
            self._storer = asyncio.create_task(self._store_arrivals())
        return await arrival

    async def record_batch(self, updates: Sequence[Update]) -> None:
        """Store a getUpdates batch in one transaction before it is confirmed.

        Raise InboxUnavailable if it cannot be stored (the batch is then fetched again);
        admit() afterwards queues each update of the batch without writing again.
        """
        entries = await self._store(updates)
        for original, (update, entry_id) in zip(updates, entries, strict=True):
            # Keyed by identity: the same object comes back through the update queue's put().
            self._prerecorded[id(original)] = (original, update, entry_id)

    async def _store_arrivals(self) -> None:
        while self._arrivals:
            batch, self._arrivals = self._arrivals, []
            try:
                entries = await self._store([update for update, _ in batch])
            except InboxUnavailable as exc:
                for _, arrival in batch:
                    if not arrival.done():
                        arrival.set_exception(exc)
                continue
            for (_, arrival), (update, entry_id) in zip(batch, entries, strict=True):
                if not arrival.done():
                    arrival.set_result(update if entry_id is not None else None)

    async def _store(self, updates: Sequence[Update]) -> list[tuple[Update, int | None]]:
        """Store updates as pending in one transaction; pair each (mended) with its entry."""
        mended = [admitted(update, self._keep_phone) for update in updates]
        rows = [(u.update_id, chat_key(u), payload) for u, payload in mended]
        now = self._clock()

        async def store(alone: bool) -> list[int | None]:
            async with (
                self.marks.writing() as write_marks,
                self._db.transaction(concurrent=not alone) as repos,
            ):
                entries = await InboxRepository(repos.conn).add_batch(
                    rows, received_at=iso(now), since=iso(now - DUPLICATE_WINDOW)
                )
                if alone:
                    await write_marks(repos)
                return entries

        try:
            entries = await retried(store)
        except DATABASE_ERRORS as exc:
            raise InboxUnavailable(f"the inbox cannot store updates: {exc}") from exc
        stored, fresh = [], []
        for (update, _), entry_id in zip(mended, entries, strict=True):
            self._last_seen = update.update_id
            if entry_id is None:
                log.info("dropped an update delivered twice")
            elif self.claims is None:
                self._track(update, entry_id)
            else:
                fresh.append((update, entry_id))
            stored.append((update, entry_id))
        if self.claims is not None and fresh:
            self.claims.stored(fresh)
        return stored

    async def complete(self, update: object) -> None:
        """Mark a dispatched update handled, with the next write (or shortly, on its own).

        Nothing waits for it: a mark lost in a crash only makes the update replayed, and a
        replay repeats no effect, and no message (bot/runtime/replies.py). Marks are written
        in the order they were made, so a later update of a chat is never marked before an
        earlier one.
        """
        entry_id = self._untrack(update) if isinstance(update, Update) else None
        if entry_id is None:
            return
        if self.claims is not None:
            self.claims.finished(entry_id)
        self.marks.add(entry_id)

    async def flush(self) -> None:
        """Write every mark still waiting (before stopping, or before counting)."""
        await self.marks.flush()

    async def handle(
        self,
        update: object,
        handling: Awaitable[Any],
        again: Callable[[], Awaitable[Any]] | None = None,
    ) -> None:
        """Handle a stored update: its effects, "handled" and its reply in one transaction.

        Then send the reply. An update whose effects an earlier run committed is not handled
        again: the reply that run kept is sent (what it had not begun to send). Given `again`
        (the same handling, anew), the transaction runs beside other chats' (docs/postgres.md,
        Transactions); if it conflicts with one, it is undone and `again` runs alone.
        """
        entry_id = self._entry_of(update)
        if entry_id is None or self.post is None:
            await handling
            return
        if self.claims is not None and not self.claims.holds(entry_id):
            handling.close()  # type: ignore[attr-defined]
            self._give_up(update, self.claims)  # its chat was taken over: its holder handles it
            return
        try:
            await self._handle_entry(entry_id, update, handling, again)
        except ClaimLost:
            if self.claims is not None:
                self._give_up(update, self.claims)  # rolled back: the chat's holder handles it
            log.warning("a chat was taken over by another worker while an update ran here")

    def _give_up(self, update: object, claims: Claims) -> None:
        """Leave an update to the worker that took its chat over: never marked handled here."""
        entry_id = self._untrack(update) if isinstance(update, Update) else None
        if entry_id is not None:
            claims.finished(entry_id)

    async def _handle_entry(
        self,
        entry_id: int,
        update: object,
        handling: Awaitable[Any],
        again: Callable[[], Awaitable[Any]] | None,
    ) -> None:
        kept = self._kept.pop(entry_id, None)
        if kept is not None:
            handling.close()  # type: ignore[attr-defined]
            reply, begun = kept
        elif again is None:
            reply, begun = await self._handle_once(entry_id, update, handling, False), 0
        else:
            try:
                reply = await self._handle_once(entry_id, update, handling, True)
            except WriteConflict as exc:
                # Undone whole, its reply unsent: run again alone, where nothing conflicts.
                log.info("an update was undone and is handled again, alone: %s", exc)
                reply = await self._handle_once(entry_id, update, again(), False)
            begun = 0
        post = self.post
        if post is None:
            return
        mark = lambda bit, on: self._mark(entry_id, bit, on)  # noqa: E731
        await deliver(reply, post, mark, begun, at_write=self.marks_at_write)

    async def _handle_once(
        self, entry_id: int, update: object, handling: Awaitable[Any], concurrent: bool
    ) -> Kept:
        async with self.marks.writing() as write_marks, self._db.unit_of_work(concurrent) as unit:
            with recording(chat_key(update)) as recorded:
                await handling
            if unit.conflicted:
                # The handler met it, and python-telegram-bot's error handler took it.
                raise WriteConflict(unit.why)
            reply = recorded.kept()
            # On a fleet, what the handler wrote commits only while the chat is still this
            # worker's (checked in the same transaction): never beside its new holder's.
            if reply.calls or (self.claims is not None and unit.open):
                stored = encode(reply) if reply.calls else None
                await self._db.finish(
                    unit,
                    lambda repos: self._keep(repos, entry_id, stored, write_marks, concurrent),
                    always=any(not call.idempotent for call in reply.calls),
                )
        return reply

    async def recover(self, bot: Bot | None) -> list[Update]:
        """Prune old entries and return the updates an earlier run left pending, in order."""
        now = self._clock()
        async with self._db.transaction() as repos:
            inbox = InboxRepository(repos.conn)
            await self.marks.prune(inbox, now)
            abandoned = await inbox.abandon_exhausted(MAX_REPLAYS, iso(now))
            entries = await inbox.pending()
        if abandoned:
            log.warning(
                "gave up on %d update(s) still pending after %d replays", abandoned, MAX_REPLAYS
            )
        updates, unreadable = [], []
        for entry in entries:
            update = self.adopt(entry, bot)
            if update is None:
                unreadable.append(entry.id)
            else:
                updates.append(update)
        if unreadable:
            async with self._db.transaction() as repos:
                await InboxRepository(repos.conn).abandon(unreadable, iso(now))
        return updates

    def adopt(
        self, entry: InboxEntry, bot: Bot | None, update: Update | None = None,
        *, replayed: bool = True,
    ) -> Update | None:  # fmt: skip
        """Take on a stored entry to handle it (decoded, unless given), with any reply an earlier
        run kept; a replay's attempts are counted. None if this version cannot read it."""
        try:
            if update is None:
                update = Update.de_json(json.loads(entry.payload or ""), bot)
            kept = None if entry.reply is None else decode(entry.reply)
        except Exception as exc:  # a payload this version cannot read: keep it, stop trying
            log.error("cannot read a pending update: %s", type(exc).__name__)
            return None
        self._track(update, entry.id)
        if replayed:
            self._replayed.add(entry.id)
        if kept is not None:
            self._kept[entry.id] = (kept, entry.reply_begun)
        return update

    async def tidy(self) -> None:
        """Prune old entries (what a start-up does before it replays anything)."""
        async with self._db.transaction() as repos:
            await self.marks.prune(InboxRepository(repos.conn), self._clock())

    async def starting(self, update: object) -> None:
        """Count a replayed update's attempt durably before it is handled again."""
        entry_id = self._entry_of(update)
        if entry_id is None or entry_id not in self._replayed:
            return
        self._replayed.discard(entry_id)
        async with self._db.transaction() as repos:
            await InboxRepository(repos.conn).count_attempt(entry_id)

    async def confirm_polled(self, bot: Bot) -> None:
        """Once polling has stopped, confirm what it fetched and note that Telegram forgot it."""
        # python-telegram-bot's own final getUpdates does the same but hides a failure; here a
        # failure leaves the entries unconfirmed, so the window still catches a redelivery.
        if self._last_seen is None:
            return
        try:
            await bot.get_updates(offset=self._last_seen + 1, timeout=0, limit=1)
            async with self._db.transaction() as repos:
                await InboxRepository(repos.conn).confirm_through(
                    self._last_seen, iso(self._clock())
                )
        except _CONFIRM_ERRORS as exc:
            log.warning("could not confirm the last updates: %s", type(exc).__name__)

    def _track(self, update: Update, entry_id: int) -> None:
        self._in_flight.setdefault(update.update_id, []).append((update, entry_id))

    def _entry_of(self, update: object) -> int | None:
        if not isinstance(update, Update):
            return None
        for candidate, entry_id in self._in_flight.get(update.update_id, []):
            if candidate is update:
                return entry_id
        return None

    def _untrack(self, update: Update) -> int | None:
        tracked = self._in_flight.get(update.update_id, [])
        for index, (candidate, entry_id) in enumerate(tracked):
            if candidate is update:
                del tracked[index]
                if not tracked:
                    del self._in_flight[update.update_id]
                return entry_id
        return None

    async def _keep(
        self,
        repos: Repositories,
        entry_id: int,
        reply: str | None,
        write_marks: Callable[[Repositories], Awaitable[None]],
        concurrent: bool,
    ) -> None:
        if self.claims is not None:
            await self.claims.guard(repos, entry_id)
        if reply is not None:
            await InboxRepository(repos.conn).keep_reply(entry_id, reply)
        if not concurrent:  # beside other chats' units, rows of theirs would widen conflicts
            await write_marks(repos)

    async def _mark(self, entry_id: int, bit: int, begun: bool) -> None:
        """Record durably that a call of an entry's reply was begun (its bit), or, once it
        failed without reaching Telegram, that it was not; with the waiting "handled" marks.

        Written at once, not group-committed: a message goes out right after its mark, and
        every moment between the two is one in which a kill leaves it unsent for good.
        """
        try:
            await retried(lambda alone: self._mark_once(entry_id, bit, begun, alone))
        except DATABASE_ERRORS as exc:
            # A message must not be sent when a replay could not know it was.
            raise InboxUnavailable(f"cannot mark a reply of entry {entry_id}: {exc}") from exc

    async def _mark_once(self, entry_id: int, bit: int, begun: bool, alone: bool) -> None:
        async with (
            self.marks.writing() as write_marks,
            self._db.transaction(concurrent=not alone) as repos,
        ):
            if self.claims is not None:
                await self.claims.guard(repos, entry_id)
            await InboxRepository(repos.conn).mark_begun(entry_id, bit, begun)
            if alone:
                await write_marks(repos)


class InboxQueue(asyncio.Queue[object]):
    """The Application's update queue: an update is stored before put() returns, or dropped."""

    # python-telegram-bot awaits put() for every update of a getUpdates batch before asking for
    # the next batch (whose offset confirms this one), and its webhook handler awaits put()
    # before answering 200, so an update is durable before Telegram forgets it.

    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self.inbox = inbox

    async def put(self, item: object) -> None:
        """Record an update in the inbox, then queue it; drop it if it is a duplicate."""
        if isinstance(item, Update):
            admitted = await self.inbox.admit(item)
            if admitted is None:
                return
            item = admitted
        await super().put(item)

    async def replay_pending(self, bot: Bot) -> int:
        """Queue the updates an earlier run stored but did not finish; return how many."""
        updates = await self.inbox.recover(bot)
        for update in updates:
            await super().put(update)  # already in the inbox: not recorded (nor dropped) again
        if updates:
            log.info("replaying %d update(s) left pending by an earlier run", len(updates))
        return len(updates)
