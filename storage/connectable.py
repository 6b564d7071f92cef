"""What a repository runs its statements on: the engine, or one transaction's connection."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class Connectable(Protocol):
    """The part of ``AsyncEngine`` the repositories use.

    On the engine, each ``begin()`` is a transaction of its own. On a :class:`BoundConnection`
    every ``begin()`` and ``connect()`` is the one open transaction of a unit of work, which
    commits or rolls back as a whole.
    """

    @property
    def dialect(self) -> Dialect: ...

    def begin(self) -> AbstractAsyncContextManager[AsyncConnection]: ...

    def connect(self) -> AbstractAsyncContextManager[AsyncConnection]: ...


class BoundConnection:
    """A connection already inside a transaction, offered as a :class:`Connectable`:
    repositories built on it neither commit nor roll back; whoever opened the transaction
    does."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    @property
    def dialect(self) -> Dialect:
        return self._connection.dialect

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        yield self._connection

    def connect(self) -> AbstractAsyncContextManager[AsyncConnection]:
        return self.begin()


def single_reads(engine: Connectable) -> Connectable:
    """``engine`` for connections that each run a single read.

    On PostgreSQL an engine's such connections run in autocommit: one statement is a
    transaction of its own anyway, and the BEGIN and ROLLBACK the driver wraps around it
    were two more round trips to the server (a reader's turn makes two such reads). SQLite's
    driver opens no transaction for a read, and switching its mode costs a thread hand-off
    each way, so an SQLite engine, like a transaction's connection, is returned as it is.
    """
    if isinstance(engine, AsyncEngine) and engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine
