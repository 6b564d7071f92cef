"""Digest runs and the content calendar (see :mod:`handlers.publishing`)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, func, select, update

from storage.connectable import Connectable
from storage.dialect import insert_or_ignore
from storage.schema import digests, scheduled_posts
from storage.types import Clock, utcnow


class DigestStatus(enum.StrEnum):
    EMPTY = "empty"
    """Nothing arrived in its period: nothing was posted."""
    AWAITING = "awaiting"
    """Sent to the staff chat for approval."""
    PUBLISHED = "published"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class DigestRun:
    id: int
    scheduled_for: datetime
    since: datetime
    until: datetime
    arrival_ids: tuple[int, ...]
    status: DigestStatus
    decided_by: str | None = None


class PostStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    """Handed to the outbox."""
    CANCELLED = "cancelled"
    MISSED = "missed"
    """Came due while the bot was down for longer than the grace period: not posted."""


@dataclass(frozen=True, slots=True)
class ScheduledPost:
    id: int
    due_at: datetime
    post: dict[str, Any]
    kind: str
    status: PostStatus
    created_by: str | None


def _run(row: Row[tuple[object, ...]]) -> DigestRun:
    v = row._mapping
    return DigestRun(
        id=v["id"],
        scheduled_for=v["scheduled_for"],
        since=v["since"],
        until=v["until"],
        arrival_ids=tuple(int(i) for i in v["arrival_ids"]),
        status=DigestStatus(v["status"]),
        decided_by=v["decided_by"],
    )


def _post(row: Row[tuple[object, ...]]) -> ScheduledPost:
    v = row._mapping
    return ScheduledPost(
        id=v["id"],
        due_at=v["due_at"],
        post=dict(v["post"]),
        kind=v["kind"],
        status=PostStatus(v["status"]),
        created_by=v["created_by"],
    )


class DigestRepository:
    def __init__(self, engine: Connectable, clock: Clock = utcnow) -> None:
        self._engine = engine
        self._clock = clock

    async def last_until(self, before: datetime) -> datetime | None:
        """Where the newest digest run before ``before`` ended, if there was one."""
        statement = select(func.max(digests.c.until)).where(digests.c.scheduled_for < before)
        async with self._engine.connect() as conn:
            value = (await conn.execute(statement)).scalar()
        if value is None:
            return None
        return _aware(value)

    async def create(
        self,
        scheduled_for: datetime,
        since: datetime,
        until: datetime,
        arrival_ids: Sequence[int],
        status: DigestStatus,
    ) -> DigestRun | None:
        """Record the run of ``scheduled_for``; None, changing nothing, if it is recorded."""
        values = {
            "scheduled_for": scheduled_for,
            "since": since,
            "until": until,
            "arrival_ids": list(arrival_ids),
            "status": str(status),
            "decided_by": None,
            "created_at": self._clock(),
            "decided_at": None,
        }
        statement = insert_or_ignore(
            self._engine.dialect, digests, values, ("scheduled_for",)
        ).returning(*digests.c)
        async with self._engine.begin() as conn:
            row = (await conn.execute(statement)).first()
        return None if row is None else _run(row)

    async def get(self, scheduled_for: datetime) -> DigestRun | None:
        return await self._one(digests.c.scheduled_for == scheduled_for)

    async def get_by_id(self, run_id: int) -> DigestRun | None:
        return await self._one(digests.c.id == run_id)

    async def decide(self, run_id: int, status: DigestStatus, by: str) -> bool:
        """Settle a run awaiting approval; False if someone settled it first."""
        statement = (
            update(digests)
            .where(digests.c.id == run_id, digests.c.status == str(DigestStatus.AWAITING))
            .values(status=str(status), decided_by=by, decided_at=self._clock())
        )
        async with self._engine.begin() as conn:
            result = await conn.execute(statement)
        return bool(result.rowcount)

    async def _one(self, condition: Any) -> DigestRun | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(digests).where(condition))).first()
        return None if row is None else _run(row)


class CalendarRepository:
    def __init__(self, engine: Connectable, clock: Clock = utcnow) -> None:
        self._engine = engine
        self._clock = clock

    async def add(
        self,
        due_at: datetime,
        post: dict[str, Any],
        kind: str,
        created_by: str | None,
        origin: str | None = None,
    ) -> int | None:
        """Schedule a post; None when ``origin`` was loaded before."""
        values = {
            "due_at": due_at,
            "post": post,
            "kind": kind,
            "status": str(PostStatus.SCHEDULED),
            "origin": origin,
            "created_by": created_by,
            "created_at": self._clock(),
        }
        if origin is None:
            statement: Any = scheduled_posts.insert().values(**values)
        else:
            statement = insert_or_ignore(self._engine.dialect, scheduled_posts, values, ("origin",))
        async with self._engine.begin() as conn:
            row = (await conn.execute(statement.returning(scheduled_posts.c.id))).first()
        return None if row is None else int(row[0])

    async def upcoming(self, limit: int = 50) -> list[ScheduledPost]:
        statement = (
            select(scheduled_posts)
            .where(scheduled_posts.c.status == str(PostStatus.SCHEDULED))
            .order_by(scheduled_posts.c.due_at, scheduled_posts.c.id)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            return [_post(row) for row in (await conn.execute(statement)).all()]

    async def due(self, now: datetime, limit: int = 100) -> list[ScheduledPost]:
        statement = (
            select(scheduled_posts)
            .where(
                scheduled_posts.c.status == str(PostStatus.SCHEDULED),
                scheduled_posts.c.due_at <= now,
            )
            .order_by(scheduled_posts.c.due_at, scheduled_posts.c.id)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            return [_post(row) for row in (await conn.execute(statement)).all()]

    async def cancel(self, post_id: int) -> bool:
        return await self._move(post_id, PostStatus.CANCELLED)

    async def mark_queued(self, post_id: int) -> bool:
        return await self._move(post_id, PostStatus.QUEUED)

    async def mark_missed(self, post_id: int) -> bool:
        return await self._move(post_id, PostStatus.MISSED)

    async def _move(self, post_id: int, status: PostStatus) -> bool:
        statement = (
            update(scheduled_posts)
            .where(
                scheduled_posts.c.id == post_id,
                scheduled_posts.c.status == str(PostStatus.SCHEDULED),
            )
            .values(status=str(status))
        )
        async with self._engine.begin() as conn:
            result = await conn.execute(statement)
        return bool(result.rowcount)


def _aware(value: datetime) -> datetime:
    """Aggregates bypass the column type, so SQLite hands back a naive UTC value."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
