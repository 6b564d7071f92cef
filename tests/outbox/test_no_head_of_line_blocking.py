"""Each destination is paced by its own budget: a staff answer reaches its reader promptly
while the staff chat, at its 20 messages a minute, has a full queue."""

from __future__ import annotations

import asyncio

import pytest

from bot.outbox import NotifyingOutbox, OutboxSender, SenderTuning
from handlers.core.messenger import RetryAfter
from storage.models import Address, OutboxStatus, Platform
from tests.outbox.fakes import ManualClock, RecordingReaders, ScriptedMessenger
from tests.outbox.helpers import ALICE, BORIS, SenderFactory, eventually, put
from tests.outbox.memory_outbox import MemoryOutbox
from tests.outbox.paced import PacedTelegram, VirtualTime

STAFF_CHAT = Address(Platform.TELEGRAM, -100_500)
NEVER = 3600.0
QUEUED_STAFF_POSTS = 60


@pytest.fixture
def time(clock: ManualClock) -> VirtualTime:
    return VirtualTime(clock)


@pytest.fixture
def paced(time: VirtualTime) -> PacedTelegram:
    return PacedTelegram(time)


def sender_over(
    outbox: MemoryOutbox, paced: PacedTelegram, clock: ManualClock, **tuning: float
) -> OutboxSender:
    return OutboxSender(
        outbox,
        RecordingReaders(),
        {Platform.TELEGRAM: paced},
        clock=clock,
        tuning=SenderTuning(poll_interval=NEVER, **tuning),  # type: ignore[arg-type]
        random_fraction=lambda: 0.5,
    )


async def test_an_answer_is_not_blocked_by_a_full_staff_chat_queue(
    outbox: MemoryOutbox, clock: ManualClock, time: VirtualTime, paced: PacedTelegram
) -> None:
    await paced.spend_group_budget(STAFF_CHAT)
    for n in range(QUEUED_STAFF_POSTS):
        await put(outbox, f"staff:{n}", STAFF_CHAT)
    sender = sender_over(outbox, paced, clock, batch_size=10)
    notifying = NotifyingOutbox(outbox, sender.notify)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    # The sender has taken staff posts and is waiting for the staff chat's budget.
    await eventually(lambda: len(outbox.claims) == 1)
    assert paced.attempts == []

    await put(notifying, "answer:1", ALICE)
    await eventually(lambda: paced.sent_keys(ALICE) == ["answer:1"])

    assert time.monotonic() == 0
    assert paced.sent_keys(STAFF_CHAT) == []
    # Past the reader's own 1 message/s (plus the limiter's margin): the next answers go too.
    await time.advance(1.25)
    await put(notifying, "answer:2", ALICE)
    await put(notifying, "answer:3", BORIS)
    await eventually(lambda: len(paced.sent) == 3)
    assert paced.sent_keys(ALICE) == ["answer:1", "answer:2"]
    assert paced.sent_keys(BORIS) == ["answer:3"]
    assert paced.sent_keys(STAFF_CHAT) == []

    # The staff chat still gets its posts, at its own pace, in order.
    await time.advance(60.5)
    await eventually(lambda: len(paced.sent_keys(STAFF_CHAT)) >= 1)
    assert paced.sent_keys(STAFF_CHAT)[0] == "staff:0"
    stop.set()
    await time.advance(5)
    async with asyncio.timeout(5):
        await task
    assert all(row.status is not OutboxStatus.FAILED for row in outbox.rows)


async def test_an_address_put_back_is_not_claimed_until_its_time(
    outbox: MemoryOutbox,
    telegram: ScriptedMessenger,
    make_sender: SenderFactory,
    clock: ManualClock,
) -> None:
    await put(outbox, "alice:1", ALICE)
    telegram.fail("alice:1", RetryAfter(30))
    sender = make_sender()
    assert await sender.drain_once() == 1

    await put(outbox, "alice:2", ALICE)
    await put(outbox, "boris:1", BORIS)
    assert await sender.drain_once() == 1
    assert telegram.sent_keys() == ["boris:1"]

    clock.advance(30)
    assert await sender.drain_once() == 2
    assert telegram.sent_keys(ALICE) == ["alice:1", "alice:2"]
