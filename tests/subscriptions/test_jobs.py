"""The digest jobs: "as they arrive" on an interval, weekly on the configured weekday and
time in the library's timezone, as the settings give them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.app import weekly_schedule
from bot.arrivals.digest_jobs import INSTANT_JOB_ID, WEEKLY_JOB_ID, add_digest_jobs
from bot.settings import Settings
from handlers.arrivals.subscriptions import WeeklySchedule
from tests.subscriptions.conftest import Library

MSK = ZoneInfo("Europe/Moscow")


def settings(tmp_path: Path, **values: Any) -> Settings:
    return Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        library_name="Библиотека",
        **values,
    )


def test_the_weekly_moment_comes_from_the_settings(tmp_path: Path) -> None:
    assert weekly_schedule(settings(tmp_path)) == WeeklySchedule(1, 10, 0)
    chosen = settings(
        tmp_path, arrivals_weekly_digest_weekday=3, arrivals_weekly_digest_time="09:30"
    )
    assert weekly_schedule(chosen) == WeeklySchedule(3, 9, 30)


async def test_jobs_fire_on_the_weekday_and_the_interval(library: Library) -> None:
    scheduler = AsyncIOScheduler(timezone=MSK)
    add_digest_jobs(
        scheduler,
        library.planner(),
        interval_minutes=15,
        weekly=WeeklySchedule(3, 9, 30),
        timezone="Europe/Moscow",
    )
    weekly = scheduler.get_job(WEEKLY_JOB_ID)
    instant = scheduler.get_job(INSTANT_JOB_ID)
    assert weekly is not None and instant is not None
    monday = datetime(2026, 11, 23, 12, 0, tzinfo=MSK)
    assert weekly.trigger.get_next_fire_time(None, monday) == datetime(
        2026, 11, 25, 9, 30, tzinfo=MSK
    ), "Wednesday (ISO weekday 3) at 09:30 Moscow time"
    assert isinstance(instant.trigger, IntervalTrigger)
    assert instant.trigger.interval.total_seconds() == 15 * 60
