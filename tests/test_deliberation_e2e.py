"""Citizens vote on each other's suggestions, propose new items, and follow deep links."""

from __future__ import annotations

import pytest

from tests.harness import Hearing, database_at, query

ANA, BILAL, CHAND, DUA = 1001, 1002, 1003, 1004


async def tally(hearing: Hearing, sid: int) -> dict[str, int]:
    """Count current votes on a suggestion straight from the database."""
    rows = await query(hearing.settings.database_path,
                       "SELECT vote, COUNT(*) FROM votes WHERE suggestion_id = ? GROUP BY vote",
                       sid)  # fmt: skip
    return {str(vote): int(str(count)) for vote, count in rows}


async def test_after_answering_a_citizen_votes_on_others_suggestions(hearing: Hearing) -> None:
    sid = await hearing.suggest(ANA, "3", "All madaris must be registered with the government")
    item_message = await hearing.answer_item(BILAL, "3")
    card = hearing.last(BILAL)
    assert card.message_id != item_message.message_id
    assert "A suggestion on item 3" in card.plain_text()
    assert "All madaris must be registered" in card.plain_text()
    assert card.button_labels() == ["👍 Agree", "👎 Disagree", "🤷 Pass", "🚩 Report", "↗️ Share"]
    assert "Below is what others suggested" in hearing.emu.messages(BILAL)[-2].plain_text()
    await hearing.press(BILAL, "👍 Agree", card)
    voted = hearing.emu.messages(BILAL)[-1]
    assert voted.message_id == card.message_id, "no more suggestions on item 3: no new card"
    assert "Your vote: Agree" in voted.plain_text()
    assert voted.button_labels()[0] == "✅ Agree"
    assert await tally(hearing, sid) == {"agree": 1}


async def test_cards_prefer_fewest_votes_and_never_own_or_voted(hearing: Hearing) -> None:
    first = await hearing.suggest(ANA, "5", "Rapid response force in every province")
    second = await hearing.suggest(BILAL, "5", "Train police to respond within one hour")
    # Chand votes on the first, so Dua should see the second (fewer votes) first.
    await hearing.answer_item(CHAND, "5")
    card = hearing.last(CHAND)
    assert "Rapid response force" in card.plain_text(), "equal counts: the oldest first"
    await hearing.press(CHAND, "🤷 Pass", card)
    next_card = hearing.last(CHAND)
    assert "Train police" in next_card.plain_text(), "then the next one, up to the limit"
    await hearing.press(CHAND, "👎 Disagree", next_card)
    await hearing.answer_item(DUA, "5")
    assert "Rapid response force" in hearing.last(DUA).plain_text()
    assert await tally(hearing, first) == {"pass": 1}
    assert await tally(hearing, second) == {"disagree": 1}
    # Ana answers item 5 again: Bilal's suggestion is offered, never her own.
    await hearing.answer_item(ANA, "5")
    assert "Train police" in hearing.last(ANA).plain_text()
    await hearing.press(ANA, "👍 Agree", hearing.last(ANA))
    # Ana has now voted on everything she may vote on: no card the next time.
    before = len(hearing.emu.messages(ANA))
    await hearing.answer_item(ANA, "5")
    assert "Would you like to add a suggestion on this item?" in hearing.last(ANA).plain_text()
    assert len(hearing.emu.messages(ANA)) == before + 1


async def test_a_vote_can_change_but_not_repeat_and_history_is_kept(hearing: Hearing) -> None:
    sid = await hearing.suggest(ANA, "7", "Share intelligence with neighbours")
    await hearing.open_link(BILAL, f"s-{sid}")
    card = hearing.last(BILAL)
    await hearing.press(BILAL, "👍 Agree", card)
    update_id = hearing.emu.press(BILAL, card.message_id, "✅ Agree")
    await hearing.settle()
    answer = hearing.emu.answer_for(update_id)
    assert answer is not None and "already voted" in answer["text"]
    await hearing.press(BILAL, "👎 Disagree", card)
    assert await tally(hearing, sid) == {"disagree": 1}
    history = await query(
        hearing.settings.database_path,
        "SELECT vote FROM vote_history WHERE suggestion_id = ? ORDER BY id",
        sid,
    )
    assert history == [("agree",), ("disagree",)]


async def test_report_asks_a_reason_and_is_recorded_once(hearing: Hearing) -> None:
    sid = await hearing.suggest(ANA, "10", "Punish the named journalists")
    await hearing.open_link(BILAL, f"s-{sid}")
    card = hearing.last(BILAL)
    await hearing.press(BILAL, "🚩 Report", card)
    rows = await query(hearing.settings.database_path, "SELECT suggestion_id FROM reports")
    assert rows == [], "nothing is recorded before a reason is chosen"
    asked = hearing.emu.messages(BILAL)[-1]
    assert asked.button_labels()[-1] == "↩️ Cancel"
    update_id = hearing.emu.press(BILAL, card.message_id, "Personal attack")
    await hearing.settle()
    answer = hearing.emu.answer_for(update_id)
    assert answer is not None and "Your report is recorded" in answer["text"]
    await hearing.press_data(BILAL, card.message_id, f"v1:rq:{sid}:0:spam")
    rows = await query(hearing.settings.database_path, "SELECT suggestion_id, reason FROM reports")
    assert rows == [(sid, "personal")]
    assert await tally(hearing, sid) == {}, "a report is not a vote"


async def test_near_duplicate_offers_to_agree_instead(hearing: Hearing) -> None:
    sid = await hearing.suggest(ANA, "3", "All madaris must be registered with the government")
    item_message = await hearing.answer_item(BILAL, "3")
    await hearing.press(BILAL, "✍️ Add a suggestion", item_message)
    replies = await hearing.say(BILAL, "All madrassas should be registered by the government!")
    offer = replies[-1]
    assert "Others have already suggested something close to yours on item 3" in (
        offer.plain_text()
    )
    assert offer.button_labels() == ["👍 Agree with 1 instead", "📝 Post mine anyway"]
    await hearing.press(BILAL, "👍 Agree with 1 instead", offer)
    thanks = hearing.emu.messages(BILAL)[-2].plain_text()
    assert "your agreement with that suggestion is counted" in thanks
    assert "On with the plan from item 1" in hearing.last(BILAL).plain_text(), (
        "a newcomer who came by a link walks the plan from its start next"
    )
    assert await tally(hearing, sid) == {"agree": 1}
    drafts = await query(
        hearing.settings.database_path,
        "SELECT outcome, suggestion_id FROM suggestion_drafts ORDER BY id",
    )
    assert drafts == [("posted", sid), ("agreed", sid)], "the citizen's own text is kept"
    # The offer cannot be used twice.
    await hearing.press_data(BILAL, offer.message_id, f"v1:pa:{2}")
    assert len(await query(hearing.settings.database_path, "SELECT id FROM suggestions")) == 1


async def test_post_anyway_publishes_the_near_duplicate(hearing: Hearing) -> None:
    await hearing.suggest(ANA, "18", "An effective witness protection program is needed")
    item_message = await hearing.answer_item(BILAL, "18")
    await hearing.press(BILAL, "✍️ Add a suggestion", item_message)
    await hearing.say(BILAL, "Effective witness protection program needed")
    await hearing.press(BILAL, "📝 Post mine anyway")
    assert "Your suggestion on item 18 is saved" in hearing.emu.messages(BILAL)[-2].plain_text()
    assert "Item 1 of 20" in hearing.last(BILAL).plain_text(), "the walk, after the link"
    rows = await query(hearing.settings.database_path, "SELECT COUNT(*) FROM suggestions")
    assert rows == [(2,)]


async def test_proposals_are_voted_like_suggestions(hearing: Hearing) -> None:
    await hearing.say(ANA, "/propose")
    assert "Send your proposal for a new item" in hearing.last(ANA).plain_text()
    replies = await hearing.say(ANA, "Protect judges and jail staff as well as witnesses")
    assert "Your proposal for a new item is saved" in replies[0].plain_text()
    rows = await query(hearing.settings.database_path, "SELECT id, item_id FROM suggestions")
    assert [row[1] for row in rows] == ["new"]
    await hearing.say(BILAL, "/start")
    await hearing.press(BILAL, "Begin")
    for _ in range(20):
        await hearing.press(BILAL, "Skip ➡️")
    summary = hearing.last(BILAL)
    assert summary.button_labels() == [
        "\u2795 Propose a new item",
        "🗳 Vote on proposed items",
        "🙋 Yes, ask me follow-up questions",
    ]
    await hearing.press(BILAL, "🗳 Vote on proposed items", summary)
    card = hearing.last(BILAL)
    assert "A proposed new item" in card.plain_text()
    await hearing.press(BILAL, "👍 Agree", card)
    assert await tally(hearing, int(str(rows[0][0]))) == {"agree": 1}
    await hearing.press(BILAL, "🗳 Vote on proposed items", summary)
    assert "You have voted on every item others have proposed" in hearing.last(BILAL).plain_text()


async def test_mine_lists_votes_and_withdraw_hides_but_keeps_votes(hearing: Hearing) -> None:
    sid = await hearing.suggest(ANA, "14", "Audit foreign funding of seminaries")
    await hearing.open_link(BILAL, f"s-{sid}")
    await hearing.press(BILAL, "👎 Disagree", hearing.last(BILAL))
    await hearing.say(ANA, "/mine")
    mine = hearing.last(ANA)
    assert f"#{sid} · item 14 (“Limiting financial resources" in mine.plain_text(), "its item"
    assert "…”): Audit foreign funding of seminaries" in mine.plain_text()
    assert "🗳 too few votes to show yet" in mine.plain_text(), "one vote: under MIN_GROUP_SIZE"
    assert "👎" not in mine.plain_text()
    await hearing.press(ANA, f"Withdraw #{sid} (item 14)", mine)
    await hearing.press(ANA, "Yes, withdraw it")
    assert "Withdrawn" in hearing.last(ANA).plain_text()
    await hearing.say(ANA, "/mine")
    assert "· withdrawn" in hearing.last(ANA).plain_text()
    assert hearing.last(ANA).button_labels() == []
    assert await tally(hearing, sid) == {"disagree": 1}, "votes stay counted"
    await hearing.open_link(CHAND, f"s-{sid}")
    assert "no longer open for voting" in hearing.emu.messages(CHAND)[0].plain_text()
    await hearing.answer_item(CHAND, "14")
    assert "A suggestion on item 14" not in hearing.last(CHAND).plain_text()


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("item-12", "You followed a link to item 12"),  # a newcomer: a short welcome first
        ("item-012", "You followed a link to item 12"),
        ("item-21", "that item does not exist"),
        ("item-x", "Your privacy"),
        ("s-999999", "that suggestion does not exist"),
        ("s-0", "Your privacy"),
        ("s-1;DROP", "Your privacy"),
        ("x" * 65, "Your privacy"),
        ("item-1%20", "Your privacy"),
    ],
)
async def test_deep_links_are_validated(hearing: Hearing, payload: str, expected: str) -> None:
    await hearing.say(ANA, f"/start {payload}")
    assert expected in hearing.emu.messages(ANA)[0].plain_text()


async def test_own_suggestion_by_deep_link_is_refused(hearing: Hearing) -> None:
    sid = await hearing.suggest(ANA, "2", "Counter-narrative by respected scholars")
    replies = await hearing.open_link(ANA, f"s-{sid}")
    assert "This is your own suggestion" in replies[0].plain_text()
    await hearing.press_data(ANA, replies[-1].message_id, f"v1:vt:{sid}:a:0")
    assert await tally(hearing, sid) == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("   ", "looks empty"),
        ("👍👍🔥 !!!", "write your suggestion in words"),
        ("https://example.org/plan", "A link alone cannot be posted"),
        ("www.example.org t.me/x", "A link alone cannot be posted"),
    ],
)
async def test_bad_suggestions_change_nothing(hearing: Hearing, text: str, expected: str) -> None:
    item_message = await hearing.answer_item(ANA, "1")
    await hearing.press(ANA, "✍️ Add a suggestion", item_message)
    replies = await hearing.say(ANA, text)
    assert expected in replies[0].plain_text()
    for table in ("suggestions", "suggestion_drafts"):
        assert await query(hearing.settings.database_path, f"SELECT * FROM {table}") == []
    replies = await hearing.say(ANA, "Words, with a link: https://example.org")
    assert "Your suggestion on item 1 is saved" in replies[0].plain_text()


@pytest.mark.parametrize(
    "data",
    ["v1:vt:999999:a:0", "v1:vt:1:x:0", "v1:rp:999999:0", "v1:ai:999:1", "v1:pa:999",
     "v1:wd:999999", "v1:wy:1", "v1:vt:1:a:100"],
)  # fmt: skip
async def test_forged_deliberation_buttons_change_nothing(hearing: Hearing, data: str) -> None:
    sid = await hearing.suggest(ANA, "6", "Use drones less near villages")
    assert sid == 1
    await hearing.say(BILAL, "/help")
    tables = ("votes", "reports", "suggestions", "suggestion_drafts")
    before = [await query(hearing.settings.database_path, f"SELECT * FROM {t}") for t in tables]
    update_id = hearing.emu.press_button(BILAL, hearing.last(BILAL).message_id, data, check=False)
    await hearing.settle()
    answer = hearing.emu.answer_for(update_id)
    assert answer is not None and answer.get("text"), "a polite notice, not silence"
    after = [await query(hearing.settings.database_path, f"SELECT * FROM {t}") for t in tables]
    assert after == before


@pytest.mark.parametrize("status", ["hidden", "pending", "withdrawn"])
async def test_suggestions_not_visible_are_never_offered(hearing: Hearing, status: str) -> None:
    sid = await hearing.suggest(ANA, "8", "Block unregistered SIMs within a month")
    async with database_at(hearing.settings.database_path) as db, db.transaction() as repos:
        await repos.suggestions.set_status(sid, status)
    await hearing.answer_item(BILAL, "8")
    assert "A suggestion on item 8" not in hearing.last(BILAL).plain_text()
    replies = await hearing.open_link(BILAL, f"s-{sid}")
    assert "no longer open for voting" in replies[0].plain_text()
    await hearing.press_data(BILAL, replies[-1].message_id, f"v1:vt:{sid}:a:0")
    assert await tally(hearing, sid) == {}
