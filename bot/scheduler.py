"""The one scheduler of a deployment: APScheduler 3.11 jobs that only do idempotent work.

Jobs never talk to a platform themselves; anything to be delivered goes into the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from storage.database import Storage
from storage.types import Clock, utcnow

log = logging.getLogger(__name__)

SENT_OUTBOX_KEEP_DAYS = 30
MISFIRE_GRACE_SECONDS = 6 * 3600
"""A job missed while the bot was down runs once when it is back, within this window."""


class RetentionJob:
    """Deletes what is older than the retention period promised in the privacy notice: the
    conversation log, tickets with everything attached, stale dialog states and settled
    outbox rows (see :mod:`storage.erasure`); and, sooner, delivered outbox rows that are no
    longer needed for de-duplication."""

    def __init__(
        self,
        storage: Storage,
        retention_days: int,
        clock: Clock = utcnow,
    ) -> None:
        self._storage = storage
        self._retention = timedelta(days=retention_days)
        self._clock = clock

    async def run(self) -> None:
        now = self._clock()
        rows = await self._storage.outbox.purge_sent(now - timedelta(days=SENT_OUTBOX_KEEP_DAYS))
        purged = await self._storage.retention.purge_before(now - self._retention)
        log.info(
            "retention: erased %d messages, %d tickets, %d dialog states and %d outbox rows",
            purged.messages,
            purged.tickets,
            purged.dialog_states,
            purged.outbox_rows + rows,
        )


class StaffJobs(Protocol):
    async def remind(self, now: datetime) -> int: ...

    async def auto_close(self, now: datetime) -> int: ...


class DeskJob:
    """Runs one of the staff desk's periodic duties with the current time."""

    def __init__(
        self,
        duty: Callable[[datetime], Awaitable[int]],
        clock: Clock = utcnow,
    ) -> None:
        self._duty = duty
        self._clock = clock

    async def run(self) -> None:
        count = await self._duty(self._clock())
        log.info("%s: %d", getattr(self._duty, "__name__", "desk job"), count)


class LoanReminderJobs(Protocol):
    async def run(self, now: datetime) -> int: ...


def build_scheduler(
    storage: Storage,
    timezone: str,
    retention_days: int,
    staff: StaffJobs,
    *,
    loans: LoanReminderJobs | None = None,
    loan_reminders_at: time = time(10, 0),
    clock: Clock = utcnow,
) -> AsyncIOScheduler:
    """A scheduler with the deployment's jobs; the caller starts and shuts it down.

    Reminders run at the top of every hour (their outbox keys are per hour, so a run repeated
    after a restart posts nothing twice); answered tickets are closed hourly too. Readers'
    due-date reminders (``loans``) run daily at ``loan_reminders_at``, library time: each is
    recorded once per loan and due date, so a repeated run sends nothing twice.
    """
    scheduler = AsyncIOScheduler(
        timezone=ZoneInfo(timezone),
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": MISFIRE_GRACE_SECONDS,
        },
    )
    scheduler.add_job(
        # A bound coroutine method, not an instance with an async __call__: APScheduler only
        # awaits what it recognises as a coroutine function, and runs anything else in a thread.
        RetentionJob(storage, retention_days, clock).run,
        CronTrigger(hour=3, minute=30, timezone=ZoneInfo(timezone)),
        id="retention",
        replace_existing=True,
    )
    scheduler.add_job(
        DeskJob(staff.remind, clock).run,
        CronTrigger(minute=0),
        id="staff-reminders",
        replace_existing=True,
    )
    scheduler.add_job(
        DeskJob(staff.auto_close, clock).run,
        CronTrigger(minute=30),
        id="auto-close",
        replace_existing=True,
    )
    if loans is not None:
        scheduler.add_job(
            DeskJob(loans.run, clock).run,
            CronTrigger(
                hour=loan_reminders_at.hour,
                minute=loan_reminders_at.minute,
                timezone=ZoneInfo(timezone),
            ),
            id="loan-reminders",
            replace_existing=True,
        )
    return scheduler
