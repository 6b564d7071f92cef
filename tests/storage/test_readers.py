"""Readers: creation (also under races), language, consent, reachability and erasure."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from storage.database import Storage
from storage.models import Address, ConsentState, DialogState, Direction, Platform, Reader

TG = Address(Platform.TELEGRAM, 1001)


async def test_create_then_get(storage: Storage) -> None:
    before = datetime.now(UTC)
    created = await storage.readers.create(TG, "ru")

    assert created.address == TG
    assert created.language == "ru"
    assert created.consent is ConsentState.UNKNOWN
    assert created.consent_at is None
    assert created.display_name is None
    assert created.reachable
    assert created.created_at.tzinfo is not None
    assert created.created_at >= before.replace(microsecond=0)
    assert await storage.readers.get(TG) == created
    assert await storage.readers.get_by_id(created.id) == created


async def test_unknown_readers_are_none(storage: Storage) -> None:
    assert await storage.readers.get(TG) is None
    assert await storage.readers.get_by_id(424242) is None


async def test_create_returns_the_existing_reader(storage: Storage) -> None:
    first = await storage.readers.create(TG, "ru")
    again = await storage.readers.create(TG, "en")

    assert again == first
    assert again.language == "ru"


async def test_same_peer_on_two_platforms_is_two_readers(storage: Storage) -> None:
    telegram = await storage.readers.create(Address(Platform.TELEGRAM, 77), "ru")
    vk = await storage.readers.create(Address(Platform.VK, 77), "ru")

    assert telegram.id != vk.id
    assert vk.address.platform is Platform.VK


async def test_concurrent_creates_return_one_reader(storage: Storage) -> None:
    address = Address(Platform.VK, 2_000_000_123)

    created = await asyncio.gather(*(storage.readers.create(address, "ru") for _ in range(10)))

    assert len({reader.id for reader in created}) == 1
    assert all(reader == created[0] for reader in created)


async def test_large_peer_ids_fit(storage: Storage) -> None:
    address = Address(Platform.TELEGRAM, -1_002_345_678_901)

    created = await storage.readers.create(address, "ru")

    assert (await storage.readers.get(address)) == created


async def test_set_language(storage: Storage, reader: Reader) -> None:
    await storage.readers.set_language(reader.id, "en")

    stored = await storage.readers.get_by_id(reader.id)
    assert stored is not None
    assert stored.language == "en"


async def test_consent_given_stores_name_and_time(storage: Storage, reader: Reader) -> None:
    await storage.readers.set_consent(reader.id, ConsentState.GIVEN, "Анна Петровна")

    stored = await storage.readers.get_by_id(reader.id)
    assert stored is not None
    assert stored.has_consent
    assert stored.display_name == "Анна Петровна"
    assert stored.consent_at is not None
    assert stored.consent_at.utcoffset() == UTC.utcoffset(None)


async def test_consent_given_again_without_name_keeps_it(storage: Storage, reader: Reader) -> None:
    await storage.readers.set_consent(reader.id, ConsentState.GIVEN, "Анна")
    await storage.readers.set_consent(reader.id, ConsentState.GIVEN)

    stored = await storage.readers.get_by_id(reader.id)
    assert stored is not None
    assert stored.display_name == "Анна"


async def test_withdrawing_or_declining_clears_the_name(storage: Storage, reader: Reader) -> None:
    for decision in (ConsentState.WITHDRAWN, ConsentState.DECLINED):
        await storage.readers.set_consent(reader.id, ConsentState.GIVEN, "Анна")
        await storage.readers.set_consent(reader.id, decision, "ignored")

        stored = await storage.readers.get_by_id(reader.id)
        assert stored is not None
        assert stored.consent is decision
        assert not stored.has_consent
        assert stored.display_name is None
        assert stored.consent_at is not None


async def test_back_to_unknown_clears_the_time(storage: Storage, reader: Reader) -> None:
    await storage.readers.set_consent(reader.id, ConsentState.GIVEN, "Анна")
    await storage.readers.set_consent(reader.id, ConsentState.UNKNOWN)

    stored = await storage.readers.get_by_id(reader.id)
    assert stored is not None
    assert stored.consent is ConsentState.UNKNOWN
    assert stored.consent_at is None
    assert stored.display_name is None


async def test_set_reachable_by_address(storage: Storage, reader: Reader) -> None:
    other = await storage.readers.create(Address(Platform.VK, reader.address.peer_id), "ru")

    await storage.readers.set_reachable(reader.address, False)

    stored = await storage.readers.get(reader.address)
    assert stored is not None
    assert not stored.reachable
    assert await storage.readers.get(other.address) == other

    await storage.readers.set_reachable(reader.address, True)
    stored = await storage.readers.get(reader.address)
    assert stored is not None
    assert stored.reachable


async def _fill(storage: Storage, reader: Reader, tag: str) -> None:
    await storage.conversations.record(reader.id, Direction.IN, f"вопрос {tag}")
    await storage.conversations.record(reader.id, Direction.OUT, f"ответ {tag}")
    await storage.dialogs.save(reader.id, DialogState(flow="renewal", step="card"))
    await storage.outbox.enqueue(f"{tag}:pending", reader.address, {"text": tag}, reader.id)
    await storage.outbox.enqueue(f"{tag}:by-address", reader.address, {"text": tag})
    await storage.outbox.enqueue(f"{tag}:sent", reader.address, {"text": tag}, reader.id)
    sent = await storage.outbox.get(f"{tag}:sent")
    assert sent is not None
    await storage.outbox.mark_sent(sent.id, datetime.now(UTC))


async def test_forget_erases_the_reader_and_only_them(storage: Storage, reader: Reader) -> None:
    other = await storage.readers.create(Address(Platform.VK, 555), "en")
    await _fill(storage, reader, "gone")
    await _fill(storage, other, "kept")

    await storage.readers.forget(reader.id)

    assert await storage.readers.get_by_id(reader.id) is None
    assert await storage.readers.get(reader.address) is None
    assert await storage.conversations.history(reader.id) == []
    assert await storage.dialogs.load(reader.id) == DialogState()
    assert await storage.outbox.get("gone:pending") is None
    assert await storage.outbox.get("gone:by-address") is None
    assert await storage.outbox.get("gone:sent") is None, "its address is the reader's id"

    assert await storage.readers.get_by_id(other.id) == other
    assert [m.text for m in await storage.conversations.history(other.id)] == [
        "вопрос kept",
        "ответ kept",
    ]
    assert (await storage.dialogs.load(other.id)).flow == "renewal"
    for key in ("kept:pending", "kept:by-address", "kept:sent"):
        kept = await storage.outbox.get(key)
        assert kept is not None
        assert kept.payload == {"text": "kept"}


async def test_forget_an_unknown_reader_is_harmless(storage: Storage) -> None:
    await storage.readers.forget(424242)
