"""Erasing personal data: a reader who asked to be forgotten, and whatever is past retention.

Both run in one transaction and delete every row that holds a reader's words, files or ids:
the reader, their conversation log and dialog state, their linked library card, renewal
requests and the record of loan reminders sent to them, their tickets with everything attached
(messages, status history, staff-chat links, search entries, staff-chat posts in the outbox)
and the outbox rows addressed to or about them. An erased ticket leaves only an anonymous
record (:data:`storage.schema.anonymous_tickets`) for statistics.

On SQLite the full-text index is merged afterwards so that no deleted token survives in an
old segment, and every connection runs with ``secure_delete``, so freed bytes are zeroed.
:func:`scrub` then checkpoints the write-ahead log, so that old copies of the pages leave it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, insert, or_, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage import search as full_text
from storage.models import Address, ErasedTicket, OutboxStatus, Platform, PurgeCounts
from storage.schema import (
    anonymous_tickets,
    dialog_states,
    library_cards,
    messages,
    outbox,
    readers,
    renewal_requests,
    sent_loan_reminders,
    staff_message_links,
    tickets,
)
from storage.staff_columns import thread_of
from storage.subscriptions import erase_subscriptions

FORGOTTEN = "forgotten"
EXPIRED = "expired"
"""The ``reason`` of an anonymous ticket record: the reader asked, or retention ran out."""

SETTLED = (str(OutboxStatus.SENT), str(OutboxStatus.FAILED), str(OutboxStatus.CANCELLED))


async def erase_reader(conn: AsyncConnection, reader_id: int) -> list[ErasedTicket]:
    """Delete the reader and everything about them (in the caller's transaction); returns
    their tickets as they were placed in the staff chat."""
    erased = await erase_reader_data(conn, reader_id)
    await conn.execute(delete(dialog_states).where(dialog_states.c.reader_id == reader_id))
    await conn.execute(delete(readers).where(readers.c.id == reader_id))
    return erased


async def erase_reader_data(conn: AsyncConnection, reader_id: int) -> list[ErasedTicket]:
    """Delete everything the reader wrote or was sent (in the caller's transaction): their
    tickets, conversation log, outbox rows and subject subscriptions; the reader's own row and
    dialog state stay.
    Returns the tickets as they were placed in the staff chat."""
    same_address = exists().where(
        readers.c.id == reader_id,
        readers.c.platform == outbox.c.platform,
        readers.c.peer_id == outbox.c.peer_id,
    )
    # A write first: on SQLite that takes the write lock up front.
    await conn.execute(delete(outbox).where(or_(outbox.c.reader_id == reader_id, same_address)))
    erased = await erase_tickets(conn, tickets.c.reader_id == reader_id, FORGOTTEN)
    await conn.execute(delete(messages).where(messages.c.reader_id == reader_id))
    await conn.execute(delete(library_cards).where(library_cards.c.reader_id == reader_id))
    await conn.execute(delete(renewal_requests).where(renewal_requests.c.reader_id == reader_id))
    await conn.execute(
        delete(sent_loan_reminders).where(sent_loan_reminders.c.reader_id == reader_id)
    )
    await erase_subscriptions(conn, reader_id)
    return erased


async def erase_tickets(
    conn: AsyncConnection, condition: ColumnElement[bool], reason: str
) -> list[ErasedTicket]:
    """Replace the tickets matching ``condition`` with anonymous records and delete them with
    everything attached (in the caller's transaction)."""
    rows = (await conn.execute(select(tickets).where(condition).order_by(tickets.c.id))).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    posts = await _posts(conn, ids)
    await conn.execute(
        insert(anonymous_tickets), [_anonymous(row._mapping, reason) for row in rows]
    )
    await full_text.forget_tickets(conn, ids)
    # Messages, events, staff-chat links and outbox posts go by cascade.
    await conn.execute(delete(tickets).where(tickets.c.id.in_(ids)))
    return [ErasedTicket(row.id, thread_of(row._mapping), posts.get(row.id, ())) for row in rows]


async def _posts(
    conn: AsyncConnection, ticket_ids: list[int]
) -> dict[int, tuple[tuple[Address, int], ...]]:
    """The linked staff-chat messages of each ticket, oldest first."""
    links = staff_message_links.c
    rows = await conn.execute(
        select(links.ticket_id, links.platform, links.chat_id, links.message_id)
        .where(links.ticket_id.in_(ticket_ids))
        .order_by(links.ticket_id, links.message_id)
    )
    posts: dict[int, tuple[tuple[Address, int], ...]] = {}
    for row in rows:
        chat = Address(Platform(row.platform), row.chat_id)
        posts[row.ticket_id] = (*posts.get(row.ticket_id, ()), (chat, row.message_id))
    return posts


async def purge_before(conn: AsyncConnection, cutoff: datetime) -> PurgeCounts:
    """Delete what is older than ``cutoff`` (in the caller's transaction): conversation log
    entries, tickets with no activity since (anonymous records stay), dialog states, renewal
    requests and linked library cards left untouched since, loan reminder records made before
    it, and outbox rows settled (sent,
    failed, cancelled) that were created before it."""
    log = await conn.execute(delete(messages).where(messages.c.created_at < cutoff))
    expired = await erase_tickets(conn, tickets.c.updated_at < cutoff, EXPIRED)
    states = await conn.execute(delete(dialog_states).where(dialog_states.c.updated_at < cutoff))
    await conn.execute(delete(renewal_requests).where(renewal_requests.c.updated_at < cutoff))
    await conn.execute(delete(library_cards).where(library_cards.c.updated_at < cutoff))
    await conn.execute(delete(sent_loan_reminders).where(sent_loan_reminders.c.created_at < cutoff))
    settled = await conn.execute(
        delete(outbox).where(outbox.c.status.in_(SETTLED), outbox.c.created_at < cutoff)
    )
    return PurgeCounts(
        messages=log.rowcount,
        tickets=len(expired),
        outbox_rows=settled.rowcount,
        dialog_states=states.rowcount,
    )


async def scrub(engine: AsyncEngine) -> None:
    """After an erasure has committed: on SQLite, move the log's pages into the database file
    and truncate the log, so that the old copies of erased pages leave the disk. A busy
    database is left for the next erasure or SQLite's own checkpoints."""
    if engine.dialect.name != "sqlite":
        return
    async with engine.connect() as conn:
        await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def _anonymous(values: Any, reason: str) -> dict[str, Any]:
    return {
        "kind": values["kind"],
        "status": values["status"],
        "created_on": values["created_at"].date(),
        "answered_on": values["answered_at"].date() if values["answered_at"] else None,
        "closed_on": values["closed_at"].date() if values["closed_at"] else None,
        "rating": values["rating"],
        "reason": reason,
    }


class RetentionRepository:
    """The retention period's side of erasure."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def purge_before(self, cutoff: datetime) -> PurgeCounts:
        """Delete, in one transaction, everything older than ``cutoff`` (see
        :func:`purge_before`), then scrub the SQLite log."""
        async with self._engine.begin() as conn:
            counts = await purge_before(conn, cutoff)
        await scrub(self._engine)
        return counts
