"""One settable clock for every test: time moves only when a test says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
"""A Monday, noon in Moscow: the default "now" of tests that need no other."""


@dataclass
class SettableClock:
    """A `storage.types.Clock` a test sets (`now = ...`) or moves (`advance(hours=1)`)."""

    now: datetime = MONDAY

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
