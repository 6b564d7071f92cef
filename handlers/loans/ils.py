"""The port to the library's circulation system (ILS): what the loans feature needs from it.

Three backends implement it, in ``bot/ils/``: Koha's REST API, SIP2, and a demo circulation
system for the playground and the tests. The ``manual`` backend (an ILS with no API, such as
IRBIS64) has no client at all: renewal requests go to staff, which is also where a request goes
when a backend is down.

A reader's PIN or password reaches only :meth:`Ils.verify`, at linking time. It is never stored,
so every other call identifies the reader by card number alone, as the bot's own account.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class Refusal(enum.StrEnum):
    """Why a loan cannot be renewed, in the reasons a reader is told in plain words."""

    RESERVED = "reserved"
    """Another reader has reserved (placed a hold on) the item."""
    LIMIT_REACHED = "limit_reached"
    """The item has been renewed as many times as the rules allow."""
    OVERDUE = "overdue"
    """The loan is overdue and the rules forbid renewing overdue loans."""
    BLOCKED = "blocked"
    """The account is blocked: fines, a debarment or another restriction."""
    CARD_EXPIRED = "card_expired"
    NOT_RENEWABLE = "not_renewable"
    """This item (or item type) is never renewed: reference copies, short loans."""
    TOO_SOON = "too_soon"
    """Renewal opens closer to the due date."""
    OTHER = "other"
    """A reason the backend gave that maps to none of the above."""


class PatronStatus(enum.StrEnum):
    """The outcome of checking a card (and PIN) when a reader links it."""

    OK = "ok"
    UNKNOWN_CARD = "unknown_card"
    WRONG_PIN = "wrong_pin"
    CARD_EXPIRED = "card_expired"
    BLOCKED = "blocked"
    """Linking is allowed, but renewals will be refused until the block is lifted."""


@dataclass(frozen=True, slots=True)
class PatronCheck:
    status: PatronStatus
    name: str | None = None
    """The patron's name as the ILS has it, shown back only to that reader, never stored."""
    message: str | None = None
    """The backend's own words for the reader (SIP2's screen message, AF), when it gave any."""


@dataclass(frozen=True, slots=True)
class Loan:
    loan_id: str
    """The backend's id of this loan: Koha's checkout_id, SIP2's item identifier (barcode)."""
    title: str
    due: datetime
    """Timezone-aware."""
    renewals_left: int | None = None
    refusal: Refusal | None = None
    """Known in advance that renewing will be refused, and why (Koha's allows_renewal)."""


@dataclass(frozen=True, slots=True)
class Renewal:
    """The result of renewing one loan."""

    loan_id: str
    title: str
    renewed: bool
    due: datetime | None = None
    """The new due date when renewed (timezone-aware)."""
    refusal: Refusal | None = None
    message: str | None = None
    """The backend's own words for the reader, when it gave any."""


class IlsUnavailable(Exception):
    """The backend is down, timed out or answered nonsense: the request goes to staff instead.

    The message is for the log, and must never hold a PIN or a token.
    """

    def __init__(self, reason: str, *, done: Sequence[Renewal] = ()) -> None:
        super().__init__(reason)
        self.done = tuple(done)
        """What a Renew all had already got answered before the backend stopped answering
        (renewed or refused): the reader is told these, and only the rest goes to staff."""


class Ils(Protocol):
    """A circulation system the bot can ask about a reader's loans and renew them in."""

    needs_pin: bool
    """Whether linking a card asks the reader for a PIN or password."""

    async def verify(self, card: str, pin: str | None) -> PatronCheck:
        """Check a card (and PIN, when the backend needs one) when a reader links it."""
        ...

    async def loans(self, card: str) -> Sequence[Loan]:
        """The card's current loans, in any order."""
        ...

    async def renew(self, card: str, loan_id: str) -> Renewal: ...

    async def renew_all(self, card: str) -> Sequence[Renewal]:
        """Renew every loan on the card; a result for each."""
        ...

    async def close(self) -> None:
        """Release connections; the client may be used again afterwards (it reconnects)."""
        ...
