"""Exactly one scheduler among the processes of a deployment.

On PostgreSQL the processes compete for a session-level advisory lock, each on a connection
of its own kept for as long as it leads. PostgreSQL releases the lock when the holder's
session ends, also when the process is killed, and a waiting process takes it at its next
attempt. On SQLite a deployment is one process, which simply leads.

The scheduler of every process is started paused; leading resumes it, losing the lock pauses
it again. A successor runs what fell due since its last refused attempt (the old leader may
have missed it) and skips what fell due before (the old leader was alive then and ran it).
Jobs only enqueue idempotent outbox work anyway, so a repeated run sends nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Protocol

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

SCHEDULER_LOCK_KEY = 0x6C6962_5343_4844
"""The advisory lock's key ("lib" + "SCHD"); advisory locks are per database."""


class Lock(Protocol):
    async def try_take(self) -> bool:
        """Take the lock if it is free; True when this process holds it afterwards."""

    async def still_held(self) -> bool:
        """Whether the lock is still ours (False when our session was lost)."""

    async def release(self) -> None: ...


class NoLock:
    """SQLite: one process, always the leader."""

    async def try_take(self) -> bool:
        return True

    async def still_held(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class AdvisoryLock:
    """``pg_try_advisory_lock`` on a dedicated connection held while the lock is."""

    def __init__(self, engine: AsyncEngine, key: int = SCHEDULER_LOCK_KEY) -> None:
        self._engine = engine
        self._key = key
        self._connection: AsyncConnection | None = None

    async def try_take(self) -> bool:
        connection = await self._engine.connect()
        try:
            taken = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            )
            await connection.commit()
        except BaseException:
            await _close_quietly(connection)
            raise
        if not taken:
            await _close_quietly(connection)
            return False
        self._connection = connection
        return True

    async def still_held(self) -> bool:
        connection = self._connection
        if connection is None:
            return False
        try:
            held = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND pid = pg_backend_pid() AND granted "
                    "AND ((classid::bigint << 32) | objid::bigint) = :key"
                ),
                {"key": self._key},
            )
            await connection.commit()
        except (SQLAlchemyError, OSError) as error:
            log.warning("scheduler lock: the session holding it is lost (%s)", error)
            self._connection = None
            await _close_quietly(connection)
            return False
        return bool(held)

    async def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        with contextlib.suppress(SQLAlchemyError, OSError):
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            await connection.commit()
        await _close_quietly(connection)


async def _close_quietly(connection: AsyncConnection) -> None:
    with contextlib.suppress(SQLAlchemyError, OSError):
        await connection.close()


def lock_for(engine: AsyncEngine) -> Lock:
    return AdvisoryLock(engine) if engine.dialect.name == "postgresql" else NoLock()


class Election:
    """Tries to lead every ``retry_seconds``. On winning the lock it calls ``on_lead`` with
    the time of its last refused attempt (None if it won at once: nobody led before it); on
    losing it, ``on_follow``, and once more on the way out if it was leading.

    ``clock`` is wall time, the scheduler's own time scale.
    """

    def __init__(
        self,
        lock: Lock,
        *,
        on_lead: Callable[[datetime | None], None],
        on_follow: Callable[[], None],
        retry_seconds: float,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._lock = lock
        self._on_lead = on_lead
        self._on_follow = on_follow
        self._retry = retry_seconds
        self._sleep = sleep
        self._clock = clock
        self._refused_at: datetime | None = None
        self.leading = False

    @property
    def refused_at(self) -> datetime | None:
        """When this process last tried to lead and was refused."""
        return self._refused_at

    async def step(self) -> None:
        """One attempt: take the lock if we do not lead, check it if we do."""
        try:
            if not self.leading:
                attempted_at = self._clock()
                if await self._lock.try_take():
                    self.leading = True
                    log.info("this process now runs the scheduler")
                    self._on_lead(self._refused_at)
                else:
                    self._refused_at = attempted_at
            elif not await self._lock.still_held():
                self.leading = False
                log.warning("this process lost the scheduler lock; another one takes over")
                self._on_follow()
        except (SQLAlchemyError, OSError) as error:
            log.warning("scheduler election: the database did not answer (%s)", error)

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                await self.step()
                if self._sleep is not None:
                    await self._sleep(self._retry)
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._retry)
        finally:
            if self.leading:
                self.leading = False
                self._on_follow()
            await self._lock.release()


def skip_runs_before(scheduler: BaseScheduler, moment: datetime) -> None:
    """Move every job past the runs that fell due before ``moment`` (another process ran
    them); a job with no run left is removed."""
    for job in scheduler.get_jobs():
        due = job.next_run_time
        while due is not None and due < moment:
            due = job.trigger.get_next_fire_time(due, moment)
        if due == job.next_run_time:
            continue
        if due is None:
            job.remove()
        else:
            job.modify(next_run_time=due)
