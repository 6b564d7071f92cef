"""Reference tickets: the request, its conversation, its status history and its place in the
staff chat."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, bindparam, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage import search as full_text
from storage.connectable import Connectable, single_reads
from storage.dialect import insert_or_ignore
from storage.models import (
    Address,
    Handover,
    SearchResults,
    StaffMember,
    StaffThread,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketMessage,
    TicketMessageKind,
    TicketStatus,
)
from storage.schema import staff_message_links, ticket_events, ticket_messages, tickets
from storage.sqlite_lanes import Calls, PooledCalls
from storage.sqlite_statements import fetch_one, prepare
from storage.staff_columns import member_columns, thread_columns
from storage.ticket_rows import (
    assignee_of,
    event,
    handover_json,
    message,
    ticket,
    ticket_from_values,
    ticket_select,
)
from storage.types import Clock, UtcDateTime, utcnow

OPEN = (str(TicketStatus.NEW), str(TicketStatus.IN_PROGRESS))
ACTIVE = (*OPEN, str(TicketStatus.ANSWERED))

RATINGS = range(1, 6)


class TicketNotFound(LookupError):
    """No ticket has the id a change was asked for."""


_LATEST_ACTIVE = (
    ticket_select()
    .where(
        tickets.c.reader_id == bindparam("reader_id"),
        # One bound value each, not SQLAlchemy's expanding IN: the statement's SQL is then
        # fixed, so it can be prepared once (see storage.sqlite_statements).
        tickets.c.status.in_([literal(status, String) for status in ACTIVE]),
    )
    .order_by(tickets.c.created_at.desc(), tickets.c.id.desc())
    .limit(1)
)
"""Built once: every free text of a reader looks for their open ticket."""


class TicketRepository:
    """Tickets stored in SQL; satisfies ``handlers.core.ports.Tickets``.

    Every ticket read carries its reader's display name and platform (joined from
    ``readers``), its assignee and its staff-chat thread.
    """

    def __init__(
        self, engine: Connectable, clock: Clock = utcnow, *, sqlite_reads: Calls | None = None
    ) -> None:
        """``sqlite_reads``: where the open-ticket lookup runs on an SQLite engine (on a
        connection of its own from the pool by default; see ``storage.sqlite_lanes``)."""
        self._engine = engine
        self._reads = single_reads(engine)
        self._clock = clock
        self._sqlite_reads: Calls | None = None
        self._latest_active = None
        if isinstance(engine, AsyncEngine) and engine.dialect.name == "sqlite":
            self._sqlite_reads = sqlite_reads or PooledCalls(engine)
            self._latest_active = prepare(_LATEST_ACTIVE, engine.dialect)

    async def create(
        self,
        reader_id: int,
        kind: TicketKind,
        fields: dict[str, Any],
        deadline_at: datetime,
        at: datetime,
    ) -> Ticket:
        """Open a ticket (status NEW), record that event with actor ``"reader"`` and make its
        form fields searchable, all in one transaction."""
        async with self._engine.begin() as conn:
            ticket_id = (
                await conn.execute(
                    insert(tickets)
                    .values(
                        reader_id=reader_id,
                        kind=str(kind),
                        status=str(TicketStatus.NEW),
                        fields=dict(fields),
                        deadline_at=deadline_at,
                        created_at=at,
                        updated_at=at,
                    )
                    .returning(tickets.c.id)
                )
            ).scalar_one()
            await conn.execute(
                insert(ticket_events).values(
                    ticket_id=ticket_id,
                    from_status=None,
                    to_status=str(TicketStatus.NEW),
                    actor="reader",
                    at=at,
                )
            )
            await full_text.index_fields(conn, ticket_id, fields)
            return await self._require(conn, ticket_id)

    async def get(self, ticket_id: int) -> Ticket | None:
        """The ticket numbered ``ticket_id``, if there is one."""
        async with self._engine.connect() as conn:
            return await self._one(conn, tickets.c.id == ticket_id)

    async def for_reader(self, reader_id: int, limit: int = 20) -> list[Ticket]:
        """The reader's tickets, newest first."""
        return await self._many(
            tickets.c.reader_id == reader_id,
            order=(tickets.c.created_at.desc(), tickets.c.id.desc()),
            limit=limit,
        )

    async def latest_active_for_reader(self, reader_id: int) -> Ticket | None:
        """The reader's newest ticket that is new, in progress or answered (not closed)."""
        parameters = {"reader_id": reader_id}
        if self._sqlite_reads is not None and self._latest_active is not None:
            # Every free text of a reader runs this: one hand-off to SQLite's thread.
            found = self._latest_active
            raw = await self._sqlite_reads.run(fetch_one, found.sql, found.parameters(parameters))
            return None if raw is None else ticket_from_values(found.row(raw))
        async with self._reads.connect() as conn:
            row = (await conn.execute(_LATEST_ACTIVE, parameters)).first()
        return ticket(row) if row else None

    async def count_created_since(self, reader_id: int, since: datetime) -> int:
        """How many tickets the reader opened at or after ``since``."""
        query = select(func.count()).where(
            tickets.c.reader_id == reader_id, tickets.c.created_at >= since
        )
        async with self._engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def queue(self) -> list[Ticket]:
        """Open tickets (new or in progress), oldest first."""
        return await self._many(
            tickets.c.status.in_(OPEN), order=(tickets.c.created_at, tickets.c.id)
        )

    async def set_status(
        self, ticket_id: int, status: TicketStatus, actor: str, at: datetime
    ) -> Ticket:
        """Change the status and record the change with ``actor`` and ``at``.

        Moving to ANSWERED sets ``answered_at``; moving to CLOSED sets ``closed_at``, and
        leaving CLOSED clears it. Setting the status the ticket already has changes nothing
        and records nothing. Raises :class:`TicketNotFound` for an unknown ticket.
        """
        new = str(status)
        # The event is written first, from the row as it stands: that takes SQLite's write
        # lock up front, and on PostgreSQL FOR UPDATE makes a concurrent change wait and then
        # see the status this one left, so two callers never both record the same move.
        record = insert(ticket_events).from_select(
            ["ticket_id", "from_status", "to_status", "actor", "at"],
            select(
                tickets.c.id,
                tickets.c.status,
                literal(new, String()),
                literal(actor, String()),
                literal(at, UtcDateTime()),
            )
            .where(tickets.c.id == ticket_id, tickets.c.status != new)
            .with_for_update(),
        )
        changes: dict[str, Any] = {"status": new, "updated_at": at}
        if status is TicketStatus.ANSWERED:
            changes["answered_at"] = at
        changes["closed_at"] = at if status is TicketStatus.CLOSED else None
        async with self._engine.begin() as conn:
            moved = (await conn.execute(record.returning(ticket_events.c.id))).first()
            if moved is not None:
                await conn.execute(
                    update(tickets).where(tickets.c.id == ticket_id).values(**changes)
                )
            return await self._require(conn, ticket_id)

    async def assign(
        self,
        ticket_id: int,
        staff: StaffMember,
        at: datetime,
        *,
        by: StaffMember | None = None,
    ) -> Ticket:
        """Make ``staff`` the ticket's assignee (the status is left to :meth:`set_status`).

        When the ticket changes hands, the hand-over is recorded as an event with the status
        unchanged: who had it, who has it now and who did it (``by``, by default ``staff``
        taking it for themselves). Assigning the current assignee again records nothing.
        Raises :class:`TicketNotFound` for an unknown ticket.
        """
        actor = by or staff
        # Touching the row first takes SQLite's write lock and PostgreSQL's row lock before
        # the current assignee is read, so two hand-overs never both see the same "before".
        touch = update(tickets).where(tickets.c.id == ticket_id).values(updated_at=at)
        current = select(
            tickets.c.status,
            tickets.c.assignee_platform,
            tickets.c.assignee_user_id,
            tickets.c.assignee_name,
        ).where(tickets.c.id == ticket_id)
        async with self._engine.begin() as conn:
            if (await conn.execute(touch)).rowcount == 0:
                raise TicketNotFound(ticket_id)
            row = (await conn.execute(current)).one()
            previous = assignee_of(row)
            if previous is None or previous.key != staff.key:
                handover = Handover(previous=previous, assignee=staff, by=actor)
                await conn.execute(
                    insert(ticket_events).values(
                        ticket_id=ticket_id,
                        from_status=row.status,
                        to_status=row.status,
                        actor=str(actor),
                        at=at,
                        handover=handover_json(handover),
                    )
                )
            await conn.execute(
                update(tickets)
                .where(tickets.c.id == ticket_id)
                .values(**member_columns("assignee", staff))
            )
            return await self._require(conn, ticket_id)

    async def set_thread(self, ticket_id: int, thread: StaffThread) -> None:
        """Store where the ticket lives in the staff chat, replacing what was stored."""
        async with self._engine.begin() as conn:
            await conn.execute(
                update(tickets).where(tickets.c.id == ticket_id).values(**thread_columns(thread))
            )

    async def link_staff_message(self, ticket_id: int, chat: Address, message_id: int) -> None:
        """Remember that a staff-chat message belongs to the ticket, so that a reply to it
        threads to the ticket. Linking a message again changes nothing; the first ticket
        linked to a message keeps it."""
        values = {
            "platform": str(chat.platform),
            "chat_id": chat.peer_id,
            "message_id": message_id,
            "ticket_id": ticket_id,
        }
        async with self._engine.begin() as conn:
            await conn.execute(
                insert_or_ignore(
                    conn.dialect,
                    staff_message_links,
                    values,
                    ("platform", "chat_id", "message_id"),
                )
            )

    async def by_staff_message(self, chat: Address, message_id: int) -> Ticket | None:
        """The ticket a linked staff-chat message belongs to."""
        linked = select(staff_message_links.c.ticket_id).where(
            staff_message_links.c.platform == str(chat.platform),
            staff_message_links.c.chat_id == chat.peer_id,
            staff_message_links.c.message_id == message_id,
        )
        async with self._engine.connect() as conn:
            return await self._one(conn, tickets.c.id.in_(linked))

    async def by_topic(self, chat: Address, topic_id: int) -> Ticket | None:
        """The ticket whose forum topic in ``chat`` is ``topic_id`` (the newest, should two
        ever share it)."""
        found = await self._many(
            (tickets.c.staff_platform == str(chat.platform))
            & (tickets.c.staff_chat_id == chat.peer_id)
            & (tickets.c.staff_topic_id == topic_id),
            order=(tickets.c.id.desc(),),
            limit=1,
        )
        return found[0] if found else None

    async def add_message(
        self,
        ticket_id: int,
        kind: TicketMessageKind,
        text: str | None,
        attachments: Sequence[dict[str, Any]] = (),
        author: StaffMember | None = None,
        at: datetime | None = None,
    ) -> TicketMessage:
        """Store a message of the ticket's conversation (``at`` defaults to now), make its
        text searchable and count it as activity on the ticket (``updated_at``)."""
        when = at or self._clock()
        statement = (
            insert(ticket_messages)
            .values(
                ticket_id=ticket_id,
                kind=str(kind),
                text=text,
                attachments=[dict(attachment) for attachment in attachments],
                created_at=when,
                **member_columns("author", author),
            )
            .returning(*ticket_messages.c)
        )
        async with self._engine.begin() as conn:
            stored = message((await conn.execute(statement)).one())
            await conn.execute(
                update(tickets).where(tickets.c.id == ticket_id).values(updated_at=when)
            )
            await full_text.index_message(conn, ticket_id, stored.id, text)
        return stored

    async def messages(self, ticket_id: int) -> list[TicketMessage]:
        """The ticket's whole stored conversation, oldest first."""
        query = (
            select(ticket_messages)
            .where(ticket_messages.c.ticket_id == ticket_id)
            .order_by(ticket_messages.c.created_at, ticket_messages.c.id)
        )
        async with self._engine.connect() as conn:
            return [message(row) for row in await conn.execute(query)]

    async def events(self, ticket_id: int) -> list[TicketEvent]:
        """Status changes and hand-overs, oldest first."""
        query = (
            select(ticket_events)
            .where(ticket_events.c.ticket_id == ticket_id)
            .order_by(ticket_events.c.at, ticket_events.c.id)
        )
        async with self._engine.connect() as conn:
            return [event(row) for row in await conn.execute(query)]

    async def rate(self, ticket_id: int, rating: int, comment: str | None) -> None:
        """Store the reader's rating (1 to 5, else :class:`ValueError`) and comment; a new
        rating replaces the old one."""
        if rating not in RATINGS:
            raise ValueError(f"a rating is 1 to 5, not {rating!r}")
        async with self._engine.begin() as conn:
            await conn.execute(
                update(tickets)
                .where(tickets.c.id == ticket_id)
                .values(rating=rating, rating_comment=comment, updated_at=self._clock())
            )

    async def overdue(self, now: datetime) -> list[Ticket]:
        """Open tickets whose deadline has passed, oldest deadline first."""
        return await self._many(
            tickets.c.status.in_(OPEN) & (tickets.c.deadline_at < now),
            order=(tickets.c.deadline_at, tickets.c.id),
        )

    async def untaken_since(self, cutoff: datetime) -> list[Ticket]:
        """NEW tickets created before ``cutoff``, oldest first."""
        return await self._many(
            (tickets.c.status == str(TicketStatus.NEW)) & (tickets.c.created_at < cutoff),
            order=(tickets.c.created_at, tickets.c.id),
        )

    async def answered_before(self, cutoff: datetime) -> list[Ticket]:
        """ANSWERED tickets whose answer is older than ``cutoff`` (to close them), oldest
        answer first."""
        return await self._many(
            (tickets.c.status == str(TicketStatus.ANSWERED)) & (tickets.c.answered_at < cutoff),
            order=(tickets.c.answered_at, tickets.c.id),
        )

    async def search(
        self, query: str, limit: int = 20, window: int = full_text.RANK_WINDOW
    ) -> SearchResults:
        """Full-text search over ticket messages and form fields: the best ``limit`` hits
        among the newest ``window`` matches, best first.

        Every word of ``query`` (stop words aside) must appear in one message, or in one
        ticket's form, in any of its forms: «книга» finds «книги» and «книгу», English words
        are stemmed too. Each matching message is a hit of its own; a hit in the form fields
        has ``message_id`` 0. The snippet is at most 200 characters around the first matching
        word. Operators and quotes in ``query`` mean nothing and never raise: only its words
        are searched (the first 32), and a query without words finds nothing.
        """
        async with self._engine.connect() as conn:
            return await full_text.search(conn, query, limit, window)

    async def _one(self, conn: AsyncConnection, condition: ColumnElement[bool]) -> Ticket | None:
        row = (await conn.execute(ticket_select().where(condition))).first()
        return ticket(row) if row else None

    async def _require(self, conn: AsyncConnection, ticket_id: int) -> Ticket:
        found = await self._one(conn, tickets.c.id == ticket_id)
        if found is None:
            raise TicketNotFound(ticket_id)
        return found

    async def _many(
        self,
        condition: ColumnElement[bool],
        order: Sequence[Any],
        limit: int | None = None,
    ) -> list[Ticket]:
        query = ticket_select().where(condition).order_by(*order).limit(limit)
        async with self._engine.connect() as conn:
            return [ticket(row) for row in await conn.execute(query)]
