"""A Telegram reader answered by VK staff, through the real application on both fakes.

The staff chat is a VK group conversation (``vk:2000000001``): the card is a message there
with an inline keyboard, staff answer by replying to it and press its callback buttons.
"""

from __future__ import annotations

import json

import pytest

from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.playground.platforms.vk_server import FakeVkServer
from storage.models import TicketStatus
from tests.e2e import telegram_client as tg
from tests.e2e import vk_client
from tests.e2e.conftest import Launcher
from tests.e2e.desk_cross_client import (
    VK_STAFF_CHAT,
    WITHIN,
    card_id,
    status_becomes,
    telegram_consenting_reader,
    telegram_submit,
    ticket,
    vk_chat_message,
    vk_text_has,
)

READER = 42
STAFF = 9001
STRANGER = 9002
STAFF_ACTOR = f"Ольга Петрова (vk:{STAFF})"
READER_DOC = b"%PDF-1.4 telegram reader's discharge summary " * 50
STAFF_DOC = b"%PDF-1.4 vk staff reference from the statistics yearbook " * 50
QUESTION = "Сколько коек было в областном кардиоцентре в 1987 году?"
READER_PHOTO = b"\xff\xd8\xff\xe0" + b"telegram reader's photo of a table" * 40
FOLLOW_UP = "Нужны ещё данные за 1988 год"
ANSWER = "По данным статистического ежегодника, 240 коек"


@pytest.mark.parametrize("staff_by", ["chat admin", "configured id"])
async def test_telegram_reader_answered_by_vk_staff(
    vk: FakeVkServer, telegram: FakeTelegramServer, launch: Launcher, staff_by: str
) -> None:
    vk.add_user(STAFF, "Ольга", "Петрова")
    settings: dict[str, str] = {"staff_chat": f"vk:{VK_STAFF_CHAT}"}
    if staff_by == "chat admin":
        vk.add_chat_member(VK_STAFF_CHAT, STAFF, admin=True)
    else:
        # A plain member, in a chat whose members the community may not even list (917).
        vk.add_chat_member(VK_STAFF_CHAT, STAFF)
        vk.set_community_admin(VK_STAFF_CHAT, False)
        settings["staff_user_ids"] = f"vk:{STAFF}"
    app = await vk_client.start(launch, vk, telegram, **settings)

    # The Telegram reader asks a factographic question with a document.
    await telegram_consenting_reader(telegram, READER)
    number = await telegram_submit(
        telegram, READER, "factographic", QUESTION, (READER_DOC, "vypiska.pdf")
    )

    # The card reaches the VK chat with its buttons as an inline keyboard; the document is
    # downloaded from Telegram and uploaded to VK.
    card_cmid = await card_id(app, number)
    card = await vk_chat_message(
        vk, VK_STAFF_CHAT, lambda d: d.conversation_message_id == card_cmid
    )
    assert f"📋 Запрос №{number} · Фактографический" in card.text
    assert "Читатель: Reader (Telegram)" in card.text
    assert QUESTION in card.text
    assert "Файлы: vypiska.pdf" in card.text
    assert card.keyboard is not None and card.keyboard["inline"] is True
    assert vk_client.payloads(card) == [
        f"st:take:{number}",
        f"st:asg:{number}",
        f"st:tpl:{number}",
        f"st:close:{number}",
    ]
    assert {a["type"] for a in vk_client.actions(card)} == {"callback"}
    files = await vk_chat_message(vk, VK_STAFF_CHAT, vk_text_has(f"📎 Файлы к запросу №{number}"))
    [relayed] = files.attachments
    assert relayed.startswith(f"doc-{vk.group_id}_")
    assert vk.saved_bytes(relayed) == READER_DOC

    # A chat member who is not staff presses Close: acknowledged, and nothing changes.
    vk.add_chat_member(VK_STAFF_CHAT, STRANGER)
    press = vk.push_message_event(
        VK_STAFF_CHAT,
        {"p": f"st:close:{number}"},
        user_id=STRANGER,
        conversation_message_id=card_cmid,
    )
    event_id = press["object"]["event_id"]
    await vk.wait_for(lambda: any(a.event_id == event_id for a in vk.event_answers), within=WITHIN)
    assert (await ticket(app, number)).status is TicketStatus.NEW
    assert vk.edits == []

    # Take: a callback press in the chat edits the card in place.
    vk.push_message_event(
        VK_STAFF_CHAT, {"p": f"st:take:{number}"}, user_id=STAFF, conversation_message_id=card_cmid
    )
    taken = await status_becomes(app, number, TicketStatus.IN_PROGRESS)
    assert taken.assignee is not None and taken.assignee.name == "Ольга Петрова"
    await vk.wait_for(
        lambda: "Исполнитель: Ольга Петрова" in vk.message(VK_STAFF_CHAT, card_cmid).text,
        within=WITHIN,
    )
    assert "в работе" in vk.message(VK_STAFF_CHAT, card_cmid).text
    assert any(e.conversation_message_id == card_cmid for e in vk.edits)
    await vk.wait_for(
        lambda: any(
            (a.event_data or {}).get("text") == f"Запрос №{number} теперь ваш."
            for a in vk.event_answers
        ),
        within=WITHIN,
    )

    # The answer: a reply to the card with text and a VK document.
    before = len(telegram.sent_to(READER))
    staff_message = vk.push_message(
        VK_STAFF_CHAT,
        ANSWER,
        from_id=STAFF,
        reply_to=card_cmid,
        attachments=[vk.doc_attachment(STAFF_DOC, title="spravka.pdf")],
    )
    answer = await tg.reply_after(telegram, READER, before)
    text = tg.text_of(answer)
    assert f"Ответ библиотеки на ваш запрос №{number}" in text
    assert ANSWER in text
    assert "— Ольга Петрова" in text
    assert tg.payloads(answer) == [
        *(f"tk:rate:{number}:{score}" for score in range(1, 6)),
        f"tk:add:{number}",
    ]
    [document] = answer.files
    assert document.kind == "document" and document.uploaded
    assert document.data == STAFF_DOC
    assert document.file_name == "spravka.pdf"
    ack = await vk_chat_message(
        vk, VK_STAFF_CHAT, vk_text_has(f"Ответ по запросу №{number} отправляется читателю")
    )
    assert ack.reply_to == staff_message["object"]["message"]["conversation_message_id"]
    await status_becomes(app, number, TicketStatus.ANSWERED)

    # The reader's follow-up with a photo reopens the ticket and reaches the VK thread.
    before = len(telegram.sent_to(READER))
    telegram.push_photo(READER, READER_PHOTO, caption=FOLLOW_UP)
    await tg.reply_after(telegram, READER, before)
    follow_up = await vk_chat_message(vk, VK_STAFF_CHAT, vk_text_has(FOLLOW_UP))
    assert f"Читатель Reader дополнил запрос №{number}" in follow_up.text
    assert follow_up.reply_to == card_cmid
    [photo] = follow_up.attachments
    assert photo.startswith(f"photo-{vk.group_id}_")
    assert vk.saved_bytes(photo) == READER_PHOTO
    await status_becomes(app, number, TicketStatus.IN_PROGRESS)

    # Close, then reopen, with the card's buttons.
    vk.push_message_event(
        VK_STAFF_CHAT,
        {"p": f"st:close:{number}"},
        user_id=STAFF,
        conversation_message_id=card_cmid,
    )
    await status_becomes(app, number, TicketStatus.CLOSED)
    await vk.wait_for(lambda: "закрыт" in vk.message(VK_STAFF_CHAT, card_cmid).text, within=WITHIN)
    closed_card = vk.message(VK_STAFF_CHAT, card_cmid)
    assert closed_card.keyboard is not None
    assert [
        json.loads(button["action"]["payload"])["p"]
        for row in closed_card.keyboard["buttons"]
        for button in row
    ] == [f"st:reopen:{number}"]
    vk.push_message_event(
        VK_STAFF_CHAT,
        {"p": f"st:reopen:{number}"},
        user_id=STAFF,
        conversation_message_id=card_cmid,
    )
    reopened = await status_becomes(app, number, TicketStatus.IN_PROGRESS)
    assert reopened.assignee is not None and reopened.assignee.name == "Ольга Петрова"
    await vk.wait_for(
        lambda: "в работе" in vk.message(VK_STAFF_CHAT, card_cmid).text, within=WITHIN
    )
    events = await app.storage.tickets.events(number)
    assert [(e.to_status, e.actor) for e in events][-4:] == [
        (TicketStatus.ANSWERED, STAFF_ACTOR),
        (TicketStatus.IN_PROGRESS, "reader"),
        (TicketStatus.CLOSED, STAFF_ACTOR),
        (TicketStatus.IN_PROGRESS, STAFF_ACTOR),
    ]
