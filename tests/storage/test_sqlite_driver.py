"""SQLite statements run in one hand-off to aiosqlite's thread (``storage.sqlite_driver``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import create_engine
from tests.support.sqlite_calls import count_hand_offs


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT UNIQUE)"))
    yield engine
    await engine.dispose()


@pytest.fixture
def hand_offs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return count_hand_offs(monkeypatch)


async def test_a_write_transaction_is_one_hand_off_per_statement_and_one_to_commit(
    engine: AsyncEngine, hand_offs: list[str]
) -> None:
    async with engine.begin() as conn:
        inserted = await conn.execute(text("INSERT INTO notes (body) VALUES ('a')"))
        many = await conn.execute(
            text("INSERT INTO notes (body) VALUES (:body)"), [{"body": "b"}, {"body": "c"}]
        )

    assert inserted.lastrowid == 1
    assert many.rowcount == 2
    assert hand_offs == ["_run", "_run", "commit"]


async def test_a_read_is_one_hand_off_and_closing_it_none(
    engine: AsyncEngine, hand_offs: list[str]
) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("INSERT INTO notes (body) VALUES ('a'), ('b')"))
    hand_offs.clear()

    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT id, body FROM notes ORDER BY id"))).all()
        empty = (await conn.execute(text("SELECT body FROM notes WHERE id = 9"))).first()

    assert [tuple(row) for row in rows] == [(1, "a"), (2, "b")]
    assert empty is None
    assert hand_offs == ["_run", "_run"]


async def test_a_failed_write_is_rolled_back(engine: AsyncEngine) -> None:
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO notes (body) VALUES ('a')"))
            await conn.execute(text("INSERT INTO notes (body) VALUES ('a')"))

    async with engine.connect() as conn:
        count = (await conn.execute(text("SELECT count(*) FROM notes"))).scalar_one()
    assert count == 0


async def test_an_uncommitted_write_is_rolled_back_when_its_connection_closes(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("INSERT INTO notes (body) VALUES ('a')"))

    async with engine.connect() as conn:
        count = (await conn.execute(text("SELECT count(*) FROM notes"))).scalar_one()
    assert count == 0
