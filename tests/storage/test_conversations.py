"""Conversations: recording, history order and limits, attachments, erasure, retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from storage.database import Storage
from storage.models import Address, Direction, Platform, Reader

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


async def test_record_returns_the_stored_message(storage: Storage, reader: Reader) -> None:
    attachments: list[dict[str, Any]] = [
        {"kind": "photo", "ref": "AgACAgIAAxk", "file_name": "рецепт.jpg", "size": 1024},
        {"kind": "document", "file_name": "Список литературы.docx", "meta": {"страниц": 3}},
    ]

    message = await storage.conversations.record(
        reader.id, Direction.IN, "Нужны статьи о сахарном диабете 2 типа 🩺", attachments, T0
    )

    assert message.reader_id == reader.id
    assert message.direction is Direction.IN
    assert message.platform is Platform.TELEGRAM
    assert message.text == "Нужны статьи о сахарном диабете 2 типа 🩺"
    assert message.attachments == attachments
    assert message.created_at == T0
    assert await storage.conversations.history(reader.id) == [message]


async def test_platform_follows_the_reader(storage: Storage) -> None:
    vk = await storage.readers.create(Address(Platform.VK, 9), "ru")

    message = await storage.conversations.record(vk.id, Direction.OUT, "Здравствуйте")

    assert message.platform is Platform.VK
    assert message.attachments == []
    assert message.created_at.tzinfo is not None


async def test_history_is_oldest_first_and_keeps_the_last(storage: Storage, reader: Reader) -> None:
    for number in range(5):
        direction = Direction.IN if number % 2 == 0 else Direction.OUT
        await storage.conversations.record(reader.id, direction, f"сообщение {number}")

    everything = await storage.conversations.history(reader.id)
    last_three = await storage.conversations.history(reader.id, limit=3)

    assert [m.text for m in everything] == [f"сообщение {n}" for n in range(5)]
    assert [m.direction for m in everything][:2] == [Direction.IN, Direction.OUT]
    assert last_three == everything[2:]


async def test_text_may_be_absent(storage: Storage, reader: Reader) -> None:
    message = await storage.conversations.record(
        reader.id, Direction.IN, None, [{"kind": "unsupported"}]
    )

    assert message.text is None
    assert (await storage.conversations.history(reader.id))[0].attachments == [
        {"kind": "unsupported"}
    ]


async def test_timestamps_come_back_as_utc(storage: Storage, reader: Reader) -> None:
    yekaterinburg = timezone(timedelta(hours=5))
    local = datetime(2026, 3, 1, 14, 0, tzinfo=yekaterinburg)

    await storage.conversations.record(reader.id, Direction.IN, "a", at=local)

    (stored,) = await storage.conversations.history(reader.id)
    assert stored.created_at == T0
    assert stored.created_at.utcoffset() == timedelta(0)


async def test_erase_counts_and_spares_others(storage: Storage, reader: Reader) -> None:
    other = await storage.readers.create(Address(Platform.VK, 3), "ru")
    await storage.conversations.record(reader.id, Direction.IN, "a")
    await storage.conversations.record(reader.id, Direction.OUT, "b")
    await storage.conversations.record(other.id, Direction.IN, "c")

    assert await storage.conversations.erase(reader.id) == 2
    assert await storage.conversations.history(reader.id) == []
    assert [m.text for m in await storage.conversations.history(other.id)] == ["c"]
    assert await storage.conversations.erase(reader.id) == 0


async def test_erase_older_than(storage: Storage, reader: Reader) -> None:
    for days in (40, 31, 29, 1):
        await storage.conversations.record(
            reader.id, Direction.IN, f"{days}", at=T0 - timedelta(days=days)
        )

    assert await storage.conversations.erase_older_than(T0 - timedelta(days=30)) == 2
    assert [m.text for m in await storage.conversations.history(reader.id)] == ["29", "1"]
