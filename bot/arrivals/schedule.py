"""The feed poll as a scheduler job: every N minutes, or on a cron expression."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.arrivals.poller import FeedPoller
from bot.crontab import crontab_trigger

FEED_JOB_ID = "arrivals-feed"


def feed_trigger(interval_minutes: int, cron: str, timezone: str) -> BaseTrigger:
    """A crontab line (``0 7 * * 1-5``) when given, the interval otherwise."""
    if cron.strip():
        return crontab_trigger(cron, timezone)
    return IntervalTrigger(minutes=interval_minutes, timezone=ZoneInfo(timezone))


def add_feed_job(scheduler: AsyncIOScheduler, poller: FeedPoller, trigger: BaseTrigger) -> None:
    async def poll() -> None:
        await poller.poll()

    scheduler.add_job(poll, trigger, id=FEED_JOB_ID, replace_existing=True)
