"""/forget in storage: after ``readers.forget`` none of the reader's words or ids is left in
any table (both backends) or in the bytes of the SQLite file and its log."""

from __future__ import annotations

from sqlalchemy import select

from storage.database import Storage
from storage.models import (
    Address,
    ConsentState,
    DialogState,
    Direction,
    ErasedTicket,
    Platform,
    Reader,
    StaffMember,
    StaffThread,
    TicketKind,
    TicketMessageKind,
    TicketStatus,
)
from storage.schema import anonymous_tickets
from tests.storage.conftest import is_postgres
from tests.storage.tickets_support import at
from tests.storage.traces import (
    bytes_holding,
    file_bytes,
    id_bytes,
    table_text,
    tables_holding,
)

STAFF_CHAT = Address(Platform.TELEGRAM, -1009876543210)
LIBRARIAN = StaffMember(Platform.TELEGRAM, 5551234, "Библиотекарь Смирнова")

GONE_ID = 7318245906113
"""A peer id no other value in the database comes near."""
GONE_WORDS = {
    "name": "Зоркенштейн",
    "topic": "квазибраминовых",
    "second": "Тромбоплюмбия",
    "follow_up": "vorpalfungus",
    "answer": "плюмбофилина",
    "rating": "xyloquartzy",
    "card": "ЧБ5550173",
    "books": "Гиппокраксия",
    "log": "трамбулезии",
    "draft": "mandrivolting",
    "failed": "окказиональный",
}
KEPT_ID = 6200417733919
KEPT_WORDS = {"name": "Лучезарова", "topic": "фибриномантия", "log": "quillbrattle"}


async def fill(storage: Storage, peer_id: int, words: dict[str, str]) -> Reader:
    """A reader who did everything the bot keeps something of: consent with a name, a
    conversation, a form in progress, two requests with a follow-up, an answer and a rating,
    a renewal notice and staff-chat posts, delivered, pending and failed."""
    address = Address(Platform.TELEGRAM, peer_id)
    reader = await storage.readers.create(address, "ru")
    await storage.readers.set_consent(reader.id, ConsentState.GIVEN, f"Ольга {words['name']}")
    await storage.conversations.record(reader.id, Direction.IN, f"вопрос о {words['log']}")
    await storage.dialogs.save(
        reader.id, DialogState(flow="renewal", step="books", data={"draft": words.get("draft")})
    )
    first = await storage.tickets.create(
        reader.id, TicketKind.THEMATIC, {"topic": words["topic"]}, at(60), at(0)
    )
    await storage.tickets.add_message(
        first.id, TicketMessageKind.READER, f"Литература о {words['topic']}", at=at(0)
    )
    second = await storage.tickets.create(
        reader.id, TicketKind.OTHER, {"question": words.get("second", "")}, at(90), at(1)
    )
    for ticket in (first, second):
        thread = StaffThread(STAFF_CHAT, topic_id=None, card_message_id=900 + ticket.id)
        await storage.tickets.set_thread(ticket.id, thread)
        await storage.tickets.link_staff_message(ticket.id, STAFF_CHAT, 900 + ticket.id)
    await storage.tickets.add_message(
        first.id, TicketMessageKind.READER, f"И ещё {words.get('follow_up', '')}", at=at(2)
    )
    await storage.tickets.add_message(
        first.id,
        TicketMessageKind.STAFF,
        f"Нашли три статьи о {words.get('answer', '')}",
        author=LIBRARIAN,
        at=at(3),
    )
    await storage.tickets.set_status(first.id, TicketStatus.ANSWERED, str(LIBRARIAN), at(3))
    await storage.tickets.rate(first.id, 5, f"Спасибо, {words.get('rating', '')}")

    tag = str(peer_id)
    card = {"text": f"№{first.id} {words['name']}: {words['topic']}", "link": {"ticket": first.id}}
    await storage.outbox.enqueue(f"card:{tag}", STAFF_CHAT, card, ticket_id=first.id)
    await storage.outbox.enqueue(
        f"renew:{tag}",
        STAFF_CHAT,
        {"text": f"{words['name']} {words.get('card', '')} {words.get('books', '')}"},
        reader_id=reader.id,
    )
    await storage.outbox.enqueue(
        f"reply:{address}:{tag}", address, {"text": f"Ответ: {words.get('answer', '')}"}
    )
    await storage.outbox.enqueue(
        f"answer:{tag}", address, {"text": words.get("failed", "")}, reader_id=reader.id
    )
    claimed = await storage.outbox.claim(10, at(10), 60)
    for item in claimed:
        if item.key.startswith("answer:"):
            await storage.outbox.mark_failed(item.id, f"403 for {peer_id}")
        elif not item.key.startswith("card:"):
            await storage.outbox.mark_sent(item.id, at(11))
    await storage.outbox.enqueue(
        f"thread:{tag}",
        STAFF_CHAT,
        {"text": f"{words['name']}: {words.get('follow_up', '')}"},
        ticket_id=first.id,
    )
    return reader


async def test_forget_leaves_no_word_or_id_of_the_reader_in_any_table(storage: Storage) -> None:
    gone = await fill(storage, GONE_ID, GONE_WORDS)
    kept = await fill(storage, KEPT_ID, KEPT_WORDS)
    before = tables_holding(await table_text(storage), GONE_WORDS.values(), [GONE_ID])
    assert {found.split(":")[0] for found in before} >= {
        "readers",
        "messages",
        "dialog_states",
        "tickets",
        "ticket_messages",
        "outbox",
    }, "the traces are looked for where they are"

    erased = await storage.readers.forget(gone.id)

    assert tables_holding(await table_text(storage), GONE_WORDS.values(), [GONE_ID]) == set()
    assert {ticket.id for ticket in erased} == {1, 2}
    assert erased[0] == ErasedTicket(1, StaffThread(STAFF_CHAT, None, 901))
    dump = await table_text(storage)
    kept_traces = tables_holding(dump, KEPT_WORDS.values(), [KEPT_ID])
    assert {found.split(":")[0] for found in kept_traces} >= {
        "readers",
        "messages",
        "tickets",
        "ticket_messages",
        "outbox",
    }, "the other reader keeps everything"
    still = await storage.readers.get_by_id(kept.id)
    assert still is not None and still.display_name == "Ольга Лучезарова"
    assert len(await storage.tickets.for_reader(kept.id)) == 2
    assert [hit.ticket_id for hit in await storage.tickets.search("фибриномантия")]
    assert await storage.tickets.search("квазибраминовых") == []


async def test_forget_leaves_anonymous_records_of_the_tickets(storage: Storage) -> None:
    gone = await fill(storage, GONE_ID, GONE_WORDS)

    await storage.readers.forget(gone.id)

    async with storage.engine.connect() as conn:
        rows = (
            await conn.execute(select(anonymous_tickets).order_by(anonymous_tickets.c.id))
        ).all()
    assert [
        (row.kind, row.status, row.created_on, row.answered_on, row.rating, row.reason)
        for row in rows
    ] == [
        ("thematic", "answered", at(0).date(), at(3).date(), 5, "forgotten"),
        ("other", "new", at(1).date(), None, None, "forgotten"),
    ]


async def test_forget_leaves_no_byte_of_the_reader_in_the_sqlite_files(
    storage: Storage, database_url: str
) -> None:
    if is_postgres(database_url):
        return  # PostgreSQL keeps dead rows until VACUUM: only the table check applies.
    gone = await fill(storage, GONE_ID, GONE_WORDS)
    await fill(storage, KEPT_ID, KEPT_WORDS)
    assert bytes_holding(file_bytes(storage), GONE_WORDS.values(), [GONE_ID]) >= {
        "квазибраминовых",
        "квазибраминов",
        "vorpalfungus",
        "плюмбофилин",
        str(GONE_ID),
        repr(id_bytes(GONE_ID)),
    }, "the search finds the traces while they are there"

    await storage.readers.forget(gone.id)

    assert bytes_holding(file_bytes(storage), GONE_WORDS.values(), [GONE_ID]) == set()
    assert bytes_holding(file_bytes(storage), KEPT_WORDS.values(), [KEPT_ID]) >= {
        "фибриномантия",
        "quillbrattle",
    }
