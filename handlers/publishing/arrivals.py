"""What announcements read about new arrivals. The arrivals feature's store is adapted to
this port in the composition root; tests use an in-memory one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Arrival:
    id: int
    title: str
    authors: tuple[str, ...] = ()
    year: int | None = None
    description: str = ""
    cover_url: str | None = None
    subjects: tuple[str, ...] = ()


class ArrivalSource(Protocol):
    async def added_between(self, start: datetime, end: datetime) -> Sequence[Arrival]:
        """Arrivals added in [start, end), oldest first."""
        ...

    async def by_subject(self, subject: str) -> Sequence[Arrival]:
        """Arrivals filed under one of the library's own subjects, newest first."""
        ...

    async def by_ids(self, ids: Sequence[int]) -> Sequence[Arrival]:
        """The arrivals with these ids that exist, in the order asked."""
        ...


class NoArrivals:
    """The source until the arrivals store is adapted to :class:`ArrivalSource` in the
    composition root: nothing has arrived, so no digest is posted."""

    async def added_between(self, start: datetime, end: datetime) -> Sequence[Arrival]:
        return ()

    async def by_subject(self, subject: str) -> Sequence[Arrival]:
        return ()

    async def by_ids(self, ids: Sequence[int]) -> Sequence[Arrival]:
        return ()
