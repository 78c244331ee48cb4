"""The cache of where each participant is reached mirrors what is committed: forgetting them
in a unit of work holds, even after what that unit remembered earlier (their own update's chat,
stored as it began: an erasure, a block)."""

from __future__ import annotations

import pytest

from bot.services import Services
from storage.backend import Store

USER = 4242


@pytest.mark.parametrize("how", ["erased", "blocked"])
async def test_a_participant_forgotten_in_the_unit_that_stored_them_is_stored_again(
    db: Store, services: Services, how: str
) -> None:
    people = services.participants
    async with db.unit_of_work():
        pid = await people.register(USER, USER)  # not known yet: stored, and remembered
        if how == "erased":
            async with db.transaction() as repos:  # as an erasure does
                await repos.conn.execute("DELETE FROM delivery WHERE participant_id = ?", (pid,))
            people.forget(pid)
        else:
            await people.mark_blocked(pid)
    await people.register(USER, USER)  # their next message
    assert await people.chat_of(pid) == USER, "stored again, reachable"
