"""Read-only figures for health checks and metrics: the database answers, the outbox's
backlog, the open and overdue tickets. No personal data leaves these queries: only counts
and ages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import OutboxStatus, TicketStatus
from storage.schema import outbox, tickets

_WAITING = (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value)
_OPEN = (TicketStatus.NEW.value, TicketStatus.IN_PROGRESS.value)


@dataclass(frozen=True, slots=True)
class OutboxBacklog:
    depth: int
    """Rows not yet settled (pending or being sent)."""
    due: int
    """Of those, the rows whose time has come."""
    oldest_due_age_seconds: float
    """How long the earliest due row has been waiting; 0 when nothing is due."""


@dataclass(frozen=True, slots=True)
class TicketCounts:
    open: int
    overdue: int


class HealthRepository:
    """The queries behind ``/readyz`` and ``/metrics``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def ping(self) -> None:
        """Raise if the database does not answer a trivial query."""
        async with self._engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def outbox_backlog(self, now: datetime) -> OutboxBacklog:
        waiting = outbox.c.status.in_(_WAITING)
        due = waiting & (outbox.c.next_attempt_at <= now)
        async with self._engine.connect() as connection:
            depth = await connection.scalar(select(func.count()).where(waiting))
            row = (
                await connection.execute(
                    select(func.count(), func.min(outbox.c.next_attempt_at)).where(due)
                )
            ).one()
        due_count, oldest = int(row[0] or 0), row[1]
        age = 0.0
        if oldest is not None:
            # min() keeps the column's type, so this is an aware UTC datetime on both backends.
            age = max((now - oldest).total_seconds(), 0.0)
        return OutboxBacklog(int(depth or 0), due_count, age)

    async def ticket_counts(self, now: datetime) -> TicketCounts:
        is_open = tickets.c.status.in_(_OPEN)
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(
                    select(
                        func.count(),
                        func.count().filter(tickets.c.deadline_at < now),
                    ).where(is_open)
                )
            ).one()
        return TicketCounts(int(row[0] or 0), int(row[1] or 0))
