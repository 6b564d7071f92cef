"""The sender against the real SQLite-backed outbox and readers, with a scripted messenger."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.outbox import NotifyingOutbox, OutboxSender, SenderTuning
from handlers.core.messenger import RecipientUnreachable, RetryAfter, TransientError
from storage.database import Storage
from storage.migrate import upgrade
from storage.models import OutboxStatus, Platform
from tests.outbox.fakes import ManualClock, ScriptedMessenger
from tests.outbox.helpers import ALICE, BORIS, VERA, eventually, put


@pytest.fixture
async def storage(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Storage]:
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    await upgrade(url)
    async with Storage.open(url, clock=clock) as opened:
        yield opened


@pytest.fixture
def sender(
    storage: Storage, clock: ManualClock, telegram: ScriptedMessenger, vk: ScriptedMessenger
) -> OutboxSender:
    return OutboxSender(
        storage.outbox,
        storage.readers,
        {Platform.TELEGRAM: telegram, Platform.VK: vk},
        clock=clock,
        tuning=SenderTuning(lease_seconds=60, poll_interval=3600, backoff_base=1, backoff_cap=1),
        random_fraction=lambda: 0.0,
    )


async def statuses(storage: Storage, *keys: str) -> list[OutboxStatus]:
    rows = [await storage.outbox.get(key) for key in keys]
    return [row.status for row in rows if row is not None]


async def test_delivery_order_and_retries_on_sqlite(
    storage: Storage,
    sender: OutboxSender,
    clock: ManualClock,
    telegram: ScriptedMessenger,
    vk: ScriptedMessenger,
) -> None:
    for n in range(3):
        await put(storage.outbox, f"alice:{n}", ALICE)
    await put(storage.outbox, "boris:0", BORIS)
    await put(storage.outbox, "vera:0", VERA)
    telegram.fail("alice:0", RetryAfter(10))
    vk.fail("vera:0", TransientError("VK error 10"))

    assert await sender.drain_once() == 5
    assert telegram.sent_keys() == ["boris:0"]
    assert (
        await statuses(storage, "alice:0", "alice:1", "alice:2", "vera:0")
        == [OutboxStatus.PENDING] * 4
    )
    waiting = await storage.outbox.get("alice:1")
    assert waiting is not None
    assert waiting.next_attempt_at == clock.now + timedelta(seconds=10)

    clock.advance(10)
    assert await sender.drain_once() == 4
    assert telegram.sent_keys(ALICE) == ["alice:0", "alice:1", "alice:2"]
    assert vk.sent_keys() == ["vera:0"]
    assert set(await statuses(storage, "alice:0", "alice:2", "boris:0", "vera:0")) == {
        OutboxStatus.SENT
    }


async def test_unreachable_reader_on_sqlite(
    storage: Storage, sender: OutboxSender, telegram: ScriptedMessenger
) -> None:
    await storage.readers.create(ALICE, "ru")
    await storage.readers.create(BORIS, "ru")
    await put(storage.outbox, "alice:0", ALICE)
    await put(storage.outbox, "alice:1", ALICE)
    await put(storage.outbox, "boris:0", BORIS)
    telegram.fail("alice:0", RecipientUnreachable("Forbidden: bot was blocked by the user"))

    await sender.drain_once()

    alice, boris = await storage.readers.get(ALICE), await storage.readers.get(BORIS)
    assert alice is not None and boris is not None
    assert (alice.reachable, boris.reachable) == (False, True)
    assert await statuses(storage, "alice:0", "alice:1", "boris:0") == [
        OutboxStatus.FAILED,
        OutboxStatus.CANCELLED,
        OutboxStatus.SENT,
    ]


async def test_a_crashed_claim_is_sent_once_after_the_lease_on_sqlite(
    storage: Storage, sender: OutboxSender, clock: ManualClock, telegram: ScriptedMessenger
) -> None:
    await put(storage.outbox, "answer", ALICE)
    await storage.outbox.claim(10, clock.now, lease_seconds=60)

    assert await sender.drain_once() == 0
    clock.advance(61)
    assert await sender.drain_once() == 1
    clock.advance(3600)
    assert await sender.drain_once() == 0
    assert telegram.sent_keys() == ["answer"]
    assert await statuses(storage, "answer") == [OutboxStatus.SENT]


async def test_run_is_woken_by_an_enqueue_on_sqlite(
    storage: Storage, sender: OutboxSender, telegram: ScriptedMessenger
) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    await asyncio.sleep(0.01)

    await put(NotifyingOutbox(storage.outbox, sender.notify), "urgent", ALICE)

    await eventually(lambda: telegram.sent_keys() == ["urgent"])
    stop.set()
    async with asyncio.timeout(5):
        await task
    assert await statuses(storage, "urgent") == [OutboxStatus.SENT]
