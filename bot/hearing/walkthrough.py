"""The walkthrough: moving a citizen through the plan and recording their answers."""

from __future__ import annotations

from dataclasses import replace

from bot.hearing.plan import Item, Plan
from bot.hearing.walkthrough_model import (
    Answer,
    Finished,
    ItemView,
    Moved,
    Overview,
    View,
    Welcome,
)
from bot.model.records import ParticipantRecord
from bot.model.refusals import Refusal, Refused
from bot.model.values import Awaiting, Priority, Stance, Step
from storage.backend import Store
from storage.repositories import Repositories

__all__ = ["Answer", "Finished", "ItemView", "Moved", "Overview", "View", "Walkthrough", "Welcome"]


class Walkthrough:
    """Commands of the walkthrough; each validates, runs one transaction, returns a view."""

    def __init__(self, db: Store, plan: Plan) -> None:
        self.db = db
        self.plan = plan

    async def welcome(self, pid: str) -> Welcome:
        """Tell /start whether the citizen is new, part-way through, or finished."""
        async with self.db.reading() as repos:
            participant = await _participant(repos, pid)
            resume = None
            if participant.current_item and participant.step not in (Step.WELCOME, Step.FINISHED):
                at = self._resume_point(participant) or participant.current_item
                resume = await self._view(repos, pid, at, Step.STANCE)
        return Welcome(Step(participant.step), resume)

    async def is_new(self, pid: str) -> bool:
        """Tell whether the citizen has not begun (a shared link welcomes them first)."""
        return (await self.current(pid)).step == Step.WELCOME

    def top_item(self, item_id: str) -> Item:
        """Return a top-level item of the plan, refusing an unknown one."""
        return self._top_item(item_id)

    async def begin(self, pid: str) -> ItemView:
        """Start (or start over) at the first item; earlier answers stay until replaced."""
        return await self.open_item(pid, self.plan.items[0].id)

    async def resume(self, pid: str) -> View:
        """Show the item and step where the citizen stopped."""
        async with self.db.reading() as repos:
            participant = await _participant(repos, pid)
            if participant.step == Step.FINISHED:
                return Finished(await self._overview(repos, pid))
        if participant.current_item is None or participant.step == Step.WELCOME:
            return await self.begin(pid)
        if (back_to := self._resume_point(participant)) is not None:
            return await self.open_item(pid, back_to)
        async with self.db.reading() as repos:
            return await self._view(repos, pid, participant.current_item, Step(participant.step))

    async def current(self, pid: str) -> ParticipantRecord:
        """Return the citizen's stored position."""
        async with self.db.reading() as repos:
            return await _participant(repos, pid)

    async def leave_input(self, pid: str) -> None:
        """Stop waiting for free text (a command came instead): later chat is not taken."""
        async with self.db.reading() as repos:
            participant = await repos.participants.get(pid)
        if participant is None:
            return
        waiting_text = participant.step == Step.SUGGESTION_TEXT and participant.current_item
        if participant.awaiting is None and not waiting_text:
            return
        async with self.db.transaction() as repos:
            await repos.participants.set_awaiting(pid, None)
            if waiting_text and participant.current_item:
                await repos.participants.set_position(pid, participant.current_item, Step.SUGGEST)

    async def cancel_input(self, pid: str, kind: Awaiting) -> bool:
        """Stop waiting for one kind of free text; False if it was not awaited (any more)."""
        async with self.db.transaction() as repos:
            participant = await _participant(repos, pid)
            if participant.awaiting != kind:
                return False
            await repos.participants.set_awaiting(pid, None)
        return True

    async def cancel_suggestion(self, pid: str, item_id: str) -> ItemView:
        """Stop waiting for a suggestion on an item: the item again, at the step before."""
        item = self._top_item(item_id)
        async with self.db.transaction() as repos:
            participant = await _participant(repos, pid)
            answer = await repos.stances.get(pid, item.id)
            step = Step.SUGGEST if answer else Step.STANCE
            if participant.step == Step.SUGGESTION_TEXT and participant.current_item == item.id:
                await repos.participants.set_position(pid, item.id, step)
            return await self._view(repos, pid, item.id, step)

    async def open_item(self, pid: str, item_id: str) -> ItemView:
        """Jump to an item and ask for the citizen's stance on it; the walk goes on from there."""
        item = self._top_item(item_id)
        async with self.db.transaction() as repos:
            await repos.participants.set_position(pid, item.id, Step.STANCE)
            await repos.participants.set_resume(pid, None)
            return await self._view(repos, pid, item.id, Step.STANCE)

    async def open_linked(self, pid: str, item_id: str) -> ItemView:
        """Open an item a shared link points to; the walk resumes where it was, afterwards.

        A citizen who had not begun resumes at the first item: the link does not move the
        resume point past items they have not answered.
        """
        item = self._top_item(item_id)
        async with self.db.transaction() as repos:
            participant = await _participant(repos, pid)
            if participant.resume_item is None and participant.step != Step.FINISHED:
                walking = participant.current_item if participant.step != Step.WELCOME else None
                back_to = walking or self.plan.items[0].id
                if back_to != item.id:
                    await repos.participants.set_resume(pid, back_to)
            await repos.participants.set_position(pid, item.id, Step.STANCE)
            return await self._view(repos, pid, item.id, Step.STANCE)

    async def record_stance(self, pid: str, item_id: str, stance: Stance) -> ItemView:
        """Record support / oppose / unsure on an item, then ask for its priority."""
        item = self._top_item(item_id)
        async with self.db.transaction() as repos:
            previous = await repos.stances.get(pid, item.id)
            priority = previous.priority if previous else None
            await repos.stances.record(pid, item.id, stance, priority, self.plan.version)
            await repos.participants.set_position(pid, item.id, Step.PRIORITY)
            return await self._view(repos, pid, item.id, Step.PRIORITY)

    async def record_priority(self, pid: str, item_id: str, priority: Priority) -> ItemView:
        """Record how high a priority an answered item is, then offer a suggestion."""
        item = self._top_item(item_id)
        async with self.db.transaction() as repos:
            previous = await repos.stances.get(pid, item.id)
            if previous is None:
                raise Refused(Refusal.STANCE_FIRST, item=item.id)
            await repos.stances.record(pid, item.id, previous.stance, priority, self.plan.version)
            await repos.participants.set_position(pid, item.id, Step.SUGGEST)
            return await self._view(repos, pid, item.id, Step.SUGGEST)

    async def request_suggestion(self, pid: str, item_id: str) -> ItemView:
        """Make the citizen's next text message a suggestion on this item."""
        item = self._top_item(item_id)
        async with self.db.transaction() as repos:
            await repos.participants.set_position(pid, item.id, Step.SUGGESTION_TEXT)
            return await self._view(repos, pid, item.id, Step.SUGGESTION_TEXT)

    async def skip(self, pid: str, item_id: str) -> Moved:
        """Move on from an item to the next one, or to the end of the plan."""
        item = self._top_item(item_id)
        async with self.db.transaction() as repos:
            closed = await self._view(repos, pid, item.id, Step.STANCE)
            return Moved(closed, await self.advance(repos, pid, item.id))

    async def back(self, pid: str, item_id: str) -> Moved | ItemView:
        """Go back to the item before this one; at a suggestion's prompt, cancel it instead."""
        index = self._index(item_id)
        participant = await self.current(pid)
        if participant.step == Step.SUGGESTION_TEXT and participant.current_item == item_id:
            return await self.cancel_suggestion(pid, item_id)
        if index == 0:
            raise Refused(Refusal.FIRST_ITEM)
        previous = self.plan.items[index - 1].id
        async with self.db.transaction() as repos:
            closed = await self._view(repos, pid, item_id, Step.STANCE)
            await repos.participants.set_position(pid, previous, Step.STANCE)
            return Moved(closed, await self._view(repos, pid, previous, Step.STANCE))

    async def overview(self, pid: str) -> Overview:
        """Return every item with the citizen's answer, and their suggestions."""
        async with self.db.reading() as repos:
            return await self._overview(repos, pid)

    async def answer_on(self, pid: str, item_id: str) -> Answer | None:
        """Return the citizen's current answer on one item."""
        async with self.db.reading() as repos:
            return Answer.of(await repos.stances.get(pid, item_id))

    async def advance(self, repos: Repositories, pid: str, item_id: str) -> View:
        """Move past an item within the caller's transaction: the next item, or the end.

        After an item a shared link opened, the walk goes back to where it was instead.
        """
        participant = await _participant(repos, pid)
        if participant.resume_item is not None:
            await repos.participants.set_resume(pid, None)
        back_to = self._resume_point(participant)
        if back_to is not None and back_to != item_id:
            await repos.participants.set_position(pid, back_to, Step.STANCE)
            view = await self._view(repos, pid, back_to, Step.STANCE)
            return replace(view, returned=True)
        index = self._index(item_id)
        if index + 1 < len(self.plan.items):
            following = self.plan.items[index + 1].id
            await repos.participants.set_position(pid, following, Step.STANCE)
            return await self._view(repos, pid, following, Step.STANCE)
        await repos.participants.set_position(pid, None, Step.FINISHED)
        await repos.participants.mark_completed(pid)
        return Finished(await self._overview(repos, pid))

    async def _view(self, repos: Repositories, pid: str, item_id: str, step: Step) -> ItemView:
        item = self._top_item(item_id)
        answers = await repos.stances.for_participant(pid)
        answered = sum(1 for i in self.plan.items if i.id in answers)
        index, total = self._index(item.id), len(self.plan.items)
        return ItemView(item, step, Answer.of(answers.get(item.id)), index, total, answered)

    async def _overview(self, repos: Repositories, pid: str) -> Overview:
        answers = await repos.stances.for_participant(pid)
        rows = tuple((item, Answer.of(answers.get(item.id))) for item in self.plan.items)
        suggestions = tuple(await repos.suggestions.by_participant(pid))
        return Overview(rows, suggestions)

    def _resume_point(self, participant: ParticipantRecord) -> str | None:
        # A resume point a revised plan no longer has is forgotten.
        back_to = participant.resume_item
        return back_to if back_to and self.plan.index_of(back_to) is not None else None

    def _top_item(self, item_id: str) -> Item:
        index = self.plan.index_of(item_id)
        if index is None:
            raise Refused(Refusal.UNKNOWN_ITEM)
        return self.plan.items[index]

    def _index(self, item_id: str) -> int:
        index = self.plan.index_of(item_id)
        if index is None:
            raise Refused(Refusal.UNKNOWN_ITEM)
        return index


async def _participant(repos: Repositories, pid: str) -> ParticipantRecord:
    participant = await repos.participants.get(pid)
    if participant is None:
        raise Refused(Refusal.UNKNOWN_PARTICIPANT)
    return participant
