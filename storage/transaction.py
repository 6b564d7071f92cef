"""A unit of work: repositories bound to one database transaction."""

from __future__ import annotations

from storage.connectable import BoundConnection
from storage.outbox import OutboxRepository
from storage.renewals import RenewalRepository
from storage.tickets import TicketRepository
from storage.types import Clock


class Transaction:
    """The repositories whose writes must agree, all on one connection: what is written
    through them commits together when the transaction ends, or not at all (a crash in
    between leaves nothing). Satisfies ``handlers.core.ports.UnitOfWork``.

    Get one from ``Storage.transaction()``. Keep network calls out of it: on SQLite it holds
    the database's write lock from its first write until it ends.
    """

    def __init__(self, connection: BoundConnection, clock: Clock) -> None:
        self.tickets = TicketRepository(connection, clock)
        self.outbox = OutboxRepository(connection, clock)
        self.renewals = RenewalRepository(connection, clock)
