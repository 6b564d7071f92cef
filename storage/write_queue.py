"""An in-process queue for SQLite's one writer at a time."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class WriteQueue:
    """Lets this process's hot writers (each reader turn's own writes) into SQLite one at a
    time.

    SQLite admits one writer at a time and makes the others poll for the lock with growing
    sleeps (up to 100 ms each, failing after the busy timeout). Under a burst of readers
    that both slows every turn and fails some of them; waiting in the event loop instead is
    first come, first served. Other processes' writers still meet the busy timeout. On
    PostgreSQL, which locks rows, it lets everyone through at once.
    """

    def __init__(self, dialect: Dialect) -> None:
        self._lock = asyncio.Lock() if dialect.name == "sqlite" else None

    def turn(self) -> AbstractAsyncContextManager[object]:
        """Hold this around one write transaction."""
        if self._lock is None:
            return contextlib.nullcontext()
        return self._lock


class QueuedWrites:
    """The engine, offered as a ``storage.connectable.Connectable`` whose write transactions
    (``begin()``) wait in ``queue``; reads (``connect()``) do not.

    For repositories that write often from many tasks at once, such as the outbox senders'
    claims and outcomes: left to SQLite's busy wait, one of them could lose the race for
    the lock again and again until the busy timeout failed it, and a row delivered but not
    marked sent is delivered again when its lease expires.
    """

    def __init__(self, engine: AsyncEngine, queue: WriteQueue) -> None:
        self._engine = engine
        self._queue = queue

    @property
    def dialect(self) -> Dialect:
        return self._engine.dialect

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        async with self._queue.turn(), self._engine.begin() as connection:
            yield connection

    def connect(self) -> AbstractAsyncContextManager[AsyncConnection]:
        return self._engine.connect()
