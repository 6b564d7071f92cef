"""The arrivals store, read the way announcements read it (``ArrivalSource``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from handlers.publishing.arrivals import Arrival
from handlers.publishing.posts import Image
from storage.arrival_models import Arrival as StoredArrival
from storage.arrivals import ArrivalRepository
from storage.models import Platform

EXHIBITION_MAX = 100
"""The most arrivals one subject offers an exhibition (albums are cut into tens anyway)."""


class StoredArrivals:
    def __init__(self, store: ArrivalRepository) -> None:
        self._store = store

    async def added_between(self, start: datetime, end: datetime) -> Sequence[Arrival]:
        return [announced(a) for a in await self._store.added_between(start, end)]

    async def by_subject(self, subject: str) -> Sequence[Arrival]:
        page = await self._store.latest(0, EXHIBITION_MAX, subject)
        return [announced(a) for a in page.items]

    async def by_ids(self, ids: Sequence[int]) -> Sequence[Arrival]:
        found = [await self._store.get(arrival_id) for arrival_id in ids]
        return [announced(a) for a in found if a is not None]


def announced(stored: StoredArrival) -> Arrival:
    record = stored.record
    return Arrival(
        id=stored.id,
        title=record.title,
        authors=record.authors,
        year=record.year,
        description=record.description or "",
        cover=cover(record.cover),
        subjects=record.subjects,
    )


def cover(reference: str | None) -> Image | None:
    """A stored cover is a web address or ``<platform>:<file id>`` (a photo staff sent)."""
    if not reference:
        return None
    if reference.startswith(("http://", "https://")):
        return Image(url=reference)
    platform, _, ref = reference.partition(":")
    if platform in tuple(Platform) and ref:
        return Image(platform=Platform(platform), ref=ref)
    return None
