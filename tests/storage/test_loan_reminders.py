"""The record of loan reminders on both backends: two processes running the daily job at once
queue each reminder once; /forget and retention erase the records."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from bot.ils.demo import DEMO_CARD, DemoIls
from handlers.core.config import LibraryProfile, ReaderPolicy, ServiceConfig
from handlers.core.i18n import Catalog
from handlers.core.replies import Reply
from handlers.loans.reminders.job import LoanReminders
from storage.database import Storage
from storage.models import Address, ConsentState, LoanMark, Platform, Reader, ReminderKind
from storage.schema import outbox, sent_loan_reminders

NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)


def job(storage: Storage) -> LoanReminders:
    """One process's job: its own storage and its own circulation client."""
    return LoanReminders(
        cards=storage.cards,
        renewals=storage.renewals,
        readers=storage.readers,
        ledger=storage.loan_reminders,
        ils=DemoIls(lambda: NOW),
        catalog=Catalog(),
        config=ServiceConfig(library=LibraryProfile(name="Б"), policy=ReaderPolicy()),
    )


async def count(storage: Storage, table: object) -> int:
    async with storage.engine.connect() as conn:
        result = await conn.execute(select(func.count()).select_from(table))  # type: ignore[arg-type]
    return int(result.scalar_one())


async def test_two_processes_running_the_job_at_once_queue_each_reminder_once(
    database_url: str, storage: Storage, reader: Reader
) -> None:
    await storage.readers.set_consent(reader.id, ConsentState.GIVEN, "Анна")
    await storage.cards.link(reader.id, DEMO_CARD, 3)
    first, second = Storage.open(database_url), Storage.open(database_url)
    try:
        results = await asyncio.gather(
            *(job(each).run(NOW) for each in (first, second, first, second))
        )
    finally:
        await first.close()
        await second.close()

    assert sum(results) == 2, "one reminder and one overdue notice in all"
    async with storage.engine.connect() as conn:
        keys = list(
            (await conn.execute(select(outbox.c.idempotency_key).order_by(outbox.c.id))).scalars()
        )
    assert [key.split(":")[2] for key in keys] == ["due", "overdue"]
    assert await count(storage, sent_loan_reminders) == 2


async def test_send_once_records_and_queues_together(storage: Storage, reader: Reader) -> None:
    mark = LoanMark(ReminderKind.DUE, "a" * 32, date(2027, 3, 3))
    other = LoanMark(ReminderKind.DUE, "b" * 32, date(2027, 3, 3))
    composed: list[list[LoanMark]] = []

    def compose(fresh: object) -> tuple[str, Address, dict[str, object]]:
        composed.append(list(fresh))  # type: ignore[call-overload]
        return f"k{len(composed)}", reader.address, Reply("x").to_dict()

    assert await storage.loan_reminders.send_once(reader.id, [mark], compose) == [mark]
    assert await storage.loan_reminders.send_once(reader.id, [mark, other], compose) == [other]
    assert await storage.loan_reminders.send_once(reader.id, [mark, other], compose) == []
    assert composed == [[mark], [other]], "nothing composed when all were announced"
    assert await storage.outbox.get("k1") is not None and await storage.outbox.get("k2")


async def test_forget_and_retention_erase_the_records(storage: Storage, reader: Reader) -> None:
    other = await storage.readers.create(Address(Platform.VK, 77), "en")
    for who in (reader, other):

        def compose(fresh: object, who: Reader = who) -> tuple[str, Address, dict[str, object]]:
            return f"r{who.id}", who.address, Reply("x").to_dict()

        mark = LoanMark(ReminderKind.OVERDUE, "c" * 32, date(2027, 3, 3))
        await storage.loan_reminders.send_once(who.id, [mark], compose)
    assert await count(storage, sent_loan_reminders) == 2

    await storage.readers.forget(reader.id)
    assert await count(storage, sent_loan_reminders) == 1

    await storage.retention.purge_before(datetime.now(UTC) + timedelta(days=1))
    assert await count(storage, sent_loan_reminders) == 0
