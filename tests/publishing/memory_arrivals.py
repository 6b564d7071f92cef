"""An in-memory :class:`handlers.publishing.arrivals.ArrivalSource` for tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from handlers.publishing.arrivals import Arrival


class MemoryArrivals:
    def __init__(self) -> None:
        self._items: list[tuple[datetime, Arrival]] = []

    def add(self, at: datetime, arrival: Arrival) -> None:
        self._items.append((at, arrival))

    async def added_between(self, start: datetime, end: datetime) -> Sequence[Arrival]:
        return [a for at, a in sorted(self._items, key=lambda i: i[0]) if start <= at < end]

    async def by_subject(self, subject: str) -> Sequence[Arrival]:
        found = [(at, a) for at, a in self._items if subject.lower() in a.subjects]
        return [a for _, a in sorted(found, key=lambda i: i[0], reverse=True)]

    async def by_ids(self, ids: Sequence[int]) -> Sequence[Arrival]:
        known = {a.id: a for _, a in self._items}
        return [known[i] for i in ids if i in known]
