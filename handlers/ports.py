"""What the neutral core needs from storage, as small protocols (storage implements them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from storage.models import (
    Address,
    ConsentState,
    DialogState,
    Direction,
    OutboxItem,
    Reader,
    StoredMessage,
)


class Readers(Protocol):
    async def get(self, address: Address) -> Reader | None: ...

    async def get_by_id(self, reader_id: int) -> Reader | None: ...

    async def create(self, address: Address, language: str) -> Reader:
        """Create the reader, or return the existing one for that address (never a duplicate)."""
        ...

    async def set_language(self, reader_id: int, language: str) -> None: ...

    async def set_consent(
        self, reader_id: int, consent: ConsentState, display_name: str | None = None
    ) -> None:
        """Record a consent decision. Anything but GIVEN also clears the display name."""
        ...

    async def set_reachable(self, address: Address, reachable: bool) -> None: ...

    async def forget(self, reader_id: int) -> None:
        """Erase the reader and everything stored about them: messages, dialog state and
        undelivered outbox rows addressed to them."""
        ...


class Conversations(Protocol):
    async def record(
        self,
        reader_id: int,
        direction: Direction,
        text: str | None,
        attachments: Sequence[dict[str, Any]] = (),
        at: datetime | None = None,
    ) -> StoredMessage: ...

    async def history(self, reader_id: int, limit: int = 100) -> list[StoredMessage]:
        """Oldest first, the last ``limit`` messages."""
        ...

    async def erase(self, reader_id: int) -> int:
        """Delete the reader's stored messages; returns how many."""
        ...


class Dialogs(Protocol):
    async def load(self, reader_id: int) -> DialogState: ...

    async def save(self, reader_id: int, state: DialogState) -> None: ...


class Outbox(Protocol):
    async def enqueue(
        self,
        key: str,
        address: Address,
        payload: dict[str, Any],
        reader_id: int | None = None,
        not_before: datetime | None = None,
    ) -> bool:
        """Add a row; returns False (and changes nothing) if ``key`` is already there."""
        ...

    async def claim(self, limit: int, now: datetime, lease_seconds: float) -> list[OutboxItem]:
        """Take up to ``limit`` due rows for sending (pending, or sending with an expired
        lease), oldest first; concurrent claimers never get the same row."""
        ...

    async def mark_sent(self, item_id: int, at: datetime) -> None: ...

    async def reschedule(self, item_id: int, at: datetime, error: str) -> None:
        """Put a claimed row back to pending, due at ``at``, counting the attempt."""
        ...

    async def mark_failed(self, item_id: int, error: str) -> None: ...

    async def cancel_for(self, address: Address) -> int:
        """Cancel undelivered rows for an address (the reader is unreachable or forgotten)."""
        ...

    async def get(self, key: str) -> OutboxItem | None: ...
