"""A forged button payload naming another reader's ticket is refused end to end.

Reader A writes on Telegram and has an answered ticket (so it could be shown, cancelled,
rated and added to by its owner). Reader B, on VK, sends callback presses whose payloads name
A's ticket: B is told the button is stale, learns nothing of the ticket, and the ticket, its
conversation, its history and the staff chat stay exactly as they were.
"""

from __future__ import annotations

from typing import Any

from bot.app import Application
from bot.playground.platforms.telegram_server import FakeTelegramServer, FakeUser
from bot.playground.platforms.vk_server import FakeVkServer
from storage.models import Address, OutboxStatus, Platform, TicketStatus
from tests.e2e import telegram_client as tg
from tests.e2e import vk_client
from tests.e2e.conftest import STAFF_CHAT_ID, Launcher
from tests.e2e.desk_cross_client import (
    card_id,
    status_becomes,
    telegram_consenting_reader,
    telegram_submit,
    ticket,
    vk_consenting_reader,
)

READER_A = 42
READER_B = 7002
STAFF = FakeUser(555, "Мария", "Иванова")
QUESTION = "Когда открылась первая поликлиника на улице Нахимова?"
ANSWER = "В 1958 году, по данным городского архива"
SMUGGLED = "подброшенный текст в чужой запрос"
MAIN_MENU_FIRST = "menu:ask"


async def snapshot(app: Application, number: int) -> dict[str, Any]:
    """Everything stored about ticket ``number`` that a forged press could change."""
    stored = await ticket(app, number)
    messages = await app.storage.tickets.messages(number)
    return {
        "status": stored.status,
        "rating": (stored.rating, stored.rating_comment),
        "assignee": stored.assignee,
        "messages": [(m.id, m.kind, m.text) for m in messages],
        "events": [(e.to_status, e.actor) for e in await app.storage.tickets.events(number)],
        "staff chat rows": await queued_keys(app, STAFF_CHAT_ID),
        "reader A rows": await queued_keys(app, READER_A),
    }


async def queued_keys(app: Application, peer_id: int) -> list[str]:
    """The keys of the outbox rows for a Telegram chat: what was ever queued for it."""
    rows = await tg.outbox_rows(app.storage, platform=str(Platform.TELEGRAM), peer_id=peer_id)
    return [key for key, _ in rows]


async def refused(vk: FakeVkServer, payload: str) -> None:
    """Press a callback button carrying ``payload`` as reader B; wait for the refusal and
    the main menu after it."""
    before = len(vk.sent_to(READER_B))
    stale = await vk_client.press(vk, READER_B, payload, until=vk_client.contains("устарела"))
    assert stale.text == "Эта кнопка устарела. Вот актуальное меню.", payload
    await vk_client.reply_after(
        vk,
        READER_B,
        before,
        lambda d: (
            d.message_id > stale.message_id and vk_client.payloads(d)[:1] == [MAIN_MENU_FIRST]
        ),
    )


async def test_forged_payloads_naming_another_readers_ticket_are_refused(
    vk: FakeVkServer, telegram: FakeTelegramServer, launch: Launcher
) -> None:
    app = await vk_client.start(launch, vk, telegram, staff_user_ids=f"telegram:{STAFF.id}")

    # Reader A's ticket, answered by staff, so that its owner could rate it.
    await telegram_consenting_reader(telegram, READER_A)
    number = await telegram_submit(telegram, READER_A, "factographic", QUESTION)
    card = await card_id(app, number)
    before = len(telegram.sent_to(READER_A))
    telegram.push_message(STAFF_CHAT_ID, ANSWER, user=STAFF, reply_to=card)
    await tg.reply_after(telegram, READER_A, before)
    await status_becomes(app, number, TicketStatus.ANSWERED)
    await tg.wait_outbox(app.storage, [OutboxStatus.SENT], peer_id=READER_A)

    # Reader B on VK, with no ticket of their own.
    await vk_consenting_reader(vk, READER_B)
    b_reader = await app.storage.readers.get(Address(Platform.VK, READER_B))
    assert b_reader is not None
    assert await app.storage.tickets.for_reader(b_reader.id, limit=10) == []
    untouched = await snapshot(app, number)
    a_messages = len(telegram.sent_to(READER_A))
    b_first = len(vk.sent_to(READER_B))

    for payload in (
        f"tk:show:{number}",
        f"tk:cancel:{number}",
        f"tk:cancelyes:{number}",
        f"tk:rate:{number}:1",
        f"tk:skipcomment:{number}",
        f"tk:add:{number}",
    ):
        await refused(vk, payload)
    # Had tk:add been taken, this text would go into A's ticket.
    offer = await vk_client.say(vk, READER_B, SMUGGLED)
    assert "Хотите отправить это сообщение библиотекарю" in offer.text

    seen_by_b = [d.text for d in vk.sent_to(READER_B)[b_first:]]
    for secret in (QUESTION, ANSWER, f"№{number}", "Нахимова", "Мария Иванова"):
        assert all(secret not in text for text in seen_by_b), secret
    assert await snapshot(app, number) == untouched
    assert len(telegram.sent_to(READER_A)) == a_messages
    assert all(SMUGGLED not in tg.text_of(m) for m in telegram.sent_to(STAFF_CHAT_ID))
    assert await app.storage.tickets.for_reader(b_reader.id, limit=10) == []
