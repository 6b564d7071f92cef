"""What the neutral core needs from storage, as small protocols (storage implements them)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, Protocol

from storage.models import (
    Address,
    ConsentState,
    DialogState,
    Direction,
    ErasedTicket,
    OutboxItem,
    Platform,
    Reader,
    SearchResults,
    StaffMember,
    StaffThread,
    StoredMessage,
    Template,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketMessage,
    TicketMessageKind,
    TicketStatus,
    TurnRecord,
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

    async def forget(self, reader_id: int) -> list[ErasedTicket]:
        """Erase the reader and every text, file reference and id of theirs, in one go: the
        conversation log, dialog state, tickets with everything attached (search entries,
        staff-chat posts) and every outbox row addressed to them or carrying their data.
        Returns the erased tickets with their place in the staff chat."""
        ...

    async def withdraw_consent(self, reader_id: int) -> list[ErasedTicket]:
        """Record that the reader withdrew consent and erase what :meth:`forget` erases,
        except the reader's platform, id, language and consent state. Returns the erased
        tickets with their place in the staff chat."""
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


class Turns(Protocol):
    """A reader turn's own round trips: one read when it starts, one transaction when it
    ends. What features change in between goes through their own ports."""

    async def load(self, address: Address) -> tuple[Reader | None, DialogState]:
        """The reader at ``address`` (None if not stored yet) and their dialog state."""
        ...

    async def store(self, record: TurnRecord) -> None:
        """Store the turn's dialog state and conversation log together: all
        of it or, on a failure, none."""
        ...


EDIT_KEY = "edit"
"""An outbox payload key: the id of a message in the row's chat that the row's reply replaces,
instead of being sent as a new message."""


EXPIRES_KEY = "expires_at"
"""An outbox payload key: the ISO 8601 UTC time after which the row is no longer worth
sending (a confirmation to staff stuck behind the staff chat's budget). The sender drops it
then instead of spending a message on it."""


BATCH_KEY = "batch"
"""An outbox payload key: rows with equal payloads under one batch name may be sent together
where a platform takes many recipients in one call (VK ``messages.send`` with ``peer_ids``).
The name also serves as the shared idempotency key of that call."""


class Outbox(Protocol):
    async def enqueue(
        self,
        key: str,
        address: Address,
        payload: dict[str, Any],
        reader_id: int | None = None,
        not_before: datetime | None = None,
        ticket_id: int | None = None,
    ) -> bool:
        """Add a row; returns False (and changes nothing) if ``key`` is already there.

        ``reader_id`` names the reader whose data the row carries, ``ticket_id`` the ticket
        it belongs to: erasing the reader or the ticket deletes the row."""
        ...

    async def enqueue_latest(
        self,
        key: str,
        address: Address,
        payload: dict[str, Any],
        coalesce: str,
        ticket_id: int | None = None,
    ) -> bool:
        """Queue the latest state of the thing named ``coalesce`` (a staff-chat card): it
        replaces a state of the same group still pending, and is dropped when it equals the
        newest state sent. ``key`` must be new for each call. Returns whether a row was
        added or replaced."""
        ...

    async def claim(
        self,
        limit: int,
        now: datetime,
        lease_seconds: float,
        *,
        per_address: int | None = None,
        skip: Collection[Address] = (),
    ) -> list[OutboxItem]:
        """Take up to ``limit`` due rows for sending (pending, or sending with an expired
        lease), earliest due first, at most ``per_address`` for one address and none for the
        addresses in ``skip``; concurrent claimers never get the same row."""
        ...

    async def mark_sent(self, item_id: int, at: datetime) -> None: ...

    async def mark_sent_many(self, item_ids: Sequence[int], at: datetime) -> None:
        """Record that every one of these rows was delivered at ``at`` (a batch call)."""
        ...

    async def reschedule(self, item_id: int, at: datetime, error: str) -> None:
        """Put a claimed row back to pending, due at ``at``, counting the attempt."""
        ...

    async def mark_failed(self, item_id: int, error: str) -> None: ...

    async def cancel_for(self, address: Address) -> int:
        """Cancel undelivered rows for an address (the reader is unreachable or forgotten)."""
        ...

    async def get(self, key: str) -> OutboxItem | None: ...


class Tickets(Protocol):
    """Reference requests, their conversation, status history and place in the staff chat."""

    async def create(
        self,
        reader_id: int,
        kind: TicketKind,
        fields: dict[str, Any],
        deadline_at: datetime,
        at: datetime,
    ) -> Ticket:
        """Open a ticket (status NEW) and record that event, with actor ``"reader"``."""
        ...

    async def get(self, ticket_id: int) -> Ticket | None: ...

    async def for_reader(self, reader_id: int, limit: int = 20) -> list[Ticket]:
        """The reader's tickets, newest first."""
        ...

    async def latest_active_for_reader(self, reader_id: int) -> Ticket | None:
        """The reader's newest ticket that is new, in progress or answered (not closed)."""
        ...

    async def count_created_since(self, reader_id: int, since: datetime) -> int: ...

    async def queue(self) -> list[Ticket]:
        """Open tickets (new or in progress), oldest first."""
        ...

    async def set_status(
        self, ticket_id: int, status: TicketStatus, actor: str, at: datetime
    ) -> Ticket:
        """Change the status and record the change; sets answered_at / closed_at as fits.
        Setting the status it already has changes nothing and records nothing."""
        ...

    async def assign(
        self,
        ticket_id: int,
        staff: StaffMember,
        at: datetime,
        *,
        by: StaffMember | None = None,
    ) -> Ticket:
        """Make ``staff`` the assignee; a change of hands is recorded as an event naming who
        had the ticket and who did it (``by``, by default ``staff`` themselves)."""
        ...

    async def set_thread(self, ticket_id: int, thread: StaffThread) -> None: ...

    async def link_staff_message(self, ticket_id: int, chat: Address, message_id: int) -> None:
        """Remember that a message in the staff chat belongs to the ticket, so that a staff
        reply to it threads to the ticket."""
        ...

    async def by_staff_message(self, chat: Address, message_id: int) -> Ticket | None: ...

    async def by_topic(self, chat: Address, topic_id: int) -> Ticket | None: ...

    async def add_message(
        self,
        ticket_id: int,
        kind: TicketMessageKind,
        text: str | None,
        attachments: Sequence[dict[str, Any]] = (),
        author: StaffMember | None = None,
        at: datetime | None = None,
    ) -> TicketMessage: ...

    async def messages(self, ticket_id: int) -> list[TicketMessage]:
        """The ticket's whole stored conversation, oldest first."""
        ...

    async def events(self, ticket_id: int) -> list[TicketEvent]:
        """Status changes and hand-overs, oldest first."""
        ...

    async def rate(self, ticket_id: int, rating: int, comment: str | None) -> None: ...

    async def overdue(self, now: datetime) -> list[Ticket]:
        """Open tickets whose deadline has passed, oldest deadline first."""
        ...

    async def untaken_since(self, cutoff: datetime) -> list[Ticket]:
        """NEW tickets created before ``cutoff``, oldest first."""
        ...

    async def answered_before(self, cutoff: datetime) -> list[Ticket]:
        """ANSWERED tickets whose answer is older than ``cutoff`` (to close them)."""
        ...

    async def search(self, query: str, limit: int = 20) -> SearchResults:
        """Full-text search over ticket messages and form fields, matching Russian word
        forms (книга finds книги): the best ``limit`` hits among the newest matches, best
        first, and whether older matches were left unranked."""
        ...


class UnitOfWork(Protocol):
    """Repositories bound to one database transaction: what is written through them is
    stored together when the transaction ends, or not at all. A stored fact and the outbox
    row announcing it go through one of these, so a crash never leaves one without the
    other."""

    @property
    def tickets(self) -> Tickets: ...

    @property
    def outbox(self) -> Outbox: ...


class Transactions(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """Open a unit of work; it commits when the ``async with`` block ends and rolls back
        if the block raises."""
        ...


class Templates(Protocol):
    """Canned answers staff can send with one press."""

    async def add(self, title: str, text: str) -> Template: ...

    async def get(self, template_id: int) -> Template | None: ...

    async def all(self) -> list[Template]: ...

    async def delete(self, template_id: int) -> bool: ...


class StaffProfiles(Protocol):
    async def signature(self, platform: Platform, user_id: int) -> str | None: ...

    async def set_signature(self, platform: Platform, user_id: int, signature: str) -> None: ...

    async def remember(self, member: StaffMember) -> None:
        """Note that ``member`` acted in the staff chat, under the name they have now."""
        ...

    async def known(self, platform: Platform) -> list[StaffMember]:
        """The staff members seen acting on ``platform``, with their latest names."""
        ...


class StaffDesk(Protocol):
    """What the reader side tells the staff side (implemented in ``handlers/staff``).

    Each call must not raise for delivery problems: what has to reach the staff chat goes
    through the outbox.
    """

    async def ticket_opened(self, ticket: Ticket, request: TicketMessage) -> None:
        """A new ticket: open its topic or post its card in the staff chat."""
        ...

    async def queue_reader_message(
        self, work: UnitOfWork, ticket: Ticket, message: TicketMessage
    ) -> None:
        """Inside the transaction that stores the reader's ``message``: queue its post in the
        ticket's thread through ``work``, so that the message is never stored without it.
        No platform calls here; ``reader_wrote`` follows once the transaction is committed."""
        ...

    async def reader_wrote(self, ticket: Ticket, message: TicketMessage) -> None:
        """The reader added a message or files to the ticket (it may have just reopened)."""
        ...

    async def ticket_changed(self, ticket: Ticket, message: TicketMessage | None) -> None:
        """The reader cancelled or rated the ticket: update its card, and post ``message``
        (a SYSTEM record) in its thread when given."""
        ...

    async def reader_forgotten(self, erased: Sequence[ErasedTicket]) -> None:
        """The reader asked to be forgotten and these tickets of theirs were erased: replace
        their cards in the staff chat with a notice saying so."""
        ...
