"""Personal digests as scheduler jobs: "as they arrive" every few minutes, weekly on the
configured weekday and time in the library's timezone. Both only queue outbox rows with
idempotent keys (see :mod:`handlers.arrivals.digests`)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from handlers.arrivals.digests import DigestPlanner
from handlers.arrivals.subscriptions import WeeklySchedule

INSTANT_JOB_ID = "arrivals-digest-instant"
WEEKLY_JOB_ID = "arrivals-digest-weekly"
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def weekly_trigger(weekly: WeeklySchedule, timezone: str) -> CronTrigger:
    """The weekly digest's moment; ``weekly.weekday`` counts from Monday as 1 (ISO)."""
    return CronTrigger(
        day_of_week=_DAYS[weekly.weekday - 1],
        hour=weekly.hour,
        minute=weekly.minute,
        timezone=ZoneInfo(timezone),
    )


def add_digest_jobs(
    scheduler: AsyncIOScheduler,
    planner: DigestPlanner,
    *,
    interval_minutes: int,
    weekly: WeeklySchedule,
    timezone: str,
) -> None:
    # Bound coroutine methods: APScheduler awaits only what it sees as coroutine functions.
    scheduler.add_job(
        planner.send_new,
        IntervalTrigger(minutes=interval_minutes, timezone=ZoneInfo(timezone)),
        id=INSTANT_JOB_ID,
        replace_existing=True,
    )
    scheduler.add_job(
        planner.send_weekly,
        weekly_trigger(weekly, timezone),
        id=WEEKLY_JOB_ID,
        replace_existing=True,
    )
