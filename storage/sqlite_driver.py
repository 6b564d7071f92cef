"""SQLAlchemy's aiosqlite adapter, with one thread hand-off per statement instead of three or
four.

aiosqlite runs each SQLite call on a thread of its own connection and hands the result back
to the event loop. SQLAlchemy's adapter makes a hand-off for every DB-API step of a
statement: open a cursor, execute, fetch the rows, close the cursor. Each hand-off wakes the
thread, contends for the GIL and wakes the event loop, and on a reader's turn (a read, an
open-ticket lookup, an upsert and a log insert) those hand-offs cost more than SQLite's own
work (the ingest benchmark's profile). Here the whole statement runs in one hand-off on
that same thread, so SQLite is still only ever called from it.

It goes to ``create_async_engine`` as its DB-API ``module`` (a documented engine option);
the dialect, the URLs and everything above the cursor stay SQLAlchemy's.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)

_Outcome = tuple[Any, list[Any], int | None, int]


def _run(
    connection: sqlite3.Connection, operation: str, parameters: Any, *, many: bool
) -> _Outcome:
    """On aiosqlite's thread: one statement from cursor to close; its description, rows,
    last row id and row count."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        if cursor.description:
            return cursor.description, cursor.fetchall(), -1, -1
        return None, [], cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor (SQLAlchemy's default here) that executes in one hand-off."""

    __slots__ = ()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        self._run(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        self._run(operation, seq_of_parameters, many=True)

    def _run(self, operation: str, parameters: Any, *, many: bool) -> None:
        driver: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        try:
            description, rows, lastrowid, rowcount = self.await_(
                # aiosqlite's own way to run a function on the connection's thread.
                driver._execute(_run, driver._conn, operation, parameters, many=many)  # type: ignore[no-untyped-call]
            )
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self.description = description
        self._rows = deque(rows)
        self.lastrowid = lastrowid
        self.rowcount = rowcount


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    def rollback(self) -> None:
        """No hand-off when there is nothing to roll back: Python's sqlite3 opens a
        transaction only for a write, so a connection that only read (every connection
        returned to the pool is rolled back) has none."""
        driver: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        try:
            # Safe to read here: the connection's thread runs nothing of this connection
            # between two of its calls, and this is one.
            idle = not driver._conn.in_transaction
        except (ValueError, sqlite3.ProgrammingError):  # closed: let aiosqlite say so
            idle = False
        if not idle:
            super().rollback()

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        if server_side:
            return super().cursor(server_side=True)
        return OneHopCursor(self)


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DB-API module SQLAlchemy's aiosqlite dialect uses, handing out
    :class:`OneHopConnection`."""

    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        connection = super().connect(*arg, **kw)
        if type(connection) is not AsyncAdapt_aiosqlite_connection:
            return connection  # the sync fallback mode: left as it is
        return OneHopConnection(self, connection._connection)


def one_hop_dbapi() -> OneHopDBAPI:
    return OneHopDBAPI(aiosqlite, sqlite3)
