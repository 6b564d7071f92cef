"""What announcements need from storage (``storage.publishing`` implements these)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from storage.publishing import DigestRun, DigestStatus, ScheduledPost


class DigestRuns(Protocol):
    async def last_until(self, before: datetime) -> datetime | None: ...

    async def create(
        self,
        scheduled_for: datetime,
        since: datetime,
        until: datetime,
        arrival_ids: Sequence[int],
        status: DigestStatus,
    ) -> DigestRun | None: ...

    async def get(self, scheduled_for: datetime) -> DigestRun | None: ...

    async def get_by_id(self, run_id: int) -> DigestRun | None: ...

    async def decide(self, run_id: int, status: DigestStatus, by: str) -> bool: ...


class Calendar(Protocol):
    async def add(
        self,
        due_at: datetime,
        post: dict[str, Any],
        kind: str,
        created_by: str | None,
        origin: str | None = None,
    ) -> int | None: ...

    async def upcoming(self, limit: int = 50) -> list[ScheduledPost]: ...

    async def due(self, now: datetime, limit: int = 100) -> list[ScheduledPost]: ...

    async def cancel(self, post_id: int) -> bool: ...

    async def mark_queued(self, post_id: int) -> bool: ...

    async def mark_missed(self, post_id: int) -> bool: ...
