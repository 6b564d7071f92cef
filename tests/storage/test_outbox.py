"""The outbox: idempotent enqueue, claiming with leases (also concurrently), the outcomes of a
delivery attempt, cancellation and purging."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError

from storage.database import Storage
from storage.models import Address, NewRow, OutboxItem, OutboxStatus, Platform, Reader

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
VK = Address(Platform.VK, 2_000_000_001)
TG = Address(Platform.TELEGRAM, 42)
PAYLOAD = {"text": "Новые поступления: «Кардиология», 2-е изд.", "buttons": [["Да", "yes"]]}


async def _enqueue_at(storage: Storage, key: str, at: datetime, address: Address = VK) -> None:
    assert await storage.outbox.enqueue(key, address, {"key": key}, not_before=at)


async def _claim_one(storage: Storage, now: datetime = T0, lease: float = 60) -> OutboxItem:
    (item,) = await storage.outbox.claim(10, now, lease)
    return item


async def test_enqueue_stores_a_pending_row(storage: Storage, reader: Reader) -> None:
    assert await storage.outbox.enqueue("answer:1", reader.address, PAYLOAD, reader.id, T0)

    item = await storage.outbox.get("answer:1")
    assert item is not None
    assert item.key == "answer:1"
    assert item.address == reader.address
    assert item.payload == PAYLOAD
    assert item.reader_id == reader.id
    assert item.status is OutboxStatus.PENDING
    assert item.attempts == 0
    assert item.next_attempt_at == T0
    assert item.created_at.tzinfo is not None
    assert item.last_error is None
    assert item.sent_at is None


async def test_enqueue_without_a_time_is_due_now(storage: Storage) -> None:
    before = datetime.now(UTC)
    await storage.outbox.enqueue("now", TG, PAYLOAD)

    item = await storage.outbox.get("now")
    assert item is not None
    assert before - timedelta(seconds=1) <= item.next_attempt_at <= datetime.now(UTC)


async def test_enqueue_is_idempotent_on_the_key(storage: Storage) -> None:
    assert await storage.outbox.enqueue("digest:2026-11-23", VK, PAYLOAD, not_before=T0)
    assert not await storage.outbox.enqueue(
        "digest:2026-11-23", TG, {"text": "другое"}, not_before=T0 + timedelta(hours=1)
    )

    item = await storage.outbox.get("digest:2026-11-23")
    assert item is not None
    assert (item.address, item.payload, item.next_attempt_at) == (VK, PAYLOAD, T0)


async def test_concurrent_enqueues_of_one_key_add_one_row(storage: Storage) -> None:
    results = await asyncio.gather(
        *(storage.outbox.enqueue("post:1", VK, {"n": n}) for n in range(8))
    )

    assert sorted(results) == [False] * 7 + [True]


async def test_unknown_key_is_none(storage: Storage) -> None:
    assert await storage.outbox.get("missing") is None


async def test_claim_takes_due_rows_oldest_first(storage: Storage) -> None:
    await _enqueue_at(storage, "b", T0 - timedelta(minutes=1))
    await _enqueue_at(storage, "future", T0 + timedelta(seconds=1))
    await _enqueue_at(storage, "a", T0 - timedelta(minutes=5))
    await _enqueue_at(storage, "c", T0)

    claimed = await storage.outbox.claim(10, T0, 30)

    assert [item.key for item in claimed] == ["a", "b", "c"]
    assert all(item.status is OutboxStatus.SENDING for item in claimed)
    assert await storage.outbox.claim(10, T0, 30) == []
    assert [item.key for item in await storage.outbox.claim(10, T0 + timedelta(seconds=1), 30)] == [
        "future"
    ]


async def test_claim_respects_the_limit(storage: Storage) -> None:
    for n in range(5):
        await _enqueue_at(storage, f"k{n}", T0 - timedelta(seconds=10 - n))

    first = await storage.outbox.claim(2, T0, 30)
    second = await storage.outbox.claim(2, T0, 30)
    third = await storage.outbox.claim(2, T0, 30)

    assert [[i.key for i in batch] for batch in (first, second, third)] == [
        ["k0", "k1"],
        ["k2", "k3"],
        ["k4"],
    ]


async def test_an_expired_lease_is_claimed_again(storage: Storage) -> None:
    await _enqueue_at(storage, "crashed", T0)
    first = await _claim_one(storage, T0, lease=30)

    assert await storage.outbox.claim(10, T0 + timedelta(seconds=29), 30) == []
    again = await _claim_one(storage, T0 + timedelta(seconds=31), lease=30)

    assert again.id == first.id
    assert again.status is OutboxStatus.SENDING


async def test_concurrent_claims_never_overlap(storage: Storage) -> None:
    for n in range(40):
        await _enqueue_at(storage, f"row{n:02}", T0 - timedelta(seconds=n))

    batches = await asyncio.gather(*(storage.outbox.claim(7, T0, 60) for _ in range(8)))

    ids = [item.id for batch in batches for item in batch]
    assert len(ids) == len(set(ids)) == 40
    assert all(len(batch) <= 7 for batch in batches)
    assert await storage.outbox.claim(10, T0, 60) == []


async def test_mark_sent(storage: Storage) -> None:
    await _enqueue_at(storage, "k", T0)
    item = await _claim_one(storage)

    await storage.outbox.mark_sent(item.id, T0 + timedelta(seconds=2))

    stored = await storage.outbox.get("k")
    assert stored is not None
    assert stored.status is OutboxStatus.SENT
    assert stored.sent_at == T0 + timedelta(seconds=2)
    assert await storage.outbox.claim(10, T0 + timedelta(days=1), 60) == []


async def test_reschedule_counts_the_attempt(storage: Storage) -> None:
    await _enqueue_at(storage, "k", T0)
    item = await _claim_one(storage)
    retry_at = T0 + timedelta(seconds=30)

    await storage.outbox.reschedule(item.id, retry_at, "429: retry after 30")

    stored = await storage.outbox.get("k")
    assert stored is not None
    assert stored.status is OutboxStatus.PENDING
    assert stored.attempts == 1
    assert stored.next_attempt_at == retry_at
    assert stored.last_error == "429: retry after 30"
    assert await storage.outbox.claim(10, retry_at - timedelta(seconds=1), 60) == []
    assert (await _claim_one(storage, retry_at)).attempts == 1


async def test_reschedule_leaves_a_cancelled_row_cancelled(storage: Storage) -> None:
    await _enqueue_at(storage, "k", T0)
    item = await _claim_one(storage)
    await storage.outbox.cancel_for(VK)

    await storage.outbox.reschedule(item.id, T0, "timeout")

    stored = await storage.outbox.get("k")
    assert stored is not None
    assert stored.status is OutboxStatus.CANCELLED


async def test_mark_failed(storage: Storage) -> None:
    await _enqueue_at(storage, "k", T0)
    item = await _claim_one(storage)

    await storage.outbox.mark_failed(item.id, "400: chat not found")

    stored = await storage.outbox.get("k")
    assert stored is not None
    assert stored.status is OutboxStatus.FAILED
    assert stored.attempts == 1
    assert stored.last_error == "400: chat not found"
    assert await storage.outbox.claim(10, T0 + timedelta(days=1), 60) == []


async def test_cancel_for_an_address(storage: Storage) -> None:
    await _enqueue_at(storage, "claimed", T0)
    await _claim_one(storage, T0)
    await _enqueue_at(storage, "pending", T0 + timedelta(hours=1))
    await _enqueue_at(storage, "other", T0, TG)

    assert await storage.outbox.cancel_for(VK) == 2

    statuses = {}
    for key in ("claimed", "pending", "other"):
        item = await storage.outbox.get(key)
        assert item is not None
        statuses[key] = item.status
    assert statuses == {
        "claimed": OutboxStatus.CANCELLED,
        "pending": OutboxStatus.CANCELLED,
        "other": OutboxStatus.PENDING,
    }
    assert [item.key for item in await storage.outbox.claim(10, T0 + timedelta(days=1), 60)] == [
        "other"
    ]
    assert await storage.outbox.cancel_for(VK) == 0


async def test_cancel_for_spares_delivered_rows(storage: Storage) -> None:
    await _enqueue_at(storage, "k", T0)
    item = await _claim_one(storage)
    await storage.outbox.mark_sent(item.id, T0)

    assert await storage.outbox.cancel_for(VK) == 0
    stored = await storage.outbox.get("k")
    assert stored is not None
    assert stored.status is OutboxStatus.SENT


async def test_purge_sent(storage: Storage) -> None:
    for key, sent_at in (("old", T0 - timedelta(days=10)), ("new", T0)):
        await _enqueue_at(storage, key, T0 - timedelta(days=30))
        item = await _claim_one(storage, T0)
        await storage.outbox.mark_sent(item.id, sent_at)
    await _enqueue_at(storage, "pending", T0 - timedelta(days=30))

    assert await storage.outbox.purge_sent(T0 - timedelta(days=7)) == 1
    assert await storage.outbox.get("old") is None
    assert await storage.outbox.get("new") is not None
    assert await storage.outbox.get("pending") is not None


async def test_times_are_utc_whatever_zone_they_came_in(storage: Storage) -> None:
    moscow = timezone(timedelta(hours=3))
    await _enqueue_at(storage, "k", datetime(2026, 11, 23, 12, 0, tzinfo=moscow))

    item = await _claim_one(storage, T0)

    assert item.next_attempt_at == T0
    assert item.next_attempt_at.utcoffset() == timedelta(0)


async def test_naive_datetimes_are_refused(storage: Storage) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        await storage.outbox.enqueue("k", VK, PAYLOAD, not_before=datetime(2026, 1, 1))


async def test_many_rows_are_added_and_marked_sent_at_once(storage: Storage) -> None:
    rows = [NewRow(f"sdi:{n}:7", Address(Platform.VK, 5000 + n), PAYLOAD, None) for n in range(3)]
    assert await storage.outbox.enqueue_many([*rows, rows[0]]) == 3
    assert await storage.outbox.enqueue_many(rows) == 0, "keys already there are skipped"

    claimed = await storage.outbox.claim(10, datetime.now(UTC) + timedelta(seconds=1), 60)
    assert len(claimed) == 3
    await storage.outbox.mark_sent_many([item.id for item in claimed[:2]], T0)

    statuses = [(await storage.outbox.get(row.key)) for row in rows]
    assert [item.status for item in statuses if item] == [
        OutboxStatus.SENT,
        OutboxStatus.SENT,
        OutboxStatus.SENDING,
    ]
    assert statuses[0] is not None and statuses[0].sent_at == T0
