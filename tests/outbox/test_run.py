"""The long-running loop: it wakes on notify, survives failures and stops gracefully."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from datetime import datetime

from bot.outbox import NotifyingOutbox, OutboxSender
from storage.models import Address, OutboxItem, OutboxStatus
from tests.outbox.fakes import Call, ManualClock, ScriptedMessenger
from tests.outbox.helpers import ALICE, BORIS, SenderFactory, eventually, put
from tests.outbox.memory_outbox import MemoryOutbox

# Long enough that only notify() or stop can end the sender's idle wait within a test.
NEVER = 3600.0


class BrokenClaimOutbox(MemoryOutbox):
    """Its first claim fails, as if the database were briefly unavailable."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock)
        self.claim_failures = 0

    async def claim(
        self,
        limit: int,
        now: datetime,
        lease_seconds: float,
        *,
        per_address: int | None = None,
        skip: Collection[Address] = (),
    ) -> list[OutboxItem]:
        if self.claim_failures == 0:
            self.claim_failures += 1
            raise ConnectionError("database is locked")
        return await super().claim(limit, now, lease_seconds, per_address=per_address, skip=skip)


async def stop_sender(task: asyncio.Task[None], stop: asyncio.Event) -> None:
    stop.set()
    async with asyncio.timeout(5):
        await task


async def test_run_delivers_what_is_due_and_stops_on_the_event(
    outbox: MemoryOutbox, telegram: ScriptedMessenger, make_sender: SenderFactory
) -> None:
    await put(outbox, "k1", ALICE)
    await put(outbox, "k2", BORIS)
    stop = asyncio.Event()
    task = asyncio.create_task(make_sender(poll_interval=NEVER).run(stop))

    await eventually(lambda: len(telegram.sent) == 2)
    await stop_sender(task, stop)

    assert task.result() is None


async def test_notify_wakes_the_idle_loop(
    outbox: MemoryOutbox, telegram: ScriptedMessenger, make_sender: SenderFactory
) -> None:
    sender = make_sender(poll_interval=NEVER)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    await asyncio.sleep(0.01)

    notifying = NotifyingOutbox(outbox, sender.notify)
    await put(notifying, "urgent", ALICE)

    await eventually(lambda: telegram.sent_keys() == ["urgent"])
    await stop_sender(task, stop)


async def test_notifying_outbox_only_notifies_for_new_rows(outbox: MemoryOutbox) -> None:
    calls: list[None] = []
    notifying = NotifyingOutbox(outbox, lambda: calls.append(None))
    assert await notifying.enqueue("k", ALICE, {"text": "a"})
    assert not await notifying.enqueue("k", ALICE, {"text": "a"})
    assert len(calls) == 1


async def test_the_loop_survives_storage_and_adapter_failures(
    clock: ManualClock, telegram: ScriptedMessenger, make_sender: SenderFactory
) -> None:
    outbox = BrokenClaimOutbox(clock)
    await put(outbox, "k", ALICE)
    telegram.fail("k", RuntimeError("adapter bug"))
    sender = make_sender(over=outbox, poll_interval=0.01, backoff_base=1, backoff_cap=1)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))

    await eventually(lambda: len(telegram.attempts) == 1 and outbox.rows[0].attempts == 1)
    clock.advance(1)
    await eventually(lambda: telegram.sent_keys() == ["k"])
    await stop_sender(task, stop)
    assert outbox.claim_failures == 1


async def test_stopping_finishes_the_send_in_flight_and_starts_no_other(
    outbox: MemoryOutbox, telegram: ScriptedMessenger, make_sender: SenderFactory
) -> None:
    for n in range(3):
        await put(outbox, f"alice:{n}", ALICE)
    in_flight = asyncio.Event()
    release = asyncio.Event()

    async def block(call: Call) -> None:
        in_flight.set()
        await release.wait()

    telegram.before_send = block
    stop = asyncio.Event()
    task = asyncio.create_task(make_sender(poll_interval=NEVER).run(stop))
    async with asyncio.timeout(5):
        await in_flight.wait()

    stop.set()
    release.set()
    async with asyncio.timeout(5):
        await task

    assert telegram.sent_keys() == ["alice:0"]
    assert [row.status for row in outbox.rows] == [
        OutboxStatus.SENT,
        OutboxStatus.PENDING,
        OutboxStatus.PENDING,
    ]
    telegram.before_send = None
    assert await make_sender().drain_once() == 2
    assert telegram.sent_keys() == ["alice:0", "alice:1", "alice:2"]


async def test_a_stopped_run_can_be_started_again(
    outbox: MemoryOutbox, telegram: ScriptedMessenger, make_sender: SenderFactory
) -> None:
    sender: OutboxSender = make_sender(poll_interval=NEVER)
    first = asyncio.Event()
    first.set()
    await asyncio.wait_for(sender.run(first), 5)

    await put(outbox, "k", ALICE)
    second = asyncio.Event()
    task = asyncio.create_task(sender.run(second))
    await eventually(lambda: telegram.sent_keys() == ["k"])
    await stop_sender(task, second)
