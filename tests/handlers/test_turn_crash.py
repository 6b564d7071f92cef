"""A reader's turn killed part-way through its ticket writes leaves nothing half-stored, and
the platform's redelivery of the same update then completes it once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from handlers.core.config import LibraryProfile, ReaderPolicy, ServiceConfig
from handlers.core.i18n import Catalog
from handlers.core.ports import UnitOfWork
from handlers.reference.staff.desk import StaffDeskService
from storage.models import (
    Address,
    ErasedTicket,
    Platform,
    Ticket,
    TicketMessage,
    TicketMessageKind,
    TicketStatus,
)
from tests.handlers.conftest import STAFF, Desk, build_service
from tests.handlers.ticket_steps import consenting_reader, submit_question
from tests.support.kill import Killed, killed_before

READER = Address(Platform.TELEGRAM, 4242)
QUESTION = "Сколько лет журналу «Кардиология»?"
SEND = "form:factographic:confirm:send"


async def _reader_id(desk: Desk) -> int:
    reader = await desk.storage.readers.get(READER)
    assert reader is not None
    return reader.id


async def test_a_request_killed_before_its_first_message_opens_no_ticket(desk: Desk) -> None:
    await consenting_reader(desk, READER)
    await desk.press(READER, "menu:ask")
    await desk.press(READER, "ask:factographic")
    await desk.say(READER, QUESTION)
    await desk.press(READER, "form:factographic:files:skip")

    with killed_before(desk.storage.engine, "INSERT INTO ticket_messages"):
        await desk.press(READER, SEND)

    assert await desk.storage.tickets.for_reader(await _reader_id(desk)) == []
    assert desk.staff_desk.opened == []

    accepted = await desk.press(READER, SEND)

    assert "принят" in accepted.text
    [ticket] = await desk.storage.tickets.for_reader(await _reader_id(desk))
    [request] = await desk.storage.tickets.messages(ticket.id)
    assert request.kind is TicketMessageKind.READER and QUESTION in (request.text or "")
    assert [opened.id for opened, _ in desk.staff_desk.opened] == [ticket.id]


async def test_a_follow_up_killed_before_it_is_stored_does_not_reopen_the_ticket(
    desk: Desk,
) -> None:
    await consenting_reader(desk, READER)
    ticket = await submit_question(desk, READER, QUESTION)
    await desk.storage.tickets.set_status(ticket.id, TicketStatus.ANSWERED, "staff", desk.clock.now)
    desk.clock.now += timedelta(hours=1)

    with killed_before(desk.storage.engine, "INSERT INTO ticket_messages"):
        await desk.say(READER, "А сколько выпусков в год?")

    unchanged = await desk.storage.tickets.get(ticket.id)
    assert unchanged is not None and unchanged.status is TicketStatus.ANSWERED

    await desk.say(READER, "А сколько выпусков в год?")

    reopened = await desk.storage.tickets.get(ticket.id)
    assert reopened is not None and reopened.status is TicketStatus.NEW
    texts = [m.text for m in await desk.storage.tickets.messages(ticket.id)]
    assert texts.count("А сколько выпусков в год?") == 1
    statuses = [e.to_status for e in await desk.storage.tickets.events(ticket.id)]
    assert statuses == [TicketStatus.NEW, TicketStatus.ANSWERED, TicketStatus.NEW]
    assert len(desk.staff_desk.wrote) == 1


async def test_a_cancellation_killed_before_its_record_leaves_the_ticket_open(
    desk: Desk,
) -> None:
    await consenting_reader(desk, READER)
    ticket = await submit_question(desk, READER, QUESTION)

    with killed_before(desk.storage.engine, "INSERT INTO ticket_messages"):
        await desk.press(READER, f"tk:cancelyes:{ticket.id}")

    still_open = await desk.storage.tickets.get(ticket.id)
    assert still_open is not None and still_open.status is TicketStatus.NEW

    await desk.press(READER, f"tk:cancelyes:{ticket.id}")

    closed = await desk.storage.tickets.get(ticket.id)
    assert closed is not None and closed.status is TicketStatus.CLOSED
    kinds = [m.kind for m in await desk.storage.tickets.messages(ticket.id)]
    assert kinds == [TicketMessageKind.READER, TicketMessageKind.SYSTEM]
    assert len(desk.staff_desk.changed) == 1


class DiesAfterTheCommit:
    """The real staff desk in a process that dies as soon as the reader's follow-up is
    committed, before the desk hears of it."""

    def __init__(self, desk: StaffDeskService) -> None:
        self.desk = desk

    async def ticket_opened(self, ticket: Ticket, request: TicketMessage) -> None:
        await self.desk.ticket_opened(ticket, request)

    async def queue_reader_message(
        self, work: UnitOfWork, ticket: Ticket, message: TicketMessage
    ) -> None:
        await self.desk.queue_reader_message(work, ticket, message)

    async def reader_wrote(self, ticket: Ticket, message: TicketMessage) -> None:
        raise Killed("right after the commit")

    async def ticket_changed(self, ticket: Ticket, message: TicketMessage | None) -> None:
        await self.desk.ticket_changed(ticket, message)

    async def reader_forgotten(self, erased: Sequence[ErasedTicket]) -> None:
        await self.desk.reader_forgotten(erased)


async def test_a_follow_up_is_queued_for_staff_in_the_transaction_that_stores_it(
    desk: Desk,
) -> None:
    config = ServiceConfig(
        library=LibraryProfile(name="Библиотека"), policy=ReaderPolicy(), staff_chat=STAFF
    )
    staff_desk = StaffDeskService(
        tickets=desk.storage.tickets,
        outbox=desk.storage.outbox,
        catalog=Catalog(),
        messengers={Platform.TELEGRAM: desk.telegram, Platform.VK: desk.vk},
        config=config,
        clock=desk.clock,
    )
    desk.service = build_service(
        desk.storage, desk.telegram, desk.vk, staff_desk=DiesAfterTheCommit(staff_desk)
    )
    await consenting_reader(desk, READER)
    ticket = await submit_question(desk, READER, QUESTION)
    placed = await desk.storage.tickets.get(ticket.id)
    assert placed is not None and placed.thread is not None

    await desk.say(READER, "А сколько выпусков в год?")

    follow_up = (await desk.storage.tickets.messages(ticket.id))[-1]
    assert follow_up.text == "А сколько выпусков в год?"
    post = await desk.storage.outbox.get(f"thread:{ticket.id}:msg:{follow_up.id}")
    assert post is not None and post.address == STAFF
    assert "А сколько выпусков в год?" in str(post.payload["text"])
