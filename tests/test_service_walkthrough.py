"""The walkthrough on a migrated database: begin, resume, back, skip, answers and their history."""

from __future__ import annotations

import pytest

from bot.hearing.plan import Plan
from bot.hearing.walkthrough import Finished, ItemView, Walkthrough
from bot.model.refusals import Refusal, Refused
from bot.model.values import Priority, Stance, Step
from bot.services import Services
from storage.backend import Store
from storage.votes import HISTORY_KEPT
from tests.harness import citizen, rows


async def stance_history(db: Store, pid: str, item: str) -> list[tuple[object, ...]]:
    """A citizen's answers on one item over time: (stance, priority)."""
    return await rows(
        db, "SELECT stance, priority FROM stance_history WHERE participant_id = ? AND item_id = ?"
        " ORDER BY id", pid, item,
    )  # fmt: skip


async def test_a_new_citizen_is_welcomed_and_begins_at_the_first_item(
    services: Services, plan: Plan
) -> None:
    pid = await citizen(services, 501)
    welcome = await services.walkthrough.welcome(pid)
    assert (welcome.step, welcome.resume_at) == (Step.WELCOME, None)
    view = await services.walkthrough.begin(pid)
    assert (view.item.id, view.step, view.answer) == ("1", Step.STANCE, None)
    assert (view.position, view.total) == (0, len(plan.items))


async def test_resume_returns_to_the_item_and_step_where_the_citizen_stopped(
    services: Services, db: Store, plan: Plan
) -> None:
    pid = await citizen(services, 501)
    await services.walkthrough.open_item(pid, "5")
    await services.walkthrough.record_stance(pid, "5", Stance.OPPOSE)
    # As after a restart: a new Walkthrough over the same database, nothing held in memory.
    again = Walkthrough(db, plan)
    view = await again.resume(pid)
    assert isinstance(view, ItemView)
    assert (view.item.id, view.step, view.position) == ("5", Step.PRIORITY, 4)
    assert view.answer is not None and view.answer.stance is Stance.OPPOSE
    welcome = await again.welcome(pid)
    assert welcome.resume_at is not None and welcome.resume_at.item.id == "5"


async def test_resume_before_beginning_begins(services: Services) -> None:
    pid = await citizen(services, 501)
    view = await services.walkthrough.resume(pid)
    assert isinstance(view, ItemView) and view.item.id == "1"


async def test_stance_then_priority_then_the_offer_to_suggest(services: Services) -> None:
    pid = await citizen(services, 501)
    asked = await services.walkthrough.record_stance(pid, "3", Stance.SUPPORT)
    assert asked.step == Step.PRIORITY
    offered = await services.walkthrough.record_priority(pid, "3", Priority.HIGH)
    assert offered.step == Step.SUGGEST and offered.answer is not None
    assert (offered.answer.stance, offered.answer.priority) == (Stance.SUPPORT, Priority.HIGH)
    # A changed stance keeps the priority already given.
    changed = await services.walkthrough.record_stance(pid, "3", Stance.UNSURE)
    assert changed.answer is not None and changed.answer.priority is Priority.HIGH


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([Stance.SUPPORT, Stance.SUPPORT], [("support", None)]),
        ([Stance.SUPPORT, Stance.OPPOSE], [("support", None), ("oppose", None)]),
        (
            [Stance.SUPPORT, Stance.OPPOSE, Stance.OPPOSE, Stance.SUPPORT],
            [("support", None), ("oppose", None), ("support", None)],
        ),
        ([Stance.UNSURE, Priority.LOW, Priority.LOW], [("unsure", None), ("unsure", "low")]),
        (
            [Stance.UNSURE, Priority.LOW, Stance.UNSURE, Priority.HIGH],
            [("unsure", None), ("unsure", "low"), ("unsure", "high")],
        ),
    ],
    ids=["same-twice", "changed", "changed-back", "priority-twice", "priority-changed"],
)
async def test_an_answer_is_appended_to_the_history_only_when_it_changes(
    services: Services,
    db: Store,
    answers: list[Stance | Priority],
    expected: list[tuple[str, str | None]],
) -> None:
    pid = await citizen(services, 501)
    for answer in answers:
        if isinstance(answer, Stance):
            await services.walkthrough.record_stance(pid, "7", answer)
        else:
            await services.walkthrough.record_priority(pid, "7", answer)
    assert await stance_history(db, pid, "7") == expected
    last = await services.walkthrough.answer_on(pid, "7")
    assert last is not None and (last.stance.value, last.priority) == expected[-1]


async def test_flipping_an_answer_back_and_forth_keeps_a_bounded_history(
    services: Services, db: Store
) -> None:
    pid = await citizen(services, 501)
    flips = [Stance.SUPPORT, Stance.OPPOSE] * 50
    for stance in flips:
        await services.walkthrough.record_stance(pid, "7", stance)
    kept = await stance_history(db, pid, "7")
    assert len(kept) == HISTORY_KEPT, "a hundred changes, a bounded number of rows"
    assert kept[0] == ("support", None), "the first answer is kept"
    assert kept[-1] == ("oppose", None), "and the latest"


async def test_a_priority_before_a_stance_is_refused(services: Services, db: Store) -> None:
    pid = await citizen(services, 501)
    with pytest.raises(Refused) as refused:
        await services.walkthrough.record_priority(pid, "7", Priority.HIGH)
    assert refused.value.code is Refusal.STANCE_FIRST
    assert await rows(db, "SELECT * FROM stances") == []


async def test_back_goes_to_the_item_before_but_not_before_the_first(
    services: Services,
) -> None:
    pid = await citizen(services, 501)
    await services.walkthrough.record_stance(pid, "2", Stance.SUPPORT)
    moved = await services.walkthrough.back(pid, "3")
    assert moved.closed.item.id == "3"
    assert isinstance(moved.next, ItemView) and moved.next.item.id == "2"
    assert moved.next.answer is not None and moved.next.answer.stance is Stance.SUPPORT
    assert (await services.walkthrough.current(pid)).current_item == "2"
    with pytest.raises(Refused) as refused:
        await services.walkthrough.back(pid, "1")
    assert refused.value.code is Refusal.FIRST_ITEM
    assert (await services.walkthrough.current(pid)).current_item == "2", "unmoved"


async def test_skip_moves_on_and_past_the_last_item_finishes(
    services: Services, plan: Plan
) -> None:
    pid = await citizen(services, 501)
    moved = await services.walkthrough.skip(pid, "1")
    assert isinstance(moved.next, ItemView) and moved.next.item.id == "2"
    await services.walkthrough.record_stance(pid, "2", Stance.OPPOSE)
    last = plan.items[-1].id
    finished = await services.walkthrough.skip(pid, last)
    assert isinstance(finished.next, Finished)
    overview = finished.next.overview
    assert overview.answered == 1 and overview.count(Stance.OPPOSE) == 1
    participant = await services.walkthrough.current(pid)
    assert participant.step == Step.FINISHED and participant.completed_at is not None
    assert isinstance(await services.walkthrough.resume(pid), Finished)
    assert (await services.walkthrough.welcome(pid)).resume_at is None


async def test_beginning_again_keeps_earlier_answers(services: Services) -> None:
    pid = await citizen(services, 501)
    await services.walkthrough.record_stance(pid, "1", Stance.SUPPORT)
    view = await services.walkthrough.begin(pid)
    assert view.answer is not None and view.answer.stance is Stance.SUPPORT


async def test_a_command_ends_the_wait_for_a_suggestion(services: Services) -> None:
    pid = await citizen(services, 501)
    await services.walkthrough.request_suggestion(pid, "4")
    assert (await services.walkthrough.current(pid)).step == Step.SUGGESTION_TEXT
    await services.walkthrough.leave_input(pid)
    participant = await services.walkthrough.current(pid)
    assert (participant.step, participant.current_item) == (Step.SUGGEST, "4")
    assert not await services.submissions.expects_text(pid)


@pytest.mark.parametrize("item", ["0", "21", "9.1", "new", "", " 1", "1 "])
async def test_an_item_the_plan_does_not_have_is_refused_and_nothing_moves(
    services: Services, db: Store, item: str
) -> None:
    pid = await citizen(services, 501)
    await services.walkthrough.open_item(pid, "5")
    walkthrough = services.walkthrough
    for attempt in (
        walkthrough.open_item(pid, item),
        walkthrough.record_stance(pid, item, Stance.SUPPORT),
        walkthrough.record_priority(pid, item, Priority.LOW),
        walkthrough.request_suggestion(pid, item),
        walkthrough.skip(pid, item),
        walkthrough.back(pid, item),
    ):
        with pytest.raises(Refused) as refused:
            await attempt
        assert refused.value.code is Refusal.UNKNOWN_ITEM
    participant = await walkthrough.current(pid)
    assert (participant.current_item, participant.step) == ("5", Step.STANCE)
    assert await rows(db, "SELECT COUNT(*) FROM stances") == [(0,)]


async def test_an_unknown_participant_is_refused(services: Services) -> None:
    stranger = services.participants.identify(999)
    for attempt in (
        services.walkthrough.welcome(stranger),
        services.walkthrough.resume(stranger),
        services.walkthrough.current(stranger),
    ):
        with pytest.raises(Refused) as refused:
            await attempt
        assert refused.value.code is Refusal.UNKNOWN_PARTICIPANT
