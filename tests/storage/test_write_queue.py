"""The outbox's writes wait in the process's write queue on SQLite, like the reader turns'
stores: many senders writing at once through SQLite's busy wait could otherwise starve one
of them into a "database is locked" failure, leaving a delivered row to be delivered again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from storage.database import Storage
from storage.models import Address, Platform

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TG = Address(Platform.TELEGRAM, 42)


async def _settle(storage: Storage) -> None:
    """Give a write that did not wait time to finish: a few reads' round trips to the
    database's threads."""
    for _ in range(5):
        await storage.outbox.get("absent")


async def test_outbox_writes_wait_for_the_queue_on_sqlite_only(storage: Storage) -> None:
    sqlite = storage.engine.dialect.name == "sqlite"
    async with storage.write_queue.turn():
        enqueue = asyncio.create_task(storage.outbox.enqueue("k:1", TG, {"text": "x"}))
        await _settle(storage)
        if sqlite:
            assert not enqueue.done()
        else:
            # PostgreSQL locks rows, not the database: nothing waits in the queue there.
            await asyncio.wait_for(enqueue, timeout=30)
    assert await asyncio.wait_for(enqueue, timeout=30) is True


async def test_outbox_reads_do_not_wait_for_the_queue(storage: Storage) -> None:
    assert await storage.outbox.enqueue("k:1", TG, {"text": "x"}, not_before=T0)
    async with storage.write_queue.turn():
        item = await asyncio.wait_for(storage.outbox.get("k:1"), timeout=30)
    assert item is not None
    assert item.key == "k:1"


async def test_concurrent_outbox_writers_all_succeed(storage: Storage) -> None:
    keys = [f"k:{n}" for n in range(200)]
    added = await asyncio.gather(
        *(
            storage.outbox.enqueue(key, Address(Platform.TELEGRAM, n), {}, not_before=T0)
            for n, key in enumerate(keys)
        )
    )
    assert all(added)
    claimed = await storage.outbox.claim(500, T0, 60)
    await asyncio.gather(*(storage.outbox.mark_sent(item.id, T0) for item in claimed))
    assert len(claimed) == len(keys)
