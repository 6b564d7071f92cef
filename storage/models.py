"""Plain records that storage returns and the rest of the application passes around."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


class Platform(enum.StrEnum):
    TELEGRAM = "telegram"
    VK = "vk"


@dataclass(frozen=True, slots=True)
class Address:
    """Where a reader (or a staff chat) is reached: a platform and its chat/peer id."""

    platform: Platform
    peer_id: int

    def __str__(self) -> str:
        return f"{self.platform}:{self.peer_id}"


class ConsentState(enum.StrEnum):
    UNKNOWN = "unknown"
    GIVEN = "given"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class Reader:
    id: int
    address: Address
    language: str
    consent: ConsentState
    display_name: str | None
    reachable: bool
    created_at: datetime
    consent_at: datetime | None = None

    @property
    def has_consent(self) -> bool:
        return self.consent is ConsentState.GIVEN


class Direction(enum.StrEnum):
    IN = "in"
    OUT = "out"


@dataclass(frozen=True, slots=True)
class StoredMessage:
    id: int
    reader_id: int
    direction: Direction
    platform: Platform
    text: str | None
    attachments: list[dict[str, Any]]
    created_at: datetime


@dataclass(slots=True)
class DialogState:
    """The step a reader is at in a multi-step flow, and what they have answered so far.

    ``offered`` keeps the payloads of the buttons last shown, in display order, so that a
    reader whose client cannot show buttons can answer with the button's number.
    """

    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    offered: list[str] = field(default_factory=list)


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    key: str
    address: Address
    payload: dict[str, Any]
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    reader_id: int | None = None
    last_error: str | None = None
    sent_at: datetime | None = None


class TicketKind(enum.StrEnum):
    THEMATIC = "thematic"
    ADDRESS = "address"
    CLARIFYING = "clarifying"
    FACTOGRAPHIC = "factographic"
    OTHER = "other"


class TicketStatus(enum.StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        return self in (TicketStatus.NEW, TicketStatus.IN_PROGRESS)


class TicketMessageKind(enum.StrEnum):
    READER = "reader"
    """Written by the reader (the request itself, follow-ups, added files)."""
    STAFF = "staff"
    """A staff answer, delivered to the reader."""
    NOTE = "note"
    """An internal staff note: stored, never sent."""
    SYSTEM = "system"
    """A record of what happened (cancelled by the reader, rated, closed automatically)."""


@dataclass(frozen=True, slots=True)
class StaffMember:
    """Someone acting in the staff chat: a platform user, with the name shown on tickets."""

    platform: Platform
    user_id: int
    name: str

    def __str__(self) -> str:
        return f"{self.name} ({self.platform}:{self.user_id})"

    @classmethod
    def parse(cls, text: str) -> StaffMember | None:
        """The staff member a ``str()`` of one names (as stored for event actors), or None
        when ``text`` is not such a string."""
        name, bracket, rest = text.rpartition(" (")
        platform, colon, user_id = rest.removesuffix(")").partition(":")
        if not bracket or not colon or not rest.endswith(")") or not user_id.isdigit():
            return None
        if platform not in {str(known) for known in Platform}:
            return None
        return cls(Platform(platform), int(user_id), name)

    @property
    def key(self) -> tuple[Platform, int]:
        """Who this is, whatever name they go by now."""
        return (self.platform, self.user_id)


@dataclass(frozen=True, slots=True)
class StaffThread:
    """Where a ticket lives in the staff chat: the chat, the forum topic (Telegram forums
    only) and the ticket card's message."""

    chat: Address
    topic_id: int | None = None
    card_message_id: int | None = None


@dataclass(frozen=True, slots=True)
class Ticket:
    id: int
    """Also the ticket number shown to readers and staff."""
    reader_id: int | None
    kind: TicketKind
    status: TicketStatus
    fields: dict[str, Any]
    """The form's answers, by step key, as the reader gave them."""
    deadline_at: datetime
    created_at: datetime
    updated_at: datetime
    assignee: StaffMember | None = None
    thread: StaffThread | None = None
    answered_at: datetime | None = None
    closed_at: datetime | None = None
    rating: int | None = None
    rating_comment: str | None = None
    reader_name: str | None = None
    reader_platform: Platform | None = None


@dataclass(frozen=True, slots=True)
class TicketMessage:
    id: int
    ticket_id: int
    kind: TicketMessageKind
    text: str | None
    attachments: list[dict[str, Any]]
    created_at: datetime
    author: StaffMember | None = None


@dataclass(frozen=True, slots=True)
class Handover:
    """A ticket changing hands: ``by`` made ``assignee`` its assignee instead of ``previous``
    (None when nobody had it). ``by`` is ``assignee`` when someone took it for themselves."""

    previous: StaffMember | None
    assignee: StaffMember
    by: StaffMember

    @property
    def is_taken(self) -> bool:
        return self.by.key == self.assignee.key


@dataclass(frozen=True, slots=True)
class TicketEvent:
    ticket_id: int
    from_status: TicketStatus | None
    to_status: TicketStatus
    """A hand-over leaves the status as it was: then ``from_status`` equals ``to_status``."""
    actor: str
    """Who made the change: a staff member's ``str()``, ``"reader"`` or ``"system"``."""
    at: datetime
    handover: Handover | None = None


@dataclass(frozen=True, slots=True)
class Template:
    id: int
    title: str
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SearchHit:
    ticket_id: int
    message_id: int
    snippet: str


@dataclass(frozen=True, slots=True)
class SearchResults:
    """What a ticket search found: the best hits among the newest matches."""

    hits: list[SearchHit]
    """Best match first, at most the limit asked for."""
    ranked: int
    """How many matches the hits were chosen from: every match, or the newest ``window``."""
    more: bool
    """Older matches exist that were not ranked, because more than ``window`` matched."""


@dataclass(frozen=True, slots=True)
class ErasedTicket:
    """A ticket erased with its reader: its number and where its card is in the staff chat,
    so that the staff side can replace the card with a notice of the erasure."""

    id: int
    thread: StaffThread | None = None
    posts: tuple[tuple[Address, int], ...] = ()
    """The bot's posts about the ticket in staff chats, as linked (the card among them)."""


@dataclass(frozen=True, slots=True)
class PurgeCounts:
    """What one retention run deleted."""

    messages: int = 0
    tickets: int = 0
    outbox_rows: int = 0
    dialog_states: int = 0


@dataclass(frozen=True, slots=True)
class LibraryCard:
    """The library card a reader linked: its number only (a PIN is never stored)."""

    reader_id: int
    number: str
    linked_at: datetime
    reminder_days: int | None
    """How many days before a due date the reader wants a reminder; None: no reminders."""


class RenewalStatus(enum.StrEnum):
    OPEN = "open"
    RENEWED = "renewed"
    REFUSED = "refused"


class RenewalCause(enum.StrEnum):
    """Why staff renew by hand."""

    MANUAL = "manual"
    """The library's circulation system has no API (the manual backend)."""
    FALLBACK = "fallback"
    """The circulation system was down or did not answer in time."""


class ReminderKind(enum.StrEnum):
    DUE = "due"
    """A loan is due within the reader's chosen number of days."""
    OVERDUE = "overdue"
    RENEWED_UNTIL = "until"
    """The manual backend: staff renewed a request until a date that is now near."""


@dataclass(frozen=True, slots=True)
class LoanMark:
    """One loan's due date, announced once per kind: what a sent reminder is recorded as."""

    kind: ReminderKind
    loan: str
    """A digest of the loan's id in the circulation system (or of a renewal request)."""
    due_on: date


@dataclass(frozen=True, slots=True)
class RequestedLoan:
    """A loan a renewal request names, as the circulation system last showed it."""

    loan_id: str
    title: str
    due: datetime | None = None


@dataclass(frozen=True, slots=True)
class RenewalRequest:
    id: int
    """Also the request number shown to the reader and staff."""
    reader_id: int
    card_number: str
    cause: RenewalCause
    status: RenewalStatus
    created_at: datetime
    items: str | None = None
    """What the reader named, in their own words ("all" is the reader asking for every loan)."""
    loans: tuple[RequestedLoan, ...] = ()
    renewed_until: date | None = None
    refusal: str | None = None
    """A refusal reason code (``handlers.loans.ils.Refusal``) when staff picked one."""
    refusal_text: str | None = None
    """Staff's own words when they wrote the reason."""
    decided_by: StaffMember | None = None
    decided_at: datetime | None = None
    awaiting: str | None = None
    """What staff were asked to type in the request's thread: ``date`` or ``reason``."""
    thread: StaffThread | None = None


@dataclass(frozen=True, slots=True)
class NewRow:
    """An outbox row to add: its idempotency key, address, payload and the reader whose data
    it carries (erasing the reader deletes the row)."""

    key: str
    address: Address
    payload: dict[str, Any]
    reader_id: int | None = None


@dataclass(frozen=True, slots=True)
class LoggedMessage:
    """One entry of the conversation log a turn leaves behind."""

    direction: Direction
    text: str | None
    attachments: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TurnRecord:
    """What one reader turn stores when it ends: the dialog state (None when nothing is to
    be saved) and the conversation log entries."""

    reader_id: int
    platform: Platform
    state: DialogState | None
    log: tuple[LoggedMessage, ...] = ()
