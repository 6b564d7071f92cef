"""A reader turn's own reads and writes (``storage.turns``), on every backend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.engine.interfaces import CacheStats
from sqlalchemy.exc import IntegrityError

from storage.database import Storage
from storage.models import (
    Address,
    ConsentState,
    DialogState,
    Direction,
    LoggedMessage,
    Platform,
    Reader,
    TurnRecord,
)
from tests.support.sqlite_calls import count_hand_offs


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
    after its first run (an upsert built with ``on_conflict_do_update`` never is). SQLite's
    turns run statements compiled when the repository was built, outside SQLAlchemy's
    execution (see the next test)."""
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

    assert hits == ([] if storage.engine.dialect.name == "sqlite" else [True, True, True])


async def test_on_sqlite_a_turns_read_and_its_writes_are_one_hand_off_each(
    storage: Storage, reader: Reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    if storage.engine.dialect.name != "sqlite":
        pytest.skip("aiosqlite's thread hand-offs")
    log = (LoggedMessage(Direction.IN, "т"), LoggedMessage(Direction.OUT, "о"))
    record = TurnRecord(reader.id, reader.address.platform, DialogState(flow="ask"), log)
    # The first turn opens the connections the turns keep (see storage.sqlite_lanes).
    await storage.turns.load(reader.address)
    await storage.turns.store(record)
    hand_offs = count_hand_offs(monkeypatch)

    await storage.turns.load(reader.address)
    await storage.turns.store(record)

    assert hand_offs == ["fetch_one", "write_all"]


_STATE = ("flow", "step", "data", "offered", "updated_at")
_MESSAGE = ("direction", "platform", "text", "attachments", "created_at")


def _as_stored(table: str, columns: tuple[str, ...]) -> str:
    """The columns as the database holds them, as text, by reader and then by row."""
    cast = ", ".join(f"CAST({column} AS TEXT)" for column in columns)
    order = "reader_id" if table == "dialog_states" else "reader_id, id"
    return f"SELECT reader_id, {cast} FROM {table} ORDER BY {order}"


async def test_a_turn_is_stored_as_the_other_repositories_store_the_same_values(
    database_url: str,
) -> None:
    """Byte for byte: the turn's own statements convert values (JSON, timestamps) as
    SQLAlchemy does for the dialog and conversation repositories."""
    at = datetime(2026, 11, 23, 8, 30, 15, 123456, tzinfo=UTC)
    state = DialogState(flow="ask", step="text", data={"q": "ёж «x»", "n": [1, None]}, offered=[])
    attachments = [{"kind": "photo", "file_id": "f1", "caption": "Снимок"}]
    async with Storage.open(database_url, clock=lambda: at) as storage:
        first = await storage.readers.create(Address(Platform.VK, 1), "ru")
        second = await storage.readers.create(Address(Platform.VK, 2), "ru")
        await storage.dialogs.save(first.id, state)
        await storage.conversations.record(first.id, Direction.IN, "Вопрос", attachments, at)
        await storage.conversations.record(first.id, Direction.OUT, None, (), at)
        log = (
            LoggedMessage(Direction.IN, "Вопрос", attachments),
            LoggedMessage(Direction.OUT, None),
        )
        await storage.turns.store(TurnRecord(second.id, Platform.VK, state, log))

        async with storage.engine.connect() as conn:
            states = (await conn.execute(text(_as_stored("dialog_states", _STATE)))).all()
            messages = (await conn.execute(text(_as_stored("messages", _MESSAGE)))).all()

    assert [row[0] for row in states] == [first.id, second.id]
    assert states[0][1:] == states[1][1:]
    assert [row[0] for row in messages] == [first.id, first.id, second.id, second.id]
    assert [row[1:] for row in messages[:2]] == [row[1:] for row in messages[2:]]


async def test_a_turn_of_a_reader_who_is_gone_fails_as_sqlalchemy_says_and_stores_nothing(
    storage: Storage, reader: Reader
) -> None:
    record = TurnRecord(
        reader.id + 1000,
        reader.address.platform,
        DialogState(flow="ask"),
        (LoggedMessage(Direction.IN, "т"),),
    )

    with pytest.raises(IntegrityError):
        await storage.turns.store(record)

    async with storage.engine.connect() as conn:
        counts = (
            await conn.execute(
                text("SELECT (SELECT count(*) FROM dialog_states), (SELECT count(*) FROM messages)")
            )
        ).one()
    assert tuple(counts) == (0, 0)


async def test_a_reader_is_loaded_as_the_reader_repository_reads_them(
    storage: Storage, reader: Reader
) -> None:
    """Every column's type on the way back: timestamps, a boolean, nullable text."""
    await storage.readers.set_consent(reader.id, ConsentState.GIVEN, "Анна Петрова")
    await storage.readers.set_reachable(reader.address, False)

    loaded, _ = await storage.turns.load(reader.address)

    assert loaded == await storage.readers.get(reader.address)
    assert loaded is not None
    assert loaded.consent_at is not None and loaded.consent_at.tzinfo is UTC
    assert loaded.reachable is False
