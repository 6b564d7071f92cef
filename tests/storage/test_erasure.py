"""/forget in storage: after ``readers.forget`` none of the reader's words or ids is left in
any table (both backends) or in the bytes of the SQLite file and its log."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.database import Storage
from storage.models import ErasedTicket, NewRow, StaffThread
from storage.schema import anonymous_tickets, arrival_digest_plans, arrival_subscriptions
from storage.subscriptions import Frequency, Subscription
from tests.storage.conftest import is_postgres
from tests.storage.full_reader import GONE_ID, GONE_WORDS, KEPT_ID, KEPT_WORDS, STAFF_CHAT, fill
from tests.storage.tickets_support import at
from tests.storage.traces import (
    bytes_holding,
    file_bytes,
    id_bytes,
    table_text,
    tables_holding,
)


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
        "library_cards",
        "renewal_requests",
        "sent_loan_reminders",
    }, "the traces are looked for where they are"

    erased = await storage.readers.forget(gone.id)

    assert tables_holding(await table_text(storage), GONE_WORDS.values(), [GONE_ID]) == set()
    assert {ticket.id for ticket in erased} == {1, 2}
    assert erased[0] == ErasedTicket(1, StaffThread(STAFF_CHAT, None, 901), ((STAFF_CHAT, 901),))
    dump = await table_text(storage)
    kept_traces = tables_holding(dump, KEPT_WORDS.values(), [KEPT_ID])
    assert {found.split(":")[0] for found in kept_traces} >= {
        "readers",
        "messages",
        "tickets",
        "ticket_messages",
        "outbox",
        "library_cards",
        "renewal_requests",
    }, "the other reader keeps everything"
    still = await storage.readers.get_by_id(kept.id)
    assert still is not None and still.display_name == "Ольга Лучезарова"
    assert len(await storage.tickets.for_reader(kept.id)) == 2
    assert (await storage.tickets.search("фибриномантия")).hits
    assert (await storage.tickets.search("квазибраминовых")).hits == []


async def test_forget_and_withdrawal_erase_subject_subscriptions(storage: Storage) -> None:
    gone = await fill(storage, GONE_ID, GONE_WORDS)
    kept = await fill(storage, KEPT_ID, KEPT_WORDS)
    for reader in (gone, kept):
        digest = NewRow(f"sdi-week:{reader.id}:2026-W48", reader.address, {"text": "…"}, reader.id)
        assert await storage.outbox.enqueue_many([digest, digest]) == 1
    chosen = Subscription(("cardiology", "oncology"), Frequency.WEEKLY)
    assert await storage.subscriptions.get(gone.id) == chosen
    assert await subscription_rows(storage, gone.id) == (2, 1)

    await storage.readers.forget(gone.id)

    assert await subscription_rows(storage, gone.id) == (0, 0)
    assert await storage.outbox.get(f"sdi-week:{gone.id}:2026-W48") is None
    assert await storage.subscriptions.get(kept.id) == chosen
    assert await storage.outbox.get(f"sdi-week:{kept.id}:2026-W48") is not None

    await storage.readers.withdraw_consent(kept.id)

    assert await subscription_rows(storage, kept.id) == (0, 0)
    assert await storage.outbox.get(f"sdi-week:{kept.id}:2026-W48") is None
    assert await storage.readers.get_by_id(kept.id) is not None


async def subscription_rows(storage: Storage, reader_id: int) -> tuple[int, int]:
    """How many subject rows and digest plan rows the reader has."""
    async with storage.engine.connect() as conn:
        subjects = await conn.execute(
            select(func.count()).where(arrival_subscriptions.c.reader_id == reader_id)
        )
        plans = await conn.execute(
            select(func.count()).where(arrival_digest_plans.c.reader_id == reader_id)
        )
        return subjects.scalar_one(), plans.scalar_one()


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
