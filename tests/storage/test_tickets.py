"""Tickets: lifecycle with its events and timestamps, the queues staff and jobs read, the
staff-chat thread, ratings, and erasure with the reader."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from storage.database import Storage
from storage.models import (
    Address,
    ConsentState,
    Platform,
    Reader,
    StaffMember,
    StaffThread,
    TicketKind,
    TicketMessageKind,
    TicketStatus,
)
from storage.schema import staff_message_links, ticket_events, ticket_messages, tickets
from storage.tickets import TicketNotFound
from tests.storage.tickets_support import T0, at, open_ticket

ANNA = StaffMember(Platform.TELEGRAM, 501, "Анна")
OLEG = StaffMember(Platform.VK, 502, "Олег")
STAFF_CHAT = Address(Platform.TELEGRAM, -100_777)


async def test_create_opens_a_new_ticket_and_records_it(storage: Storage, reader: Reader) -> None:
    fields = {"topic": "Кардиология", "years": ["2020", "2024"], "pages": 3}
    created = await open_ticket(storage, reader, fields=fields, kind=TicketKind.ADDRESS)

    assert created.status is TicketStatus.NEW
    assert created.kind is TicketKind.ADDRESS
    assert created.fields == fields
    assert created.reader_id == reader.id
    assert created.created_at == created.updated_at == T0
    assert created.deadline_at == at(48 * 60)
    assert created.assignee is None
    assert created.thread is None
    assert (created.answered_at, created.closed_at, created.rating) == (None, None, None)
    assert await storage.tickets.get(created.id) == created
    [opened] = await storage.tickets.events(created.id)
    assert (opened.from_status, opened.to_status, opened.actor, opened.at) == (
        None,
        TicketStatus.NEW,
        "reader",
        T0,
    )


async def test_ticket_numbers_are_distinct_and_unknown_ones_are_none(
    storage: Storage, reader: Reader
) -> None:
    first = await open_ticket(storage, reader)
    second = await open_ticket(storage, reader, 1)

    assert first.id != second.id
    assert await storage.tickets.get(second.id + 1000) is None


async def test_reader_name_and_platform_come_from_the_reader(
    storage: Storage, reader: Reader
) -> None:
    vk_reader = await storage.readers.create(Address(Platform.VK, 9), "ru")
    await storage.readers.set_consent(vk_reader.id, ConsentState.GIVEN, "Мария Ивановна")

    anonymous = await open_ticket(storage, reader)
    named = await open_ticket(storage, vk_reader, 1)

    assert (anonymous.reader_name, anonymous.reader_platform) == (None, Platform.TELEGRAM)
    assert (named.reader_name, named.reader_platform) == ("Мария Ивановна", Platform.VK)
    [queued_first, queued_second] = await storage.tickets.queue()
    assert queued_second.reader_name == "Мария Ивановна"
    assert queued_first.reader_platform is Platform.TELEGRAM


async def test_full_lifecycle_records_every_change(storage: Storage, reader: Reader) -> None:
    ticket = await open_ticket(storage, reader)

    taken = await storage.tickets.assign(ticket.id, ANNA, at(5))
    assert taken.assignee == ANNA
    assert taken.status is TicketStatus.NEW
    assert taken.updated_at == at(5)
    working = await storage.tickets.set_status(
        ticket.id, TicketStatus.IN_PROGRESS, str(ANNA), at(5)
    )
    assert working.status is TicketStatus.IN_PROGRESS
    answered = await storage.tickets.set_status(ticket.id, TicketStatus.ANSWERED, str(ANNA), at(60))
    assert answered.answered_at == at(60)
    assert answered.closed_at is None
    closed = await storage.tickets.set_status(ticket.id, TicketStatus.CLOSED, "system", at(90))
    assert closed.closed_at == at(90)
    assert closed.answered_at == at(60)
    reopened = await storage.tickets.set_status(
        ticket.id, TicketStatus.IN_PROGRESS, str(OLEG), at(120)
    )
    assert reopened.closed_at is None
    assert reopened.updated_at == at(120)
    assert reopened.assignee == ANNA

    history = [
        (e.from_status, e.to_status, e.actor, e.at) for e in await storage.tickets.events(ticket.id)
    ]
    assert history == [
        (None, TicketStatus.NEW, "reader", at(0)),
        (TicketStatus.NEW, TicketStatus.NEW, str(ANNA), at(5)),
        (TicketStatus.NEW, TicketStatus.IN_PROGRESS, str(ANNA), at(5)),
        (TicketStatus.IN_PROGRESS, TicketStatus.ANSWERED, str(ANNA), at(60)),
        (TicketStatus.ANSWERED, TicketStatus.CLOSED, "system", at(90)),
        (TicketStatus.CLOSED, TicketStatus.IN_PROGRESS, str(OLEG), at(120)),
    ]


async def test_setting_the_same_status_changes_nothing(storage: Storage, reader: Reader) -> None:
    ticket = await open_ticket(storage, reader)
    await storage.tickets.set_status(ticket.id, TicketStatus.ANSWERED, "a", at(10))

    again = await storage.tickets.set_status(ticket.id, TicketStatus.ANSWERED, "b", at(20))

    assert again.answered_at == at(10)
    assert again.updated_at == at(10)
    assert [e.actor for e in await storage.tickets.events(ticket.id)] == ["reader", "a"]


async def test_changes_to_an_unknown_ticket_raise(storage: Storage) -> None:
    with pytest.raises(TicketNotFound):
        await storage.tickets.set_status(4242, TicketStatus.CLOSED, "system", T0)
    with pytest.raises(TicketNotFound):
        await storage.tickets.assign(4242, ANNA, T0)


async def test_reassigning_replaces_the_assignee(storage: Storage, reader: Reader) -> None:
    ticket = await open_ticket(storage, reader)
    await storage.tickets.assign(ticket.id, ANNA, at(1))

    moved = await storage.tickets.assign(ticket.id, OLEG, at(2))

    assert moved.assignee == OLEG
    assert await storage.tickets.get(ticket.id) == moved


async def test_every_change_of_hands_is_an_event_with_who_had_it_and_who_did_it(
    storage: Storage, reader: Reader
) -> None:
    ticket = await open_ticket(storage, reader)
    boss = StaffMember(Platform.TELEGRAM, 503, "Пётр")
    await storage.tickets.assign(ticket.id, ANNA, at(1))
    await storage.tickets.assign(ticket.id, ANNA, at(2))
    await storage.tickets.assign(ticket.id, OLEG, at(3), by=boss)

    [_, took, passed] = await storage.tickets.events(ticket.id)

    assert (took.from_status, took.to_status, took.actor, took.at) == (
        TicketStatus.NEW,
        TicketStatus.NEW,
        str(ANNA),
        at(1),
    )
    assert took.handover is not None
    assert (took.handover.previous, took.handover.assignee, took.handover.by) == (None, ANNA, ANNA)
    assert took.handover.is_taken
    assert (passed.actor, passed.at) == (str(boss), at(3))
    assert passed.handover is not None
    assert (passed.handover.previous, passed.handover.assignee, passed.handover.by) == (
        ANNA,
        OLEG,
        boss,
    )
    assert not passed.handover.is_taken


async def test_queue_is_open_tickets_oldest_first(storage: Storage, reader: Reader) -> None:
    late = await open_ticket(storage, reader, 30)
    early = await open_ticket(storage, reader, 10)
    answered = await open_ticket(storage, reader, 5)
    closed = await open_ticket(storage, reader, 1)
    working = await open_ticket(storage, reader, 20)
    await storage.tickets.set_status(answered.id, TicketStatus.ANSWERED, "a", at(40))
    await storage.tickets.set_status(closed.id, TicketStatus.CLOSED, "a", at(40))
    await storage.tickets.set_status(working.id, TicketStatus.IN_PROGRESS, "a", at(40))

    assert [t.id for t in await storage.tickets.queue()] == [early.id, working.id, late.id]


async def test_for_reader_is_newest_first_and_only_theirs(storage: Storage, reader: Reader) -> None:
    other = await storage.readers.create(Address(Platform.VK, 2), "ru")
    older = await open_ticket(storage, reader, 1)
    newer = await open_ticket(storage, reader, 2)
    await open_ticket(storage, other, 3)

    assert [t.id for t in await storage.tickets.for_reader(reader.id)] == [newer.id, older.id]
    assert [t.id for t in await storage.tickets.for_reader(reader.id, limit=1)] == [newer.id]


async def test_latest_active_skips_closed_tickets(storage: Storage, reader: Reader) -> None:
    assert await storage.tickets.latest_active_for_reader(reader.id) is None
    answered = await open_ticket(storage, reader, 1)
    await storage.tickets.set_status(answered.id, TicketStatus.ANSWERED, "a", at(2))
    closed = await open_ticket(storage, reader, 3)
    await storage.tickets.set_status(closed.id, TicketStatus.CLOSED, "reader", at(4))

    latest = await storage.tickets.latest_active_for_reader(reader.id)

    assert latest is not None
    assert latest.id == answered.id


async def test_latest_active_reads_every_column_as_get_does(
    storage: Storage, reader: Reader
) -> None:
    """On SQLite it runs outside SQLAlchemy's execution (``storage.sqlite_statements``): its
    values, timestamps and JSON included, must be the ones SQLAlchemy reads."""
    await storage.readers.set_consent(reader.id, ConsentState.GIVEN, "Пётр")
    opened = await open_ticket(storage, reader, 1)
    await storage.tickets.assign(opened.id, ANNA, at(2))
    await storage.tickets.set_status(opened.id, TicketStatus.ANSWERED, "a", at(3))
    await storage.tickets.set_thread(opened.id, StaffThread(STAFF_CHAT, 77, 901))

    latest = await storage.tickets.latest_active_for_reader(reader.id)

    assert latest == await storage.tickets.get(opened.id)
    assert latest is not None
    assert (latest.assignee, latest.reader_name, latest.answered_at) == (ANNA, "Пётр", at(3))


async def test_count_created_since(storage: Storage, reader: Reader) -> None:
    other = await storage.readers.create(Address(Platform.VK, 2), "ru")
    for minute in (0, 10, 20):
        await open_ticket(storage, reader, minute)
    await open_ticket(storage, other, 15)

    assert await storage.tickets.count_created_since(reader.id, at(10)) == 2
    assert await storage.tickets.count_created_since(reader.id, at(21)) == 0
    assert await storage.tickets.count_created_since(other.id, T0) == 1


async def test_overdue_is_open_tickets_past_deadline(storage: Storage, reader: Reader) -> None:
    soon = await open_ticket(storage, reader, 0, deadline_hours=1)
    sooner = await open_ticket(storage, reader, 10, deadline_hours=0.5)
    working = await open_ticket(storage, reader, 20, deadline_hours=2)
    await open_ticket(storage, reader, 30, deadline_hours=48)
    answered = await open_ticket(storage, reader, 40, deadline_hours=0.1)
    await storage.tickets.set_status(working.id, TicketStatus.IN_PROGRESS, "a", at(21))
    await storage.tickets.set_status(answered.id, TicketStatus.ANSWERED, "a", at(41))

    overdue = await storage.tickets.overdue(at(5 * 60))

    assert [t.id for t in overdue] == [sooner.id, soon.id, working.id]
    assert await storage.tickets.overdue(at(30)) == []


async def test_untaken_since_is_new_tickets_before_the_cutoff(
    storage: Storage, reader: Reader
) -> None:
    first = await open_ticket(storage, reader, 0)
    taken = await open_ticket(storage, reader, 5)
    second = await open_ticket(storage, reader, 10)
    await open_ticket(storage, reader, 60)
    await storage.tickets.set_status(taken.id, TicketStatus.IN_PROGRESS, "a", at(6))

    assert [t.id for t in await storage.tickets.untaken_since(at(30))] == [first.id, second.id]


async def test_answered_before_is_answers_older_than_the_cutoff(
    storage: Storage, reader: Reader
) -> None:
    old = await open_ticket(storage, reader, 0)
    recent = await open_ticket(storage, reader, 1)
    reopened = await open_ticket(storage, reader, 2)
    await storage.tickets.set_status(old.id, TicketStatus.ANSWERED, "a", at(10))
    await storage.tickets.set_status(recent.id, TicketStatus.ANSWERED, "a", at(100))
    await storage.tickets.set_status(reopened.id, TicketStatus.ANSWERED, "a", at(5))
    await storage.tickets.set_status(reopened.id, TicketStatus.IN_PROGRESS, "reader", at(6))

    assert [t.id for t in await storage.tickets.answered_before(at(50))] == [old.id]


async def test_messages_keep_kind_author_attachments_and_order(
    storage: Storage, reader: Reader
) -> None:
    ticket = await open_ticket(storage, reader)
    files = [{"type": "photo", "file_id": "abc"}]
    asked = await storage.tickets.add_message(
        ticket.id, TicketMessageKind.READER, "Нужна статья", files, at=at(1)
    )
    note = await storage.tickets.add_message(
        ticket.id, TicketMessageKind.NOTE, "проверить фонд", author=ANNA, at=at(2)
    )
    answer = await storage.tickets.add_message(
        ticket.id, TicketMessageKind.STAFF, None, [{"type": "document"}], ANNA, at(3)
    )

    assert await storage.tickets.messages(ticket.id) == [asked, note, answer]
    assert asked.attachments == files
    assert asked.author is None
    assert note.author == ANNA
    assert answer.text is None
    stored = await storage.tickets.get(ticket.id)
    assert stored is not None
    assert stored.updated_at == at(3)


async def test_message_time_defaults_to_the_clock(storage: Storage, reader: Reader) -> None:
    ticket = await open_ticket(storage, reader)

    added = await storage.tickets.add_message(ticket.id, TicketMessageKind.SYSTEM, "rated")

    assert added.created_at > T0
    assert added.created_at.tzinfo is not None


async def test_thread_and_topic_lookup(storage: Storage, reader: Reader) -> None:
    ticket = await open_ticket(storage, reader)
    other = await open_ticket(storage, reader, 1)
    await storage.tickets.set_thread(ticket.id, StaffThread(STAFF_CHAT, topic_id=77))
    await storage.tickets.set_thread(other.id, StaffThread(STAFF_CHAT, topic_id=78))

    found = await storage.tickets.by_topic(STAFF_CHAT, 77)
    assert found is not None
    assert found.id == ticket.id
    assert found.thread == StaffThread(STAFF_CHAT, topic_id=77)
    assert await storage.tickets.by_topic(STAFF_CHAT, 79) is None
    assert await storage.tickets.by_topic(Address(Platform.VK, STAFF_CHAT.peer_id), 77) is None

    await storage.tickets.set_thread(
        ticket.id, StaffThread(STAFF_CHAT, topic_id=77, card_message_id=1001)
    )
    carded = await storage.tickets.get(ticket.id)
    assert carded is not None
    assert carded.thread == StaffThread(STAFF_CHAT, 77, 1001)


async def test_staff_messages_link_to_their_ticket(storage: Storage, reader: Reader) -> None:
    ticket = await open_ticket(storage, reader)
    other = await open_ticket(storage, reader, 1)
    vk_chat = Address(Platform.VK, 2_000_000_001)

    await storage.tickets.link_staff_message(ticket.id, STAFF_CHAT, 10)
    await storage.tickets.link_staff_message(ticket.id, STAFF_CHAT, 10)
    await storage.tickets.link_staff_message(other.id, STAFF_CHAT, 10)
    await storage.tickets.link_staff_message(other.id, vk_chat, 10)

    linked = await storage.tickets.by_staff_message(STAFF_CHAT, 10)
    assert linked is not None
    assert linked.id == ticket.id
    on_vk = await storage.tickets.by_staff_message(vk_chat, 10)
    assert on_vk is not None
    assert on_vk.id == other.id
    assert await storage.tickets.by_staff_message(STAFF_CHAT, 11) is None


@pytest.mark.parametrize("rating", [1, 5])
async def test_rating_is_stored(storage: Storage, reader: Reader, rating: int) -> None:
    ticket = await open_ticket(storage, reader)

    await storage.tickets.rate(ticket.id, rating, "спасибо")

    rated = await storage.tickets.get(ticket.id)
    assert rated is not None
    assert (rated.rating, rated.rating_comment) == (rating, "спасибо")


@pytest.mark.parametrize("rating", [0, 6, -1])
async def test_ratings_outside_one_to_five_are_refused(
    storage: Storage, reader: Reader, rating: int
) -> None:
    ticket = await open_ticket(storage, reader)

    with pytest.raises(ValueError, match="1 to 5"):
        await storage.tickets.rate(ticket.id, rating, None)

    unrated = await storage.tickets.get(ticket.id)
    assert unrated is not None
    assert unrated.rating is None


async def _rows(storage: Storage, ticket_ids: list[int]) -> dict[str, int]:
    counts = {}
    async with storage.engine.connect() as conn:
        for table in (tickets, ticket_messages, ticket_events, staff_message_links):
            column = table.c.id if table is tickets else table.c.ticket_id
            query = select(func.count()).select_from(table).where(column.in_(ticket_ids))
            counts[table.name] = (await conn.execute(query)).scalar_one()
    return counts


async def test_forgetting_a_reader_deletes_their_tickets_only(
    storage: Storage, reader: Reader
) -> None:
    other = await storage.readers.create(Address(Platform.VK, 2), "ru")
    gone = await open_ticket(storage, reader)
    kept = await open_ticket(storage, other, 1)
    for ticket, chat_message in ((gone, 1), (kept, 2)):
        await storage.tickets.add_message(ticket.id, TicketMessageKind.READER, "вопрос")
        await storage.tickets.set_status(ticket.id, TicketStatus.IN_PROGRESS, "a", at(2))
        await storage.tickets.link_staff_message(ticket.id, STAFF_CHAT, chat_message)

    await storage.readers.forget(reader.id)

    assert await storage.tickets.get(gone.id) is None
    assert await storage.tickets.for_reader(reader.id) == []
    assert await storage.tickets.by_staff_message(STAFF_CHAT, 1) is None
    assert await _rows(storage, [gone.id]) == dict.fromkeys(
        ("tickets", "ticket_messages", "ticket_events", "staff_message_links"), 0
    )
    assert await _rows(storage, [kept.id]) == {
        "tickets": 1,
        "ticket_messages": 1,
        "ticket_events": 2,
        "staff_message_links": 1,
    }
    assert await storage.tickets.get(kept.id) is not None


async def test_concurrent_identical_changes_record_one_event(
    storage: Storage, reader: Reader
) -> None:
    ticket = await open_ticket(storage, reader)

    await asyncio.gather(
        *(
            storage.tickets.set_status(ticket.id, TicketStatus.CLOSED, f"staff {n}", at(n))
            for n in range(1, 9)
        )
    )

    events = await storage.tickets.events(ticket.id)
    assert [e.to_status for e in events] == [TicketStatus.NEW, TicketStatus.CLOSED]
    closed = await storage.tickets.get(ticket.id)
    assert closed is not None
    assert closed.closed_at == events[-1].at


@pytest.mark.parametrize(
    "member",
    [
        ANNA,
        OLEG,
        StaffMember(Platform.TELEGRAM, 7, "Анна (библиограф)"),
        StaffMember(Platform.VK, 1, ""),
    ],
)
def test_a_staff_actor_reads_back_as_the_staff_member(member: StaffMember) -> None:
    assert StaffMember.parse(str(member)) == member


@pytest.mark.parametrize("actor", ["reader", "system", "Анна (mail:5)", "Анна (vk:x)", "Анна vk:5"])
def test_other_actors_are_not_staff_members(actor: str) -> None:
    assert StaffMember.parse(actor) is None
