"""The scheduler's jobs really run on the event loop and do their idempotent work."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.util import iscoroutinefunction_partial

from bot.scheduler import RetentionJob, build_scheduler
from handlers.core.replies import Reply
from storage.database import Storage
from storage.migrate import upgrade
from storage.models import Address, Direction, Platform

READER = Address(Platform.TELEGRAM, 42)


class Duties:
    def __init__(self) -> None:
        self.reminded = asyncio.Event()
        self.closed: list[datetime] = []

    async def remind(self, now: datetime) -> int:
        self.reminded.set()
        return 0

    async def auto_close(self, now: datetime) -> int:
        self.closed.append(now)
        return 0


async def open_storage(tmp_path: Path) -> Storage:
    url = f"sqlite+aiosqlite:///{tmp_path / 'jobs.sqlite3'}"
    await upgrade(url)
    return Storage.open(url)


async def test_every_job_is_awaited_on_the_loop_not_run_in_a_thread(tmp_path: Path) -> None:
    storage = await open_storage(tmp_path)
    try:
        scheduler = build_scheduler(storage, "Europe/Moscow", 30, Duties())
        jobs = scheduler.get_jobs()
        assert {job.id for job in jobs} == {"retention", "staff-reminders", "auto-close"}
        assert all(iscoroutinefunction_partial(job.func) for job in jobs)
    finally:
        await storage.close()


async def test_a_due_job_runs_when_the_scheduler_is_started(tmp_path: Path) -> None:
    storage = await open_storage(tmp_path)
    duties = Duties()
    scheduler = build_scheduler(storage, "Europe/Moscow", 30, duties)
    scheduler.start()
    try:
        scheduler.modify_job("staff-reminders", next_run_time=datetime.now(UTC))
        await asyncio.wait_for(duties.reminded.wait(), 10)
    finally:
        scheduler.shutdown(wait=False)
        await storage.close()


async def test_retention_erases_old_conversations_and_delivered_rows(tmp_path: Path) -> None:
    storage = await open_storage(tmp_path)
    try:
        reader = await storage.readers.create(READER, "ru")
        now = datetime.now(UTC)
        await storage.conversations.record(
            reader.id, Direction.IN, "старое", at=now - timedelta(days=40)
        )
        await storage.conversations.record(reader.id, Direction.IN, "свежее", at=now)
        await storage.outbox.enqueue("old", READER, Reply("x").to_dict())
        [row] = await storage.outbox.claim(1, now + timedelta(minutes=1), 60)
        await storage.outbox.mark_sent(row.id, now - timedelta(days=40))

        await RetentionJob(storage, retention_days=30, clock=lambda: now).run()

        assert [m.text for m in await storage.conversations.history(reader.id)] == ["свежее"]
        assert await storage.outbox.get("old") is None
    finally:
        await storage.close()


class LoanDuty:
    def __init__(self) -> None:
        self.runs: list[datetime] = []

    async def run(self, now: datetime) -> int:
        self.runs.append(now)
        return 0


async def test_loan_reminders_run_daily_at_the_configured_library_time(tmp_path: Path) -> None:
    storage = await open_storage(tmp_path)
    duty = LoanDuty()
    now = datetime(2027, 1, 15, 6, 0, tzinfo=UTC)
    try:
        scheduler = build_scheduler(
            storage,
            "Asia/Novosibirsk",
            30,
            Duties(),
            loans=duty,
            loan_reminders_at=time(9, 30),
            clock=lambda: now,
        )
        job = scheduler.get_job("loan-reminders")
        assert job is not None and iscoroutinefunction_partial(job.func)
        trigger = job.trigger
        after = datetime(2027, 1, 15, 0, 0, tzinfo=UTC)
        fire = trigger.get_next_fire_time(None, after)
        assert fire is not None
        assert fire.astimezone(ZoneInfo("Asia/Novosibirsk")).strftime("%H:%M") == "09:30"
        assert fire.astimezone(UTC) == datetime(2027, 1, 15, 2, 30, tzinfo=UTC)

        await job.func()

        assert duty.runs == [now], "the job runs with the one clock"
    finally:
        await storage.close()
