"""The repositories satisfy the ports the neutral core is written against.

The check is static (mypy runs on the tests); the test only makes sure it stays collected.
"""

from __future__ import annotations

from handlers.core import ports
from storage.database import Storage


def _bind(
    storage: Storage,
) -> tuple[ports.Readers, ports.Conversations, ports.Dialogs, ports.Outbox]:
    return storage.readers, storage.conversations, storage.dialogs, storage.outbox


def _bind_desk(storage: Storage) -> tuple[ports.Tickets, ports.Templates, ports.StaffProfiles]:
    return storage.tickets, storage.templates, storage.staff


async def test_storage_provides_every_port(storage: Storage) -> None:
    readers, conversations, dialogs, outbox = _bind(storage)

    assert readers is storage.readers
    assert conversations is storage.conversations
    assert dialogs is storage.dialogs
    assert outbox is storage.outbox
    tickets, templates, staff = _bind_desk(storage)
    assert tickets is storage.tickets
    assert templates is storage.templates
    assert staff is storage.staff
