"""``Storage.transaction``: the writes of a unit of work are stored together or not at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from handlers.core import ports
from storage.database import Storage
from storage.models import Reader, TicketKind, TicketMessageKind, TicketStatus

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Crash(Exception):
    pass


def _as_port(storage: Storage) -> ports.Transactions:
    return storage


async def test_writes_of_a_unit_of_work_commit_together(storage: Storage, reader: Reader) -> None:
    ticket = await storage.tickets.create(
        reader.id, TicketKind.OTHER, {}, NOW + timedelta(days=1), NOW
    )

    async with _as_port(storage).transaction() as work:
        await work.tickets.add_message(ticket.id, TicketMessageKind.STAFF, "Ответ", at=NOW)
        await work.outbox.enqueue("answer:1", reader.address, {"text": "Ответ"}, reader.id)
        await work.tickets.set_status(ticket.id, TicketStatus.ANSWERED, "staff", NOW)
        # Reads inside the unit of work see its own writes.
        assert [m.text for m in await work.tickets.messages(ticket.id)] == ["Ответ"]

    assert [m.text for m in await storage.tickets.messages(ticket.id)] == ["Ответ"]
    assert await storage.outbox.get("answer:1") is not None
    stored = await storage.tickets.get(ticket.id)
    assert stored is not None and stored.status is TicketStatus.ANSWERED


async def test_a_failure_inside_a_unit_of_work_stores_none_of_it(
    storage: Storage, reader: Reader
) -> None:
    ticket = await storage.tickets.create(
        reader.id, TicketKind.OTHER, {}, NOW + timedelta(days=1), NOW
    )

    with pytest.raises(Crash):
        async with storage.transaction() as work:
            await work.tickets.add_message(ticket.id, TicketMessageKind.STAFF, "Ответ", at=NOW)
            await work.outbox.enqueue("answer:1", reader.address, {"text": "Ответ"}, reader.id)
            await work.tickets.set_status(ticket.id, TicketStatus.ANSWERED, "staff", NOW)
            raise Crash

    assert await storage.tickets.messages(ticket.id) == []
    assert await storage.outbox.get("answer:1") is None
    stored = await storage.tickets.get(ticket.id)
    assert stored is not None and stored.status is TicketStatus.NEW
    assert [e.to_status for e in await storage.tickets.events(ticket.id)] == [TicketStatus.NEW]
