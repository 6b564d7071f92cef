"""What the loans feature needs from storage, as small protocols (storage implements them)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import Protocol

from handlers.core.ports import Outbox
from storage.models import (
    Address,
    LibraryCard,
    RenewalCause,
    RenewalRequest,
    RequestedLoan,
    StaffMember,
    StaffThread,
)


class LibraryCards(Protocol):
    """The card each reader linked (one at most): its number, never a PIN."""

    async def get(self, reader_id: int) -> LibraryCard | None: ...

    async def link(self, reader_id: int, number: str, reminder_days: int | None) -> LibraryCard:
        """Link the card, replacing one linked before."""
        ...

    async def unlink(self, reader_id: int) -> bool: ...

    async def set_reminder_days(self, reader_id: int, days: int | None) -> bool:
        """Days before a due date to remind the reader; None turns reminders off."""
        ...

    async def touch(self, reader_id: int) -> None:
        """The card was used: retention keeps it."""
        ...

    async def with_reminders(self) -> list[LibraryCard]: ...


class RenewalRequests(Protocol):
    """Renewals staff do by hand, each with a number and a status."""

    async def create(
        self,
        reader_id: int,
        card_number: str,
        cause: RenewalCause,
        *,
        items: str | None = None,
        loans: Sequence[RequestedLoan] = (),
    ) -> RenewalRequest: ...

    async def get(self, request_id: int) -> RenewalRequest | None: ...

    async def for_reader(self, reader_id: int, limit: int = 20) -> list[RenewalRequest]: ...

    async def open_requests(self, limit: int = 50) -> list[RenewalRequest]:
        """Requests nobody decided yet, oldest first."""
        ...

    async def renew(
        self, request_id: int, until: date, by: StaffMember, at: datetime
    ) -> RenewalRequest | None:
        """Decide an open request as renewed; None when it was decided already."""
        ...

    async def refuse(
        self, request_id: int, reason: str | None, text: str | None, by: StaffMember, at: datetime
    ) -> RenewalRequest | None:
        """Decide an open request as refused; None when it was decided already."""
        ...

    async def await_input(self, request_id: int, awaiting: str | None) -> RenewalRequest | None:
        """Note what staff were asked to type (``date``, ``reason``); None once decided."""
        ...

    async def set_thread(self, request_id: int, thread: StaffThread) -> None: ...

    async def by_card_message(self, chat: Address, message_id: int) -> RenewalRequest | None: ...

    async def by_topic(self, chat: Address, topic_id: int) -> RenewalRequest | None: ...


class RenewalDesk(Protocol):
    """What the reader side tells the staff side about renewal requests."""

    async def request_opened(self, request: RenewalRequest) -> bool:
        """Queue the request's card for the staff chat; False when there is no staff chat.
        Must not raise for delivery problems: the card goes through the outbox."""
        ...


class LoansWork(Protocol):
    """The repositories of one database transaction that loans write through: a decision
    and the outbox rows announcing it are stored together, or not at all."""

    @property
    def renewals(self) -> RenewalRequests: ...

    @property
    def outbox(self) -> Outbox: ...


class LoansTransactions(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[LoansWork]: ...
