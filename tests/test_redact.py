"""The inbox stores no one's name: what replay needs is kept, names and unread numbers are not."""

from __future__ import annotations

import json
from typing import Any

import pytest
from telegram import Update

from bot.runtime.inbox import Inbox, payload_of
from storage.db import Database
from storage.inbox import InboxRepository

ANA = 6161
NAMES = ("Zarghuna", "Khanzada", "zarghuna_k", "Ustad Gul", "Bibi Mah", "mah_bibi", "Secret Cell")
PHONE = "+923001234567"
ANA_USER = {
    "id": ANA, "is_bot": False, "first_name": "Zarghuna", "last_name": "Khanzada",
    "username": "zarghuna_k", "language_code": "ur",
}  # fmt: skip
ANA_CHAT = {"id": ANA, "type": "private", "first_name": "Zarghuna", "last_name": "Khanzada",
            "username": "zarghuna_k"}  # fmt: skip
BOT = {"id": 1, "is_bot": True, "first_name": "Hearing", "username": "hearing_test_bot"}
OTHER = {"id": 777, "is_bot": False, "first_name": "Bibi Mah", "username": "mah_bibi"}


def message(**fields: Any) -> dict[str, Any]:
    """A private message from Ana, with more fields."""
    return {"message_id": 5, "date": 1_740_830_400, "chat": ANA_CHAT, "from": ANA_USER, **fields}


SHAPES: dict[str, dict[str, Any]] = {
    "text": {"update_id": 1, "message": message(text="Register every seminary")},
    "mention-and-forward": {
        "update_id": 2,
        "message": message(
            text="She said so",
            entities=[{"type": "text_mention", "offset": 0, "length": 8, "user": OTHER}],
            forward_origin={
                "type": "hidden_user",
                "date": 1_740_830_000,
                "sender_user_name": "Ustad Gul",
            },
            reply_to_message={
                "message_id": 4,
                "date": 1_740_830_300,
                "chat": ANA_CHAT,
                "from": BOT,
                "text": "Your suggestion?",
            },
        ),
    },
    "contact": {
        "update_id": 3,
        "message": message(
            contact={
                "phone_number": PHONE,
                "first_name": "Zarghuna",
                "last_name": "Khanzada",
                "user_id": ANA,
                "vcard": "BEGIN:VCARD\nFN:Secret Cell\nEND:VCARD",
            }
        ),
    },
    "button": {
        "update_id": 4,
        "callback_query": {
            "id": "77",
            "from": ANA_USER,
            "chat_instance": "9",
            "data": "v1:st:12:support",
            "message": {
                "message_id": 6,
                "date": 1_740_830_400,
                "chat": ANA_CHAT,
                "from": BOT,
                "text": "Item 12",
            },
        },
    },
    "group-member": {
        "update_id": 5,
        "my_chat_member": {
            "chat": {"id": -100, "type": "group", "title": "Madrassa board"},
            "from": ANA_USER,
            "date": 1_740_830_400,
            "old_chat_member": {"status": "left", "user": BOT},
            "new_chat_member": {"status": "member", "user": BOT},
        },
    },
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("keep_phone", [False, True])
def test_a_stored_update_names_no_one_and_reads_back(shape: str, keep_phone: bool) -> None:
    update = Update.de_json(SHAPES[shape], None)
    stored = payload_of(update, keep_phone)
    for name in NAMES:
        assert name not in stored
    assert (PHONE in stored) == (keep_phone and shape == "contact"), "only eligibility reads it"
    back = Update.de_json(json.loads(stored), None)
    # What handling reads is all there: who, which chat, the text, the button, the contact's
    # owner, the language of the client.
    assert back.update_id == update.update_id
    assert back.effective_user is not None and update.effective_user is not None
    assert back.effective_user.id == update.effective_user.id
    assert back.effective_user.language_code == update.effective_user.language_code
    assert back.effective_chat is not None and update.effective_chat is not None
    assert back.effective_chat.id == update.effective_chat.id
    assert back.effective_chat.type == update.effective_chat.type
    if update.effective_message is not None and back.effective_message is not None:
        assert back.effective_message.text == update.effective_message.text
    if update.callback_query is not None and back.callback_query is not None:
        assert back.callback_query.data == update.callback_query.data
    if update.message is not None and update.message.contact is not None:
        assert back.message is not None and back.message.contact is not None
        assert back.message.contact.user_id == ANA


async def test_the_inbox_stores_the_update_without_names(db: Database) -> None:
    update = Update.de_json(SHAPES["mention-and-forward"], None)
    assert await Inbox(db).record(update)
    async with db.reading() as repos:
        [entry] = await InboxRepository(repos.conn).find(2)
    assert entry.payload is not None and "She said so" in entry.payload
    assert [name for name in NAMES if name in entry.payload] == []
    assert update.effective_user is not None
    assert update.effective_user.first_name == "Zarghuna", "the update handled now is untouched"
