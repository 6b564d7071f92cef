"""SQLAlchemy statements compiled once for SQLite and run straight on aiosqlite's thread.

For the hottest path only (a reader's turn, see ``storage.turns``): SQLAlchemy's execution,
result and pool machinery around each statement cost more CPU than SQLite's own work (the
ingest benchmark's profile). SQLAlchemy still writes the SQL and converts every value: the
statement is compiled once for the engine's dialect, parameters go through each bound
column type's bind processor and results through each selected column's result processor,
the same functions SQLAlchemy itself applies, so what is stored and read back is exactly
what the repositories see through SQLAlchemy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiosqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Select
from sqlalchemy.util import greenlet_spawn

_Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class Prepared:
    """One statement's SQL for SQLite (``?`` parameters) and how to convert its values."""

    sql: str
    names: tuple[str, ...]
    """The bound parameters' names, in the order of their ``?``."""
    binds: tuple[_Processor, ...]
    constants: Mapping[str, Any]
    """The values the statement itself binds (``literal(…)``), by parameter name."""
    keys: tuple[str, ...] = ()
    """A SELECT's column names, as SQLAlchemy's rows name them."""
    results: tuple[_Processor, ...] = ()

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(
            value if process is None else process(value)
            for value, process in zip(
                (values[name] if name in values else self.constants[name] for name in self.names),
                self.binds,
                strict=True,
            )
        )

    def row(self, raw: Sequence[Any]) -> dict[str, Any]:
        return {
            key: value if process is None else process(value)
            for key, value, process in zip(self.keys, raw, self.results, strict=True)
        }


def prepare(
    statement: ClauseElement, dialect: Dialect, column_keys: Sequence[str] | None = None
) -> Prepared:
    """Compile ``statement`` for ``dialect`` (an SQLite one); ``column_keys``: an INSERT's
    columns, as ``execute`` would derive them from its parameters."""
    if dialect.name != "sqlite":
        raise ValueError(f"prepared statements are for SQLite, not {dialect.name!r}")
    compiled = statement.compile(
        dialect=dialect, column_keys=list(column_keys) if column_keys is not None else None
    )
    assert isinstance(compiled, SQLCompiler)
    if any(bind.expanding for bind in compiled.binds.values()):
        # Its "?"s are only known once the list is: write IN with one literal() per value.
        raise ValueError("prepared statements take no expanding IN parameters")
    names = tuple(compiled.positiontup or ())
    binds = tuple(
        compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    )
    constants = {
        name: bind.effective_value
        for name, bind in compiled.binds.items()
        if name in names and not bind.required
    }
    if not isinstance(statement, Select):
        return Prepared(compiled.string, names, binds, constants)
    columns = statement.selected_columns
    return Prepared(
        compiled.string,
        names,
        binds,
        constants,
        tuple(columns.keys()),
        tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns),
    )


async def run_on_thread(engine: AsyncEngine, work: Callable[..., Any], *args: Any) -> Any:
    """``work(sqlite3_connection, *args)`` in one hand-off to the thread of a connection from
    ``engine``'s pool, taken for this call only (see :func:`call_on`)."""
    pooled = await engine.raw_connection()
    try:
        return await call_on(pooled, work, *args)
    finally:
        # In SQLAlchemy's greenlet: returning it may close it (when the pool is full), and
        # closing an aiosqlite connection is a hand-off too.
        await greenlet_spawn(pooled.close)


async def call_on(pooled: PoolProxiedConnection, work: Callable[..., Any], *args: Any) -> Any:
    """``work(sqlite3_connection, *args)`` in one hand-off to the thread of ``pooled``, an
    aiosqlite connection; SQLite's errors raised as SQLAlchemy's (``IntegrityError``…)."""
    driver: aiosqlite.Connection = pooled.driver_connection  # type: ignore[assignment]
    try:
        # aiosqlite's own way to run a function on the connection's thread.
        return await driver._execute(work, driver._conn, *args)  # type: ignore[no-untyped-call]
    except _Failed as failed:
        raise DBAPIError.instance(failed.sql, None, failed.error, sqlite3.Error) from failed.error


class _Failed(Exception):
    """An SQLite error with the statement it came from, out of the connection's thread."""

    def __init__(self, sql: str, error: sqlite3.Error) -> None:
        super().__init__(sql, error)
        self.sql = sql
        self.error = error


def fetch_one(connection: sqlite3.Connection, sql: str, parameters: tuple[Any, ...]) -> Any:
    """On aiosqlite's thread: the first row of a read, or None."""
    try:
        cursor = connection.execute(sql, parameters)
        try:
            return cursor.fetchone()
        finally:
            cursor.close()
    except sqlite3.Error as error:
        raise _Failed(sql, error) from error


def write_all(
    connection: sqlite3.Connection, steps: Sequence[tuple[str, Sequence[tuple[Any, ...]]]]
) -> None:
    """On aiosqlite's thread: each step's SQL once per row of parameters, all in one
    transaction (Python's sqlite3 begins it at the first write), committed at the end and
    rolled back if any fails."""
    sql = "COMMIT"
    try:
        for sql, rows in steps:
            if len(rows) == 1:
                connection.execute(sql, rows[0]).close()
            else:
                connection.executemany(sql, rows).close()
        sql = "COMMIT"
        connection.commit()
    except BaseException as error:
        connection.rollback()
        if isinstance(error, sqlite3.Error):
            raise _Failed(sql, error) from error
        raise
