"""The in-memory outbox double keeps the port's promises, so tests built on it mean something."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.models import OutboxStatus
from tests.outbox.fakes import ManualClock
from tests.outbox.helpers import ALICE, BORIS, put
from tests.outbox.memory_outbox import InvalidTransition, MemoryOutbox


async def test_enqueue_is_idempotent_per_key(outbox: MemoryOutbox) -> None:
    await put(outbox, "k", ALICE, "first")
    assert not await outbox.enqueue("k", BORIS, {"text": "second"})
    row = await outbox.get("k")
    assert row is not None
    assert (row.address, row.payload["text"]) == (ALICE, "first")


async def test_claim_takes_due_rows_earliest_due_first_up_to_the_limit(
    outbox: MemoryOutbox, clock: ManualClock
) -> None:
    await put(outbox, "later", ALICE, not_before=clock.now + timedelta(hours=1))
    for key in ("b", "c"):
        await put(outbox, key, ALICE)
    await put(outbox, "a", ALICE, not_before=clock.now - timedelta(minutes=1))
    claimed = await outbox.claim(2, clock.now, 60)
    assert [row.key for row in claimed] == ["a", "b"]
    assert all(row.status is OutboxStatus.SENDING for row in claimed)
    assert [row.key for row in await outbox.claim(10, clock.now, 60)] == ["c"]
    assert await outbox.claim(10, clock.now, 60) == []


async def test_a_lease_expires(outbox: MemoryOutbox, clock: ManualClock) -> None:
    await put(outbox, "k", ALICE)
    await outbox.claim(1, clock.now, 30)
    clock.advance(30)
    assert await outbox.claim(1, clock.now, 30) == []
    clock.advance(0.001)
    assert [row.key for row in await outbox.claim(1, clock.now, 30)] == ["k"]


async def test_reschedule_counts_the_attempt(outbox: MemoryOutbox, clock: ManualClock) -> None:
    await put(outbox, "k", ALICE)
    (row,) = await outbox.claim(1, clock.now, 30)
    clock.advance(5)
    await outbox.reschedule(row.id, clock.now, "TransientError")
    again = await outbox.get("k")
    assert again is not None
    assert (again.status, again.attempts, again.last_error) == (
        OutboxStatus.PENDING,
        1,
        "TransientError",
    )


async def test_cancel_for_cancels_only_undelivered_rows_of_that_address(
    outbox: MemoryOutbox, clock: ManualClock
) -> None:
    for key in ("sent", "claimed", "pending"):
        await put(outbox, key, ALICE)
    await put(outbox, "other", BORIS)
    sent, _claimed = await outbox.claim(2, clock.now, 30)
    await outbox.mark_sent(sent.id, clock.now)
    assert await outbox.cancel_for(ALICE) == 2
    statuses = {row.key: row.status for row in outbox.rows}
    assert statuses == {
        "sent": OutboxStatus.SENT,
        "claimed": OutboxStatus.CANCELLED,
        "pending": OutboxStatus.CANCELLED,
        "other": OutboxStatus.PENDING,
    }


async def test_settling_a_row_not_held_is_refused(outbox: MemoryOutbox, clock: ManualClock) -> None:
    await put(outbox, "k", ALICE)
    with pytest.raises(InvalidTransition):
        await outbox.mark_sent(1, clock.now)


async def test_claim_caps_rows_per_address_and_skips_busy_ones(
    outbox: MemoryOutbox, clock: ManualClock
) -> None:
    for n in range(3):
        await put(outbox, f"alice:{n}", ALICE)
    await put(outbox, "boris", BORIS)
    claimed = await outbox.claim(10, clock.now, 60, per_address=2, skip={BORIS})
    assert [row.key for row in claimed] == ["alice:0", "alice:1"]


async def test_a_lapsed_lease_is_due_from_its_end(outbox: MemoryOutbox, clock: ManualClock) -> None:
    await put(outbox, "stuck", ALICE, not_before=clock.now - timedelta(hours=1))
    await outbox.claim(1, clock.now, 30)
    await put(outbox, "fresh", BORIS, not_before=clock.now + timedelta(seconds=10))
    clock.advance(31)
    assert [row.key for row in await outbox.claim(1, clock.now, 30)] == ["fresh"]


async def test_latest_state_replaces_the_pending_one_and_skips_the_shown_one(
    outbox: MemoryOutbox, clock: ManualClock
) -> None:
    assert await outbox.enqueue_latest("s1", ALICE, {"text": "a"}, "card")
    assert await outbox.enqueue_latest("s2", ALICE, {"text": "b"}, "card")
    (row,) = await outbox.claim(10, clock.now, 60)
    assert (row.key, row.payload) == ("s1", {"text": "b"})
    await outbox.mark_sent(row.id, clock.now)
    assert not await outbox.enqueue_latest("s3", ALICE, {"text": "b"}, "card")
    assert await outbox.enqueue_latest("s4", ALICE, {"text": "c"}, "card")
