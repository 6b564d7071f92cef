"""Only staff act in the Telegram staff chat; forged staff buttons are refused harmlessly."""

from __future__ import annotations

from bot.playground.platforms.telegram_server import FakeTelegramServer
from storage.models import TicketMessageKind, TicketStatus
from tests.e2e.conftest import STAFF_CHAT_ID, Launcher
from tests.e2e.desk_client import (
    STAFF,
    STRANGER,
    WITHIN,
    consent,
    make_admin,
    reader_user,
    replies_to,
    single_steps,
    staff_command,
    staff_presses,
    staff_says,
    submit_request,
    ticket,
    wait_callback_answered,
    wait_card,
    wait_outbox_idle,
)
from tests.e2e.telegram_client import text_of

READER = reader_user(5306)


async def test_a_plain_member_and_a_forged_ticket_number_change_nothing(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    make_admin(telegram, STAFF)
    app = await launch(telegram=telegram)
    await consent(telegram, READER)
    number = await submit_request(
        telegram, READER, "factographic", single_steps("Сколько коек в кардиоцентре?")
    )
    card = await wait_card(telegram, app, number)
    await wait_outbox_idle(app)
    reader_before = len(telegram.sent_to(READER.id))
    card_before = text_of(card)

    # A plain member of the staff chat replies to the card and presses Take.
    stranger_reply = staff_says(
        telegram, "Там 300 коек, отвечаю сам.", user=STRANGER, reply_to=card.message_id
    )
    stranger_note = staff_says(telegram, "!заметка", user=STRANGER, reply_to=card.message_id)
    await telegram.wait_for(
        lambda: any(
            str(call.params.get("user_id")) == str(STRANGER.id)
            for call in telegram.calls_of("getChatMember")
        ),
        timeout=WITHIN,
    )
    query = staff_presses(telegram, f"st:take:{number}", card.message_id, user=STRANGER)
    assert await wait_callback_answered(telegram, query) is None

    # A staff member forges a press naming a ticket that does not exist.
    forged = staff_presses(telegram, "st:take:999999", card.message_id)
    assert await wait_callback_answered(telegram, forged) == "Такого запроса нет."

    # A staff command afterwards: everything before it has been handled and sent.
    assert "Открытые запросы (1)" in await staff_command(telegram, app, "/queue")
    await wait_outbox_idle(app)

    stored = await ticket(app, number)
    assert stored.status is TicketStatus.NEW and stored.assignee is None
    assert [m.kind for m in await app.storage.tickets.messages(number)] == [
        TicketMessageKind.READER
    ]
    assert await app.storage.tickets.get(999999) is None
    assert len(telegram.sent_to(READER.id)) == reader_before, "the reader got nothing"
    assert text_of(card) == card_before and card.edits == 0
    assert not replies_to(telegram, stranger_reply)
    assert not replies_to(telegram, stranger_note)
    assert [text_of(m) for m in telegram.sent_to(STAFF_CHAT_ID)][-1].startswith("Открытые запросы")
