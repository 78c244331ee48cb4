"""Knowing who is taking part, under a pseudonym, and where to write back to them."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from bot.hearing.privacy import pseudonym, staff_pseudonym
from bot.model.values import Language
from storage.backend import Store
from storage.unit import when_committed

KNOWN_CACHE_SIZE = 50_000


class Participants:
    """Register participants on first contact; keep their chat for replies."""

    def __init__(self, db: Store, secret: str) -> None:
        self.db = db
        self.secret = secret
        # Participants already stored with this chat: skips a write on every update.
        self._known: OrderedDict[str, int] = OrderedDict()
        # Chosen languages (None: not chosen), read on every update and for every message sent
        # outside one: kept to spare a read. Every choice goes through set_language below.
        self._languages: OrderedDict[str, Language | None] = OrderedDict()

    def identify(self, user_id: int) -> str:
        """Return the pseudonymous participant id of a Telegram user."""
        return pseudonym(self.secret, user_id)

    def staff_id(self, participant_id: str) -> str:
        """Return the pseudonym a participant's staff actions are shown under."""
        return staff_pseudonym(self.secret, participant_id)

    async def register(self, user_id: int, chat_id: int) -> str:
        """Make sure the participant and their private chat are stored; return the id."""
        pid = self.identify(user_id)
        if self._known.get(pid) == chat_id:
            self._known.move_to_end(pid)
            return pid
        async with self.db.transaction() as repos:
            await repos.participants.ensure(pid)
            await repos.delivery.upsert(pid, chat_id)
        when_committed(lambda: self._remember_chat(pid, chat_id))
        return pid

    def _remember_chat(self, pid: str, chat_id: int) -> None:
        self._known[pid] = chat_id
        if len(self._known) > KNOWN_CACHE_SIZE:
            self._known.popitem(last=False)

    async def mark_blocked(self, pid: str) -> None:
        """Stop writing to a participant who blocked the bot, until they write to it again."""
        async with self.db.transaction() as repos:
            await repos.delivery.mark_blocked(pid)
        # Forgotten, so that their next message stores the chat again and clears the block.
        self._forget_chat(pid)

    def forget(self, pid: str) -> None:
        """Drop a participant from the cache, so that their next update stores them again."""
        self._forget_chat(pid)
        self._languages.pop(pid, None)
        when_committed(lambda: self._drop(self._languages, pid))

    def _forget_chat(self, pid: str) -> None:
        self._known.pop(pid, None)
        # Again once committed: after what the unit of work remembered before (its update's
        # own chat, stored as it began), which would otherwise come back.
        when_committed(lambda: self._drop(self._known, pid))

    @staticmethod
    def _drop(cache: OrderedDict[str, Any], pid: str) -> None:
        cache.pop(pid, None)

    async def language_of(self, pid: str) -> Language | None:
        """Return the language a participant chose, or None if they have not chosen one."""
        if pid in self._languages:
            self._languages.move_to_end(pid)
            return self._languages[pid]
        async with self.db.reading() as repos:
            stored = Language.stored(await repos.participants.language(pid))
        when_committed(lambda: self._remember_language(pid, stored))
        return stored

    async def languages_of(self, pids: list[str]) -> dict[str, Language]:
        """Return the chosen language of each of these participants who chose one."""
        async with self.db.reading() as repos:
            stored = await repos.participants.languages(pids)
        return {pid: Language(language) for pid, language in stored.items()}

    async def set_language(self, pid: str, language: Language) -> None:
        """Record the language a participant chose for the hearing."""
        async with self.db.transaction() as repos:
            await repos.participants.ensure(pid)
            await repos.participants.set_language(pid, language)
        when_committed(lambda: self._remember_language(pid, language))

    def _remember_language(self, pid: str, language: Language | None) -> None:
        self._languages[pid] = language
        self._languages.move_to_end(pid)
        if len(self._languages) > KNOWN_CACHE_SIZE:
            self._languages.popitem(last=False)

    async def chat_of(self, pid: str) -> int | None:
        """Return where to write to a participant, or None if they cannot be reached."""
        async with self.db.reading() as repos:
            return await repos.delivery.chat_id(pid)

    async def set_updates(self, pid: str, wanted: bool) -> None:
        """Turn the drafters' broadcasts on or off for a participant."""
        async with self.db.transaction() as repos:
            await repos.delivery.set_updates(pid, wanted)

    async def wants_updates(self, pid: str) -> bool:
        """Tell whether a participant receives the drafters' broadcasts."""
        async with self.db.reading() as repos:
            return await repos.delivery.wants_updates(pid)
