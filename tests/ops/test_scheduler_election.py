"""Exactly one scheduler among the processes on one PostgreSQL database, and a successor
when the holder dies: through ``pg_try_advisory_lock`` (skipped without TEST_DATABASE_URL)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import textwrap
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_PAUSED, STATE_RUNNING
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.app import Application
from bot.ops.leader import AdvisoryLock, Election, NoLock, skip_runs_before
from bot.playground.platforms.telegram_server import FakeTelegramServer
from storage.database import create_engine
from tests.e2e.conftest import make_settings
from tests.ops.conftest import admin, eventually, head_revision, needs_postgres


def election(lock: AdvisoryLock | NoLock, log: list[str], name: str) -> Election:
    return Election(
        lock,
        on_lead=lambda _since: log.append(f"{name} leads"),
        on_follow=lambda: log.append(f"{name} follows"),
        retry_seconds=0.01,
    )


async def test_on_sqlite_the_only_process_leads() -> None:
    log: list[str] = []
    only = election(NoLock(), log, "only")
    await only.step()
    assert only.leading and log == ["only leads"]


@needs_postgres
async def test_one_of_two_processes_leads_and_the_other_takes_over_when_it_lets_go(
    postgres_url: str,
) -> None:
    engine_a, engine_b = create_engine(postgres_url), create_engine(postgres_url)
    log: list[str] = []
    lock_a, lock_b = AdvisoryLock(engine_a), AdvisoryLock(engine_b)
    a, b = election(lock_a, log, "a"), election(lock_b, log, "b")
    try:
        await a.step()
        await b.step()
        await b.step()
        assert (a.leading, b.leading) == (True, False)

        # a's session dies under it (a network cut, the server restarting the backend). Only
        # in this test's database: a test running beside it keeps its own locks.
        database = postgres_url.rsplit("/", 1)[1]
        await admin(
            "SELECT pg_terminate_backend(pid) FROM pg_locks "
            "WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid() "
            f"AND database = (SELECT oid FROM pg_database WHERE datname = '{database}')"
        )
        await b.step()
        await a.step()

        assert (a.leading, b.leading) == (False, True)
        assert log == ["a leads", "b leads", "a follows"]
    finally:
        await lock_a.release()
        await lock_b.release()
        await engine_a.dispose()
        await engine_b.dispose()


HOLDER = textwrap.dedent(
    """
    import asyncio, sys
    from bot.ops.leader import AdvisoryLock
    from storage.database import create_engine

    async def main() -> None:
        lock = AdvisoryLock(create_engine(sys.argv[1]))
        assert await lock.try_take()
        print("holding", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())
    """
)


@needs_postgres
async def test_a_successor_takes_over_after_the_holder_is_killed(postgres_url: str) -> None:
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, postgres_url, stdout=asyncio.subprocess.PIPE
    )
    engine = create_engine(postgres_url)
    log: list[str] = []
    lock = AdvisoryLock(engine)
    successor = election(lock, log, "successor")
    try:
        assert holder.stdout is not None
        assert (await holder.stdout.readline()).strip() == b"holding"
        await successor.step()
        assert not successor.leading

        os.kill(holder.pid, signal.SIGKILL)
        await holder.wait()

        # The server notices the closed connection and frees the lock; the successor's
        # periodic attempts take it.
        for _ in range(500):
            await successor.step()
            if successor.leading:
                break
            await asyncio.sleep(0.02)
        assert successor.leading
        assert log == ["successor leads"]
    finally:
        if holder.returncode is None:
            holder.kill()
            await holder.wait()
        await lock.release()
        await engine.dispose()


def test_a_successor_skips_the_runs_its_predecessor_made() -> None:
    scheduler = AsyncIOScheduler(timezone=UTC)
    now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    scheduler.add_job(print, DateTrigger(now - timedelta(minutes=5)), id="done-before")
    scheduler.add_job(print, DateTrigger(now - timedelta(seconds=5)), id="due-in-the-gap")
    scheduler.add_job(
        print,
        IntervalTrigger(minutes=10, start_date=now - timedelta(minutes=35)),
        id="every-ten",
    )
    # Not started: add_job keeps the jobs pending; start paused to compute run times.

    async def run() -> None:
        scheduler.start(paused=True)
        try:
            skip_runs_before(scheduler, now - timedelta(seconds=15))
            assert scheduler.get_job("done-before") is None
            due = scheduler.get_job("due-in-the-gap")
            assert due is not None and due.next_run_time == now - timedelta(seconds=5)
            every = scheduler.get_job("every-ten")
            assert every is not None
            assert every.next_run_time == now + timedelta(minutes=5)
        finally:
            scheduler.shutdown(wait=False)

    asyncio.run(run())


@needs_postgres
async def test_two_applications_run_one_scheduler_and_a_job_once(postgres_url: str) -> None:
    async with FakeTelegramServer() as telegram:
        settings = make_settings(postgres_url, telegram, scheduler_lock_retry_seconds=0.05)
        first, second = Application(settings), Application(settings)
        await first.start()
        await second.start()
        try:
            apps = (first, second)
            await eventually(
                lambda: any(app.ops.election and app.ops.election.leading for app in apps)
            )
            leader = next(app for app in apps if app.ops.election and app.ops.election.leading)
            follower = second if leader is first else first
            assert leader.scheduler.state == STATE_RUNNING
            assert follower.scheduler.state == STATE_PAUSED

            runs: list[str] = []
            moment = datetime.now(UTC) + timedelta(milliseconds=300)
            for app, name in ((leader, "leader"), (follower, "follower")):
                app.scheduler.add_job(runs.append, DateTrigger(moment), args=[name], id="probe")
            election = follower.ops.election
            assert election is not None
            # The leader ran it, and the follower was refused once more afterwards, so the
            # run is known to be its predecessor's.
            await eventually(
                lambda: runs and election.refused_at is not None and election.refused_at > moment
            )

            await leader.stop()
            await eventually(lambda: follower.scheduler.state == STATE_RUNNING)

            assert runs == ["leader"]
            # The successor dropped the run its predecessor made instead of repeating it.
            assert follower.scheduler.get_job("probe") is None
            assert follower.scheduler.get_job("retention") is not None
        finally:
            for app in (first, second):
                await app.stop()


@needs_postgres
async def test_processes_starting_at_once_migrate_in_turn(postgres_url: str) -> None:
    from storage.migrate import upgrade

    # Without the migration lock the three deadlock on each other's DDL or fail.
    async with asyncio.timeout(60):
        await asyncio.gather(*(upgrade(postgres_url) for _ in range(3)))
    engine = create_engine(postgres_url)
    try:
        async with engine.connect() as connection:
            versions = (
                await connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            ).all()
    finally:
        await engine.dispose()
    assert [row[0] for row in versions] == [head_revision()]
