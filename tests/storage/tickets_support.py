"""Shared helpers for the ticket tests: a fixed clock and a one-line ticket opener."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from storage.database import Storage
from storage.models import Reader, Ticket, TicketKind

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    """``minutes`` after :data:`T0`."""
    return T0 + timedelta(minutes=minutes)


async def open_ticket(
    storage: Storage,
    reader: Reader,
    minute: float = 0,
    fields: dict[str, Any] | None = None,
    kind: TicketKind = TicketKind.THEMATIC,
    deadline_hours: float = 48,
) -> Ticket:
    created = at(minute)
    return await storage.tickets.create(
        reader.id,
        kind,
        fields if fields is not None else {"topic": f"request at {minute}"},
        created + timedelta(hours=deadline_hours),
        created,
    )
