"""The feed poll as a scheduler job."""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import iscoroutinefunction_partial

from bot.arrivals.importer import ArrivalImporter
from bot.arrivals.poller import FeedPoller
from bot.arrivals.schedule import FEED_JOB_ID, add_feed_job, feed_trigger
from storage.database import Storage


def test_a_cron_line_wins_over_the_interval() -> None:
    cron = feed_trigger(60, "0 7 * * 1-5", "Europe/Moscow")
    assert isinstance(cron, CronTrigger)
    monday_morning = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    fire = cron.get_next_fire_time(None, monday_morning)
    assert fire is not None and fire.astimezone(UTC) == datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
    friday_evening = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    after_weekend = cron.get_next_fire_time(None, friday_evening)
    assert after_weekend is not None
    assert after_weekend.astimezone(UTC) == datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
    sundays = feed_trigger(60, "30 9 * * 0,7", "Europe/Moscow")
    sunday = sundays.get_next_fire_time(None, monday_morning)
    assert sunday is not None and sunday.astimezone(UTC) == datetime(
        2026, 11, 29, 6, 30, tzinfo=UTC
    )
    interval = feed_trigger(90, " ", "Europe/Moscow")
    assert isinstance(interval, IntervalTrigger) and interval.interval.total_seconds() == 5400


async def test_the_poll_is_a_coroutine_job(storage: Storage, importer: ArrivalImporter) -> None:
    scheduler = AsyncIOScheduler()
    poller = FeedPoller("http://127.0.0.1:9/feed", states=storage.arrivals, importer=importer)
    add_feed_job(scheduler, poller, feed_trigger(60, "", "Europe/Moscow"))
    job = scheduler.get_job(FEED_JOB_ID)
    assert job is not None and iscoroutinefunction_partial(job.func)
