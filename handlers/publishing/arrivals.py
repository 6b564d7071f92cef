"""What announcements read about new arrivals: the arrivals store, adapted to this port in
``bot/publishing/stored_arrivals.py``; tests may use an in-memory one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from handlers.publishing.posts import Image


@dataclass(frozen=True, slots=True)
class Arrival:
    id: int
    title: str
    authors: tuple[str, ...] = ()
    year: int | None = None
    description: str = ""
    cover: Image | None = None
    """A web address, or a file a staff member sent on a platform."""
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
