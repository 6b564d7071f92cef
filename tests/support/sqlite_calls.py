"""What an SQLite engine does underneath SQLAlchemy: each function handed to aiosqlite's
thread, and each statement SQLite itself runs (BEGIN and COMMIT included)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import event

from storage.database import Storage


def count_hand_offs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of each function aiosqlite hands to its thread, from here on."""
    names: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Callable[..., Any], *a: Any, **k: Any) -> Any:
        names.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *a, **k)  # type: ignore[no-untyped-call]

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return names


@asynccontextmanager
async def sqlite_statements(storage: Storage) -> AsyncIterator[list[str]]:
    """Every statement SQLite runs on ``storage``'s connections while inside, as SQLite's
    trace reports it (an ``executemany`` once per row).

    Its connections are closed first and at the end, so that every connection used inside
    is opened, and traced, inside.
    """
    engine = storage.engine
    seen: list[str] = []

    def trace(dbapi_connection: Any, record: Any) -> None:
        driver: aiosqlite.Connection = record.driver_connection
        dbapi_connection.await_(driver.set_trace_callback(seen.append))

    await storage.close()
    event.listen(engine.sync_engine, "connect", trace)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "connect", trace)
        await storage.close()


def writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
