"""Card refreshes spend the staff chat's budget sparingly: a burst of changes is one edit of
the latest state, and a refresh that changes nothing is no edit at all."""

from __future__ import annotations

from storage.models import Address, Platform, TicketKind, TicketMessageKind, TicketStatus
from tests.staff.conftest import DeskFactory

READER = Address(Platform.TELEGRAM, 111)


async def test_a_burst_of_changes_is_one_edit_of_the_latest_state(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    thread = (await desk.ticket(ticket.id)).thread
    assert thread is not None and thread.card_message_id is not None
    edits = len(desk.telegram.edits)

    for status in (TicketStatus.IN_PROGRESS, TicketStatus.ANSWERED, TicketStatus.CLOSED):
        await desk.storage.tickets.set_status(ticket.id, status, "staff", desk.clock())
        await desk.desk.refresh_card(ticket.id)
    await desk.drain()

    assert len(desk.telegram.edits) == edits + 1
    _, message_id, card = desk.telegram.edits[-1]
    assert message_id == thread.card_message_id
    assert "закрыт" in card.text.lower()


async def test_a_refresh_that_changes_nothing_is_not_sent_again(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    await desk.storage.tickets.set_status(
        ticket.id, TicketStatus.IN_PROGRESS, "staff", desk.clock()
    )
    await desk.desk.refresh_card(ticket.id)
    await desk.drain()
    edits = len(desk.telegram.edits)

    await desk.desk.refresh_card(ticket.id)
    await desk.desk.refresh_card(ticket.id)
    await desk.drain()

    assert len(desk.telegram.edits) == edits


async def test_a_change_before_the_card_is_sent_posts_one_card_of_the_latest_state(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk()
    reader = await desk.reader(READER)
    ticket = await desk.storage.tickets.create(
        reader.id,
        TicketKind.THEMATIC,
        {"topic": "Кардиология"},
        deadline_at=desk.clock.now,
        at=desk.clock.now,
    )
    request = await desk.storage.tickets.add_message(
        ticket.id, TicketMessageKind.READER, "Кардиология", [], at=desk.clock.now
    )
    await desk.port.ticket_opened(ticket, request)
    # Staff take the ticket before the staff chat's budget let its card out.
    await desk.storage.tickets.set_status(
        ticket.id, TicketStatus.IN_PROGRESS, "staff", desk.clock()
    )
    await desk.desk.refresh_card(ticket.id)
    await desk.drain()

    cards = [post for post in desk.staff_posts() if f"№{ticket.id}" in post.text]
    assert len(cards) == 1, "one card per ticket, however often it changed before it went out"
    assert "в работе" in cards[0].text.lower()
    assert desk.telegram.edits == []
