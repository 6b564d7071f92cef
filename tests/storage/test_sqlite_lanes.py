"""A reader turn's SQLite calls share connections kept for them (``storage.sqlite_lanes``)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from storage.database import Storage
from storage.models import Address, DialogState, Direction, LoggedMessage, Platform, TurnRecord
from storage.sqlite_lanes import SqliteLane
from storage.sqlite_statements import fetch_one


@pytest.fixture
def sqlite(storage: Storage) -> Storage:
    if storage.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's lanes")
    return storage


def _turn(reader_id: int, text: str) -> TurnRecord:
    log = (LoggedMessage(Direction.IN, text), LoggedMessage(Direction.OUT, "ответ"))
    return TurnRecord(reader_id, Platform.VK, DialogState(flow="ask", step=text), log)


async def test_concurrent_turns_share_two_connections(sqlite: Storage) -> None:
    readers = [await sqlite.readers.create(Address(Platform.VK, n), "ru") for n in range(40)]
    opened: list[object] = []
    event.listen(sqlite.engine.sync_engine, "connect", lambda conn, _: opened.append(conn))
    await sqlite.close()

    async def turn(number: int) -> None:
        reader = readers[number]
        await sqlite.turns.load(reader.address)
        await sqlite.tickets.latest_active_for_reader(reader.id)
        await sqlite.turns.store(_turn(reader.id, str(number)))

    await asyncio.gather(*(turn(n) for n in range(40)))

    assert len(opened) == 2, "one for the reads, one for the writes"
    for number, reader in enumerate(readers):
        _, state = await sqlite.turns.load(reader.address)
        assert state.step == str(number)
        assert len(await sqlite.conversations.history(reader.id)) == 2


async def test_a_refused_write_leaves_the_lane_usable(sqlite: Storage) -> None:
    reader = await sqlite.readers.create(Address(Platform.VK, 1), "ru")

    with pytest.raises(IntegrityError):
        await sqlite.turns.store(_turn(reader.id + 1000, "x"))
    await sqlite.turns.store(_turn(reader.id, "y"))

    _, state = await sqlite.turns.load(reader.address)
    assert state.step == "y"


async def test_closing_the_storage_gives_the_connections_back(sqlite: Storage) -> None:
    reader = await sqlite.readers.create(Address(Platform.VK, 1), "ru")
    await sqlite.turns.store(_turn(reader.id, "x"))
    pool: Any = sqlite.engine.pool
    assert pool.checkedout() == 1, "the writes' lane holds one"

    await sqlite.close()

    assert sqlite.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_a_lane_whose_connection_died_opens_another(sqlite: Storage) -> None:
    lane = SqliteLane(sqlite.engine)
    pooled = await sqlite.engine.raw_connection()
    await pooled.driver_connection.close()  # type: ignore[union-attr]
    lane._pooled = pooled

    with pytest.raises(ValueError, match="no active connection"):
        await lane.run(fetch_one, "SELECT 1", ())
    row = await lane.run(fetch_one, "SELECT 1", ())
    await lane.close()

    assert tuple(row) == (1,)
