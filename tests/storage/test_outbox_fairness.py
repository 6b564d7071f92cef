"""Claiming fairly: one busy address cannot fill a batch, addresses a sender is already
serving are left alone, and a row abandoned by its sender does not jump the queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.database import Storage
from storage.models import Address, Platform

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
STAFF_CHAT = Address(Platform.TELEGRAM, -100_500)
READER = Address(Platform.TELEGRAM, 42)
VK_READER = Address(Platform.VK, 7)


async def _put(storage: Storage, key: str, address: Address, at: datetime) -> None:
    assert await storage.outbox.enqueue(key, address, {"text": key}, not_before=at)


async def test_per_address_caps_the_rows_taken_for_one_address(storage: Storage) -> None:
    for n in range(6):
        await _put(storage, f"staff:{n}", STAFF_CHAT, T0 - timedelta(minutes=10 - n))
    await _put(storage, "answer", READER, T0)

    claimed = await storage.outbox.claim(5, T0, 60, per_address=2)

    assert [item.key for item in claimed] == ["staff:0", "staff:1", "answer"]
    later = await storage.outbox.claim(5, T0, 60, per_address=2)
    assert [item.key for item in later] == ["staff:2", "staff:3"]


async def test_skipped_addresses_are_not_claimed(storage: Storage) -> None:
    await _put(storage, "staff", STAFF_CHAT, T0 - timedelta(minutes=1))
    await _put(storage, "answer", READER, T0)
    await _put(storage, "vk", VK_READER, T0)
    # Same peer id on the other platform is another address.
    await _put(storage, "vk-same-peer", Address(Platform.VK, STAFF_CHAT.peer_id), T0)

    claimed = await storage.outbox.claim(10, T0, 60, skip={STAFF_CHAT, VK_READER})

    assert sorted(item.key for item in claimed) == ["answer", "vk-same-peer"]
    assert [item.key for item in await storage.outbox.claim(10, T0, 60)] == ["staff", "vk"]


async def test_a_row_whose_lease_ran_out_is_due_from_the_end_of_its_lease(
    storage: Storage,
) -> None:
    await _put(storage, "stuck", STAFF_CHAT, T0 - timedelta(hours=1))
    (stuck,) = await storage.outbox.claim(10, T0, 60)
    await _put(storage, "answer", READER, T0 + timedelta(seconds=30))

    claimed = await storage.outbox.claim(1, T0 + timedelta(seconds=61), 60)

    assert [item.key for item in claimed] == ["answer"]
    (again,) = await storage.outbox.claim(1, T0 + timedelta(seconds=61), 60)
    assert again.id == stuck.id
