"""What the neutral core needs to know about the library, passed in by the composition root."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from storage.models import Address, Platform, TicketKind


@dataclass(frozen=True, slots=True)
class LibraryProfile:
    name: str
    timezone: str = "Europe/Moscow"
    working_hours: str = "Пн–Пт 09:00–18:00"
    contacts: str = ""


@dataclass(frozen=True, slots=True)
class ReaderPolicy:
    retention_days: int = 365
    max_text_length: int = 4000
    flood_burst: int = 20
    flood_period_seconds: float = 60.0
    max_attachments: int = 10


@dataclass(frozen=True, slots=True)
class WorkingTime:
    """When the library answers: weekdays (Monday is 0), opening hours in the library's time
    zone, and the country whose public holidays are days off."""

    timezone: str = "Europe/Moscow"
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    holidays_country: str = "RU"


def _default_deadlines() -> dict[TicketKind, int]:
    return {
        TicketKind.THEMATIC: 3,
        TicketKind.ADDRESS: 1,
        TicketKind.CLARIFYING: 1,
        TicketKind.FACTOGRAPHIC: 1,
        TicketKind.OTHER: 1,
    }


@dataclass(frozen=True, slots=True)
class TicketPolicy:
    deadline_days: dict[TicketKind, int] = field(default_factory=_default_deadlines)
    """Working days to answer, per kind of request."""
    daily_limit: int = 5
    """New requests one reader may open per calendar day (library time)."""
    thematic_max_titles: int = 10
    """The most titles a reader may ask for in a thematic request."""
    auto_close_days: int = 7
    """An answered ticket with no reply from the reader for this long closes itself."""
    untaken_reminder_minutes: int = 120
    """A NEW ticket nobody took for this long is reminded of in the staff chat."""
    note_prefix: str = "!"
    """A staff message starting with this is an internal note, never sent to the reader."""
    max_relay_bytes: int = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class LoanPolicy:
    reminder_days: int = 3
    """Days before a due date that a reader who linked a card is reminded, until they change
    it."""
    reminder_time: time = time(10, 0)
    """When, in the library's time zone, the daily run of due-date reminders goes."""


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    library: LibraryProfile
    policy: ReaderPolicy
    staff_chat: Address | None = None
    working_time: WorkingTime = field(default_factory=WorkingTime)
    tickets: TicketPolicy = field(default_factory=TicketPolicy)
    loans: LoanPolicy = field(default_factory=LoanPolicy)
    staff_members: frozenset[tuple[Platform, int]] = frozenset()
