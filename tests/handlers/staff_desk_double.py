"""A StaffDesk that records what the reader side told it, for handler tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from handlers.core.ports import UnitOfWork
from storage.models import ErasedTicket, Ticket, TicketMessage


@dataclass
class RecordingStaffDesk:
    opened: list[tuple[Ticket, TicketMessage]] = field(default_factory=list)
    queued: list[tuple[Ticket, TicketMessage]] = field(default_factory=list)
    wrote: list[tuple[Ticket, TicketMessage]] = field(default_factory=list)
    changed: list[tuple[Ticket, TicketMessage | None]] = field(default_factory=list)
    forgotten: list[ErasedTicket] = field(default_factory=list)

    async def ticket_opened(self, ticket: Ticket, request: TicketMessage) -> None:
        self.opened.append((ticket, request))

    async def queue_reader_message(
        self, work: UnitOfWork, ticket: Ticket, message: TicketMessage
    ) -> None:
        self.queued.append((ticket, message))

    async def reader_wrote(self, ticket: Ticket, message: TicketMessage) -> None:
        self.wrote.append((ticket, message))

    async def ticket_changed(self, ticket: Ticket, message: TicketMessage | None) -> None:
        self.changed.append((ticket, message))

    async def reader_forgotten(self, erased: Sequence[ErasedTicket]) -> None:
        self.forgotten.extend(erased)
