"""Shared links: a newcomer is welcomed (briefly, with the language choice) before the item, and
a link never moves a citizen's resume point past items they have not answered."""

from __future__ import annotations

from bot.hearing.privacy import pseudonym
from tests.harness import SECRET, Hearing, query

ANA, BILAL, CHAND, DUA = 8501, 8502, 8503, 8504
UR_NAME = "اردو"


async def stored(hearing: Hearing, user: int) -> tuple[object, ...]:
    """Return a participant's language, current item, step and resume point."""
    rows = await query(hearing.settings.database_path,
                       "SELECT language, current_item, step, resume_item FROM participants"
                       " WHERE id = ?", pseudonym(SECRET, user))  # fmt: skip
    return rows[0]


async def toast(hearing: Hearing, user: int, message_id: int, data: str) -> str:
    """Press button data (forged, possibly); return the answer shown."""
    update_id = hearing.emu.press_button(user, message_id, data, check=False)
    await hearing.settle()
    return str((hearing.emu.answer_for(update_id) or {}).get("text", ""))


async def test_a_newcomer_by_an_item_link_is_welcomed_first(hearing: Hearing) -> None:
    [welcome] = await hearing.say(ANA, "/start item-5")
    text = welcome.plain_text()
    assert text.startswith("Anti-Terror Action Plan") and "Your privacy." in text
    assert "pseudonym" in text and "You followed a link to item 5" in text
    assert "Item 5 of 20" not in text, "not the item yet"
    assert welcome.button_labels() == ["Open item 5", "✓ English", UR_NAME]
    assert await stored(hearing, ANA) == (None, None, "welcome", None), "nothing chosen yet"
    # The other language: the same short welcome again, in it.
    await hearing.press(ANA, UR_NAME, welcome)
    welcome = hearing.emu.message(ANA, welcome.message_id) or welcome
    assert "آپ ایک لنک کے ذریعے" in welcome.plain_text()
    assert welcome.button_labels() == ["نکتہ \u20685\u2069 کھولیں"], "chosen: no longer offered"
    # A restart in between changes nothing; then the item, in the chosen language.
    await hearing.restart()
    await hearing.press(ANA, "نکتہ \u20685\u2069 کھولیں", welcome)
    item = hearing.last(ANA)
    assert "\u20685\u2069" in item.plain_text() and "👍 حمایت" in item.button_labels()
    assert await stored(hearing, ANA) == ("ur", "5", "stance", "1")
    assert hearing.emu.message(ANA, welcome.message_id).button_labels() == []  # type: ignore[union-attr]


async def test_an_english_newcomer_goes_on_in_english_and_walks_from_item_one(
    hearing: Hearing,
) -> None:
    item = await hearing.answer_item(BILAL, "5")
    assert "Item 5 of 20" in item.plain_text()
    assert (await stored(hearing, BILAL))[0] == "en", "going on keeps the language shown"
    await hearing.press(BILAL, "Skip ➡️", item)
    first = hearing.last(BILAL)
    assert first.plain_text().startswith("↩️ On with the plan from item 1")
    assert "Item 1 of 20" in first.plain_text()
    [again] = await hearing.say(BILAL, "/start")
    assert "You stopped at item 1 of 20" in again.plain_text()


async def test_a_link_does_not_move_the_resume_point_past_unanswered_items(
    hearing: Hearing,
) -> None:
    await hearing.say(CHAND, "/start")
    await hearing.press(CHAND, "Begin")
    for _ in range(2):
        item = hearing.with_buttons(CHAND)
        await hearing.press(CHAND, "👍 Support", item)
        await hearing.press(CHAND, "High", item)
        await hearing.press(CHAND, "Skip ➡️", item)
    assert await stored(hearing, CHAND) == ("en", "3", "stance", None)
    [twelve] = await hearing.say(CHAND, "/start item-12")
    assert "Item 12 of 20" in twelve.plain_text(), "no welcome for someone who began"
    assert await stored(hearing, CHAND) == ("en", "12", "stance", "3")
    [welcome] = await hearing.say(CHAND, "/start")
    assert "You stopped at item 3 of 20" in welcome.plain_text(), "not 12: 3 to 11 are unanswered"
    # Answering the linked item leads back to where the walk stands.
    await hearing.press(CHAND, "👎 Oppose", twelve)
    await hearing.press(CHAND, "Low", twelve)
    await hearing.press(CHAND, "Skip ➡️", twelve)
    back = hearing.last(CHAND)
    assert back.plain_text().startswith("↩️ On with the plan from item 3")
    assert "3 of 20 answered" in back.plain_text()
    assert await stored(hearing, CHAND) == ("en", "3", "stance", None)
    # A second link while visiting keeps the first resume point; Continue goes there.
    await hearing.say(CHAND, "/start item-15")
    await hearing.say(CHAND, "/start item-18")
    assert (await stored(hearing, CHAND))[3] == "3"
    [welcome] = await hearing.say(CHAND, "/start")
    await hearing.press(CHAND, "Continue from item 3", welcome)
    assert "Item 3 of 20" in hearing.last(CHAND).plain_text()
    assert await stored(hearing, CHAND) == ("en", "3", "stance", None)


async def test_a_newcomer_by_a_suggestion_link_is_welcomed_first(hearing: Hearing) -> None:
    sid = await hearing.suggest(ANA, "7", "Share intelligence with the provinces every week")
    [welcome] = await hearing.say(DUA, f"/start s-{sid}")
    assert "You followed a link to a suggestion" in welcome.plain_text()
    assert "Your privacy." in welcome.plain_text()
    assert welcome.button_labels() == ["🗳 Open the suggestion", "✓ English", UR_NAME]
    await hearing.press(DUA, "🗳 Open the suggestion", welcome)
    card = hearing.last(DUA)
    assert "Share intelligence" in card.plain_text()
    await hearing.press(DUA, "👍 Agree", card)
    [start] = await hearing.say(DUA, "/start")
    assert start.button_labels() == ["Begin"], "still to begin; the language is chosen"
    # Welcomed once: the next links open what they point to, though the walk has not begun.
    other = await hearing.suggest(ANA, "9", "Publish the watch list criteria")
    [card] = await hearing.say(DUA, f"/start s-{other}")
    assert "Publish the watch list" in card.plain_text() and "👍 Agree" in card.button_labels()
    [item] = await hearing.say(DUA, "/start item-4")
    assert "Item 4 of 20" in item.plain_text()
    assert (await stored(hearing, DUA))[0] == "en"


async def test_bad_links_and_forged_presses_change_nothing(hearing: Hearing) -> None:
    replies = await hearing.say(DUA, "/start item-99")
    assert "that item does not exist" in replies[0].plain_text()
    assert "Begin" in replies[-1].button_labels(), "the normal welcome"
    sid = await hearing.suggest(ANA, "7", "Read the full report at https://example.org/x")
    replies = await hearing.say(DUA, f"/start s-{sid}")
    assert "no longer open for voting" in replies[0].plain_text(), "held: never offered"
    message = replies[-1].message_id
    assert "does not exist" in await toast(hearing, DUA, message, "v1:li:99")
    assert "does not exist" in await toast(hearing, DUA, message, "v1:lj:ur:99")
    assert "not valid" in await toast(hearing, DUA, message, "v1:ls:x")
    assert "no longer open" in await toast(hearing, DUA, message, f"v1:ls:{sid}")
    assert await stored(hearing, DUA) == (None, None, "welcome", None)
