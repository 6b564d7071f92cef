"""Plain records of new arrivals: what an importer read, what storage keeps, and what an
import reports."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ArrivalRecord:
    """One publication as an importer read it, before it is stored.

    ``isbns`` are normalised ISBN-13s (see :mod:`storage.isbn`); ``subjects`` are the library
    subject codes the raw ``headings`` map onto. ``source`` names the import (a file or a
    feed) and, with ``control_number``, identifies the record there.
    """

    title: str
    source: str
    authors: tuple[str, ...] = ()
    publisher: str | None = None
    place: str | None = None
    year: int | None = None
    isbns: tuple[str, ...] = ()
    control_number: str | None = None
    description: str | None = None
    cover: str | None = None
    """A URL, or a platform file reference written ``<platform>:<file id>``."""
    headings: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Arrival:
    """A stored arrival: its record, its number, and when it was first added and last
    changed."""

    id: int
    record: ArrivalRecord
    added_at: datetime
    updated_at: datetime

    @property
    def title(self) -> str:
        return self.record.title


@dataclass(frozen=True, slots=True)
class ArrivalPage:
    """One page of arrivals, newest first, and how many there are in all."""

    items: list[Arrival]
    total: int


class Outcome(enum.StrEnum):
    """What storing one record did."""

    ADDED = "added"
    UPDATED = "updated"
    DUPLICATE = "duplicate"
    """The same publication was already stored with exactly these data."""


class Reason(enum.StrEnum):
    """Why a record, or a whole input, could not be imported."""

    NO_TITLE = "no-title"
    BROKEN_RECORD = "broken-record"
    UNDECODABLE = "undecodable"
    MALFORMED = "malformed"
    TOO_MANY_CELLS = "too-many-cells"
    BROKEN_CSV = "broken-csv"
    NOT_STORED = "not-stored"
    UNKNOWN_FORMAT = "unknown-format"
    BAD_XML = "bad-xml"
    BAD_FEED = "bad-feed"


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record that could not be imported: its number in the file (from 1), why, and a
    technical detail (an exception's name, a count) for whoever fixes the file."""

    number: int
    reason: Reason
    detail: str = ""


@dataclass(slots=True)
class ImportSummary:
    """What one import did, record by record."""

    source: str
    added: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    unreadable: Reason | None = None
    """Why nothing at all could be read from the input (an unknown format), if so."""

    def count(self, outcome: Outcome) -> None:
        if outcome is Outcome.ADDED:
            self.added += 1
        elif outcome is Outcome.UPDATED:
            self.updated += 1
        else:
            self.duplicates += 1

    def reject(self, number: int, reason: Reason, detail: str = "") -> None:
        self.rejected.append(Rejection(number, reason, detail))

    @property
    def read_nothing(self) -> bool:
        """True when not a single record could be read."""
        return self.unreadable is not None or (
            self.added + self.updated + self.duplicates == 0 and bool(self.rejected)
        )


@dataclass(frozen=True, slots=True)
class FeedState:
    """What a feed answered last time, for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None
