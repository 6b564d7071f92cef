"""Where a repository's hot SQLite calls run: each on a connection taken from the pool for
it, or all on one connection kept for them (a lane)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

from storage.sqlite_statements import call_on, run_on_thread


class Calls(Protocol):
    async def run(self, work: Callable[..., Any], *args: Any) -> Any:
        """``work(sqlite3_connection, *args)`` in one hand-off to a connection's thread;
        ``work`` is a whole unit of work (see ``storage.sqlite_statements``)."""
        ...


class PooledCalls:
    """Each call on a connection checked out of ``engine``'s pool for it."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def run(self, work: Callable[..., Any], *args: Any) -> Any:
        return await run_on_thread(self._engine, work, *args)


class SqliteLane:
    """Every call on one connection, checked out of ``engine``'s pool at the first and kept
    until :meth:`close`.

    Checking a connection out and back in costs SQLAlchemy's pool and two greenlet switches:
    more than a reader turn's SQLite work, per call. Calls from many tasks may share the
    lane because each is a whole unit of work in one hand-off: aiosqlite runs them one
    after another on the connection's thread, so no call sees another's transaction open.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._pooled: PoolProxiedConnection | None = None
        self._opening = asyncio.Lock()

    async def run(self, work: Callable[..., Any], *args: Any) -> Any:
        pooled = self._pooled or await self._open()
        try:
            return await call_on(pooled, work, *args)
        except DBAPIError:
            raise  # SQLite refused the work, which rolled itself back: the connection is fine
        except Exception:
            # The connection itself failed (aiosqlite's thread gone…): the next call opens
            # another.
            await self._drop(pooled, invalidate=True)
            raise

    async def close(self) -> None:
        """Give the connection back to the pool; the next call takes one again."""
        if self._pooled is not None:
            await self._drop(self._pooled, invalidate=False)

    async def _open(self) -> PoolProxiedConnection:
        # Calls that arrive while the first one waits for its connection take that one.
        async with self._opening:
            if self._pooled is None:
                self._pooled = await self._engine.raw_connection()
            return self._pooled

    async def _drop(self, pooled: PoolProxiedConnection, *, invalidate: bool) -> None:
        if self._pooled is pooled:
            self._pooled = None
        if invalidate:
            await greenlet_spawn(pooled.invalidate)
        else:
            await greenlet_spawn(pooled.close)
