"""What subject subscriptions and personal digests need from storage."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from storage.arrival_models import Arrival
from storage.subscriptions import Frequency, Subscriber, Subscription


class Subscriptions(Protocol):
    async def get(self, reader_id: int) -> Subscription: ...

    async def toggle(self, reader_id: int, subject: str) -> Subscription:
        """Subscribe to ``subject``, or unsubscribe if already subscribed."""
        ...

    async def unsubscribe_all(self, reader_id: int) -> None: ...

    async def set_frequency(self, reader_id: int, frequency: Frequency) -> Subscription: ...

    async def subscribers(
        self, frequency: Frequency, subjects: Collection[str] | None = None
    ) -> list[Subscriber]:
        """Consenting, reachable readers with ``frequency`` and one of ``subjects``."""
        ...


class NewArrivals(Protocol):
    async def after(
        self, last_id: int, up_to: int | None = None, limit: int = 1000
    ) -> list[Arrival]: ...

    async def newest_id(self) -> int: ...

    async def added_since(
        self, moment: datetime, subjects: Collection[str] | None = None, limit: int = 1000
    ) -> list[Arrival]: ...


class Cursors(Protocol):
    """Named values kept across restarts (``storage.cursors.PollCursorRepository``)."""

    async def load(self, name: str) -> str | None: ...

    async def save(self, name: str, value: str) -> None: ...
