"""Crash safety: claimed rows come back after their lease, and are sent once per claim."""

from __future__ import annotations

from datetime import datetime

from handlers.core.messenger import RetryAfter
from storage.models import OutboxStatus
from tests.outbox.fakes import Call, ManualClock, ScriptedMessenger
from tests.outbox.helpers import ALICE, BORIS, SenderFactory, put
from tests.outbox.memory_outbox import MemoryOutbox


class FlakyStorageOutbox(MemoryOutbox):
    """Fails the next ``mark_sent`` or ``reschedule``, as if the database went away."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock)
        self.fail_mark_sent = False
        self.fail_reschedule = False

    async def mark_sent(self, item_id: int, at: datetime) -> None:
        if self.fail_mark_sent:
            self.fail_mark_sent = False
            raise ConnectionError("database is gone")
        await super().mark_sent(item_id, at)

    async def reschedule(self, item_id: int, at: datetime, error: str) -> None:
        if self.fail_reschedule:
            self.fail_reschedule = False
            raise ConnectionError("database is gone")
        await super().reschedule(item_id, at, error)


async def test_a_row_claimed_by_a_crashed_sender_is_sent_after_its_lease(
    outbox: MemoryOutbox,
    clock: ManualClock,
    telegram: ScriptedMessenger,
    make_sender: SenderFactory,
) -> None:
    await put(outbox, "answer", ALICE)
    # The previous process claimed the row and died before sending it.
    await outbox.claim(10, clock.now, lease_seconds=60)
    sender = make_sender(lease_seconds=60)

    assert await sender.drain_once() == 0
    clock.advance(61)
    assert await sender.drain_once() == 1
    assert await sender.drain_once() == 0
    clock.advance(3600)
    assert await sender.drain_once() == 0

    assert telegram.sent_keys() == ["answer"]
    assert outbox.rows[0].status is OutboxStatus.SENT


async def test_a_send_whose_commit_failed_is_repeated_with_the_same_key(
    clock: ManualClock, telegram: ScriptedMessenger, make_sender: SenderFactory
) -> None:
    outbox = FlakyStorageOutbox(clock)
    await put(outbox, "answer", ALICE)
    await put(outbox, "answer:2", ALICE)
    outbox.fail_mark_sent = True
    sender = make_sender(over=outbox, lease_seconds=60)

    assert await sender.drain_once() == 2
    # The chain stopped at the failed commit, so "answer:2" was not sent out of order.
    assert telegram.sent_keys() == ["answer"]
    assert {row.status for row in outbox.rows} == {OutboxStatus.SENDING}
    clock.advance(61)
    assert await sender.drain_once() == 2

    # Telegram cannot deduplicate, so the reader gets "answer" twice; VK would drop the repeat
    # because the same key reaches it as random_id.
    assert telegram.sent_keys() == ["answer", "answer", "answer:2"]
    assert {row.status for row in outbox.rows} == {OutboxStatus.SENT}


async def test_a_failed_reschedule_leaves_the_rest_of_the_chain_leased(
    clock: ManualClock, telegram: ScriptedMessenger, make_sender: SenderFactory
) -> None:
    outbox = FlakyStorageOutbox(clock)
    await put(outbox, "alice:1", ALICE)
    await put(outbox, "alice:2", ALICE)
    await put(outbox, "boris:1", BORIS)
    telegram.fail("alice:1", RetryAfter(5))
    outbox.fail_reschedule = True
    sender = make_sender(over=outbox, lease_seconds=60)

    await sender.drain_once()

    assert telegram.sent_keys() == ["boris:1"]
    clock.advance(61)
    await sender.drain_once()
    assert telegram.sent_keys(ALICE) == ["alice:1", "alice:2"]


async def test_no_send_starts_once_half_the_lease_is_spent(
    outbox: MemoryOutbox,
    clock: ManualClock,
    telegram: ScriptedMessenger,
    make_sender: SenderFactory,
) -> None:
    for n in range(3):
        await put(outbox, f"alice:{n}", ALICE)

    async def slow_send(call: Call) -> None:
        clock.advance(31)

    telegram.before_send = slow_send
    sender = make_sender(lease_seconds=60)

    assert await sender.drain_once() == 3
    assert telegram.sent_keys() == ["alice:0"]
    left = [row.status for row in outbox.rows]
    assert left == [OutboxStatus.SENT, OutboxStatus.SENDING, OutboxStatus.SENDING]

    telegram.before_send = None
    assert await sender.drain_once() == 0
    clock.advance(61)
    assert await sender.drain_once() == 2
    assert telegram.sent_keys() == ["alice:0", "alice:1", "alice:2"]
