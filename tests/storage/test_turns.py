"""A reader turn's own reads and writes (``storage.turns``), on every backend."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.engine.interfaces import CacheStats

from storage.database import Storage
from storage.models import (
    Address,
    DialogState,
    Direction,
    LoggedMessage,
    Platform,
    Reader,
    TurnRecord,
)


async def test_an_unknown_address_has_no_reader_and_an_empty_state(storage: Storage) -> None:
    reader, state = await storage.turns.load(Address(Platform.VK, 77))

    assert reader is None
    assert state == DialogState()


async def test_a_stored_turn_is_read_back_with_the_reader(storage: Storage, reader: Reader) -> None:
    state = DialogState(flow="ask", step="text", data={"draft": {"q": "ёж"}}, offered=["a:1"])
    log = (
        LoggedMessage(Direction.IN, "Вопрос", [{"kind": "photo", "file_id": "f1"}]),
        LoggedMessage(Direction.OUT, "Ответ"),
    )

    await storage.turns.store(TurnRecord(reader.id, reader.address.platform, state, log))

    loaded, stored_state = await storage.turns.load(reader.address)
    assert loaded == reader
    assert stored_state == state
    history = await storage.conversations.history(reader.id)
    assert [(m.direction, m.text, m.platform) for m in history] == [
        (Direction.IN, "Вопрос", Platform.TELEGRAM),
        (Direction.OUT, "Ответ", Platform.TELEGRAM),
    ]
    assert history[0].attachments == [{"kind": "photo", "file_id": "f1"}]


async def test_a_second_turn_replaces_the_state(storage: Storage, reader: Reader) -> None:
    platform = reader.address.platform
    await storage.turns.store(TurnRecord(reader.id, platform, DialogState(flow="ask")))
    await storage.turns.store(TurnRecord(reader.id, platform, DialogState(step="x")))

    _, state = await storage.turns.load(reader.address)
    assert state == DialogState(step="x")


async def test_a_turn_without_a_state_leaves_the_stored_one(
    storage: Storage, reader: Reader
) -> None:
    platform = reader.address.platform
    await storage.turns.store(TurnRecord(reader.id, platform, DialogState(flow="ask")))
    await storage.turns.store(
        TurnRecord(reader.id, platform, None, (LoggedMessage(Direction.IN, "т"),))
    )

    _, state = await storage.turns.load(reader.address)
    assert state == DialogState(flow="ask")


async def test_a_failing_write_stores_nothing_of_the_turn(storage: Storage, reader: Reader) -> None:
    """The log entry cannot be stored (its attachment is no JSON): the state written
    before it in the same transaction is rolled back too."""
    unstorable = LoggedMessage(Direction.IN, "т", [{"file": object()}])
    record = TurnRecord(reader.id, reader.address.platform, DialogState(flow="ask"), (unstorable,))

    with pytest.raises(Exception, match="JSON serializable"):
        await storage.turns.store(record)

    assert await storage.dialogs.load(reader.id) == DialogState()
    assert await storage.conversations.history(reader.id) == []


async def test_a_turns_statements_are_compiled_once(storage: Storage, reader: Reader) -> None:
    """Every statement of a turn is reused from SQLAlchemy's cache of compiled statements
    after its first run (an upsert built with ``on_conflict_do_update`` never is)."""
    platform = reader.address.platform
    record = TurnRecord(
        reader.id, platform, DialogState(flow="ask"), (LoggedMessage(Direction.IN, "т"),)
    )
    await storage.turns.load(reader.address)
    await storage.turns.store(record)
    hits: list[bool] = []

    def note(*args: object) -> None:
        context = args[-2]
        assert isinstance(context, DefaultExecutionContext)
        hits.append(context.cache_hit is CacheStats.CACHE_HIT)

    engine = storage.engine.sync_engine
    event.listen(engine, "after_cursor_execute", note)
    try:
        await storage.turns.load(reader.address)
        await storage.turns.store(record)
    finally:
        event.remove(engine, "after_cursor_execute", note)

    assert hits == [True, True, True]
