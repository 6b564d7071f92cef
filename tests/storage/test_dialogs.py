"""Dialog state: load/save round trips, overwrite, clear."""

from __future__ import annotations

from storage.database import Storage
from storage.models import DialogState, Reader


async def test_nothing_stored_loads_empty(storage: Storage, reader: Reader) -> None:
    assert await storage.dialogs.load(reader.id) == DialogState()


async def test_save_and_load_round_trip(storage: Storage, reader: Reader) -> None:
    state = DialogState(
        flow="reference",
        step="topic",
        data={"тема": "кардиология", "годы": [2020, 2025], "nested": {"ok": True, "n": None}},
        offered=["topic:cardio", "topic:neuro", "back"],
    )

    await storage.dialogs.save(reader.id, state)

    assert await storage.dialogs.load(reader.id) == state


async def test_save_overwrites(storage: Storage, reader: Reader) -> None:
    await storage.dialogs.save(reader.id, DialogState("renewal", "card", {"card": "123"}, ["a"]))
    await storage.dialogs.save(reader.id, DialogState("renewal", "confirm"))

    assert await storage.dialogs.load(reader.id) == DialogState("renewal", "confirm")


async def test_clear(storage: Storage, reader: Reader) -> None:
    await storage.dialogs.save(reader.id, DialogState("renewal", "card"))

    await storage.dialogs.clear(reader.id)

    assert await storage.dialogs.load(reader.id) == DialogState()
