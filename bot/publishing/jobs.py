"""The scheduler's announcement jobs: the digest on its cron schedule, the calendar each
minute. Each only enqueues idempotent work; the outbox posts it."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.crontab import crontab_trigger
from handlers.publishing.calendar import CalendarPosts
from handlers.publishing.digests import Digests
from storage.types import Clock, utcnow

log = logging.getLogger(__name__)


def digest_trigger(cron: str, timezone: str) -> CronTrigger:
    """``DIGEST_CRON`` (``minute hour day month weekday``) in the library's time zone."""
    return crontab_trigger(cron, timezone)


def latest_fire_time(trigger: CronTrigger, now: datetime, grace: timedelta) -> datetime | None:
    """The trigger's last time in (now - grace, now], if any: the run that is due now, or
    the one missed while the bot was down and still worth posting."""
    latest = None
    candidate = trigger.get_next_fire_time(None, now - grace)
    while candidate is not None and candidate <= now:
        latest = candidate
        candidate = trigger.get_next_fire_time(candidate, candidate + timedelta(seconds=1))
    return latest


class DigestJob:
    """Runs the digest of the latest scheduled time within the grace period.

    APScheduler calls it at each scheduled time (and once, coalesced, for a time missed within
    its misfire grace); the application also calls it at start, because the memory job store
    forgets a run missed while the process was down. Runs are recorded by their scheduled
    time, so calling it twice for one time posts once.
    """

    def __init__(
        self, digests: Digests, trigger: CronTrigger, grace: timedelta, clock: Clock = utcnow
    ) -> None:
        self._digests = digests
        self._trigger = trigger
        self._grace = grace
        self._clock = clock

    async def run(self) -> None:
        now = self._clock()
        scheduled_for = latest_fire_time(self._trigger, now, self._grace)
        if scheduled_for is None:
            return
        run = await self._digests.run(scheduled_for)
        log.info(
            "digest %s: %s, %d arrivals",
            self._digests.key(scheduled_for),
            run.status,
            len(run.arrival_ids),
        )


class CalendarJob:
    def __init__(self, posts: CalendarPosts, clock: Clock = utcnow) -> None:
        self._posts = posts
        self._clock = clock

    async def run(self) -> None:
        posted = await self._posts.post_due(self._clock())
        if posted:
            log.info("calendar: %d posts queued", posted)


def add_announcement_jobs(
    scheduler: AsyncIOScheduler,
    digest: DigestJob,
    trigger: CronTrigger,
    calendar: CalendarJob,
    grace: timedelta,
) -> None:
    scheduler.add_job(
        digest.run,
        trigger,
        id="digest",
        replace_existing=True,
        misfire_grace_time=int(grace.total_seconds()),
        coalesce=True,
    )
    scheduler.add_job(
        calendar.run,
        CronTrigger(minute="*"),
        id="calendar",
        replace_existing=True,
    )
