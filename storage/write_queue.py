"""An in-process queue for SQLite's one writer at a time."""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import AbstractAsyncContextManager

from sqlalchemy.engine import Dialect


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
