"""The announcement jobs as APScheduler runs them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.util import iscoroutinefunction_partial

from bot.publishing.jobs import digest_trigger, latest_fire_time
from tests.publishing.conftest import World

TRIGGER = digest_trigger("0 10 * * mon,thu", "Europe/Moscow")
MONDAY_10_MSK = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def test_the_due_run_is_the_latest_scheduled_time_within_the_grace() -> None:
    grace = timedelta(hours=6)
    assert latest_fire_time(TRIGGER, MONDAY_10_MSK, grace) == MONDAY_10_MSK
    assert latest_fire_time(TRIGGER, MONDAY_10_MSK + timedelta(hours=5), grace) == MONDAY_10_MSK
    assert latest_fire_time(TRIGGER, MONDAY_10_MSK + timedelta(hours=7), grace) is None
    assert latest_fire_time(TRIGGER, MONDAY_10_MSK - timedelta(seconds=1), grace) is None
    thursday = MONDAY_10_MSK + timedelta(days=3)
    assert latest_fire_time(TRIGGER, thursday + timedelta(minutes=1), timedelta(days=7)) == thursday


async def test_the_jobs_are_awaited_on_the_loop_with_grace_and_coalescing(world: World) -> None:
    publishing = await world.start(digest_grace_minutes=90)
    scheduler = AsyncIOScheduler(timezone="Europe/Moscow")

    publishing.schedule(scheduler, world.settings(digest_grace_minutes=90))

    digest = scheduler.get_job("digest")
    calendar = scheduler.get_job("calendar")
    assert digest is not None and calendar is not None
    assert iscoroutinefunction_partial(digest.func) and iscoroutinefunction_partial(calendar.func)
    assert digest.misfire_grace_time == 90 * 60
    assert digest.coalesce is True
    assert str(digest.trigger) == str(TRIGGER)
