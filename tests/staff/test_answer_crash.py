"""A kill part-way through storing a staff answer loses nothing and repeats nothing.

The kill is a real failure inside the database work: an error raised just before one of the
answer's SQL statements runs, after the ones before it (the ticket message first of all)
have run, as a process dying there would stop it. Nothing of the answer may be left stored;
then the platform redelivers the staff message it never saw handled (VK and Telegram both
do, for an update not confirmed before a restart), and the reader gets the answer exactly
once, with the ticket history holding it exactly once.
"""

from __future__ import annotations

import asyncio

import pytest

from handlers.core.events import Event
from storage.models import Address, Platform, TicketMessageKind, TicketStatus
from tests.staff.conftest import CONFIGURED_STAFF, Desk, DeskFactory
from tests.support.kill import killed_before

READER = Address(Platform.VK, 222)
ANSWER = "Статья есть в «Кардиологии» за 2019 год, № 4, с. 12–19."


def staff_reply(desk: Desk, card_message_id: int) -> Event:
    """One staff message in the chat; handling it again is the platform's redelivery."""
    return Event(
        address=desk.chat,
        sender_id=CONFIGURED_STAFF,
        display_name="Мария Иванова",
        text=ANSWER,
        message_id=70_001,
        is_private=False,
        reply_to_message_id=card_message_id,
    )


@pytest.mark.parametrize(
    "killed_at",
    [
        "INSERT INTO outbox",
        "assignee_platform=",
        "INSERT INTO ticket_events",
        "staffchat:",
    ],
)
async def test_an_answer_killed_part_way_is_delivered_once_after_the_restart(
    make_desk: DeskFactory, killed_at: str
) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    card = (await desk.ticket(ticket.id)).thread
    assert card is not None and card.card_message_id is not None
    reply = staff_reply(desk, card.card_message_id)

    with killed_before(desk.storage.engine, killed_at) as statements:
        await desk.service.handle(reply)
    await desk.drain()

    assert any("INSERT INTO ticket_messages" in statement for statement in statements)
    assert killed_at in statements[-1]
    assert desk.vk.replies_to(READER) == []
    assert [m.kind for m in await desk.storage.tickets.messages(ticket.id)] == [
        TicketMessageKind.READER
    ]
    assert (await desk.ticket(ticket.id)).status is TicketStatus.NEW
    assert not any("отправляется читателю" in text for text in desk.texts())

    await desk.service.handle(reply)
    await desk.drain()
    await desk.service.handle(reply)
    await desk.drain()

    [answer] = desk.vk.replies_to(READER)
    assert ANSWER in answer.text
    staff_messages = [
        m.text
        for m in await desk.storage.tickets.messages(ticket.id)
        if m.kind is TicketMessageKind.STAFF
    ]
    assert staff_messages == [ANSWER]
    answered = await desk.ticket(ticket.id)
    assert answered.status is TicketStatus.ANSWERED
    assert answered.assignee is not None and answered.assignee.user_id == CONFIGURED_STAFF
    [acknowledgement] = [text for text in desk.texts() if "отправляется читателю" in text]
    assert f"№{ticket.id}" in acknowledgement


async def test_two_deliveries_of_one_staff_message_at_once_answer_once(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    card = (await desk.ticket(ticket.id)).thread
    assert card is not None and card.card_message_id is not None
    reply = staff_reply(desk, card.card_message_id)

    await asyncio.gather(desk.service.handle(reply), desk.service.handle(reply))
    await desk.drain()

    assert len(desk.vk.replies_to(READER)) == 1
    kinds = [m.kind for m in await desk.storage.tickets.messages(ticket.id)]
    assert kinds.count(TicketMessageKind.STAFF) == 1
    assert sum("отправляется читателю" in text for text in desk.texts()) == 1
