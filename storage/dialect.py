"""The one place that picks dialect-specific INSERT variants (both backends speak ON CONFLICT)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, TextClause, bindparam, text
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.dml import Insert

_PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_]*")

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite


def _insert(dialect: Dialect, table: Table) -> postgresql.Insert | sqlite.Insert:
    # Imported here: a deployment loads only its own backend's dialect (PostgreSQL's alone
    # is about 2 MiB of memory).
    if dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    if dialect.name == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table)
    raise NotImplementedError(f"no ON CONFLICT support for dialect {dialect.name!r}")


def insert_or_ignore(
    dialect: Dialect, table: Table, values: Mapping[str, Any], conflict_on: Sequence[str]
) -> Insert:
    """``INSERT … ON CONFLICT (conflict_on) DO NOTHING``: safe when two writers race."""
    return (
        _insert(dialect, table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(conflict_on))
    )


def upsert(
    dialect: Dialect, table: Table, values: Mapping[str, Any], conflict_on: Sequence[str]
) -> Insert:
    """``INSERT … ON CONFLICT (conflict_on) DO UPDATE`` setting every other given column."""
    statement = _insert(dialect, table).values(**values)
    return statement.on_conflict_do_update(
        index_elements=list(conflict_on),
        set_={name: statement.excluded[name] for name in values if name not in conflict_on},
    )


def reusable_upsert(table: Table, columns: Sequence[str], conflict_on: Sequence[str]) -> TextClause:
    """:func:`upsert` with one bound parameter per column (named after it), as a statement
    SQLAlchemy can reuse.

    SQLAlchemy 2.0 gives ``on_conflict_do_update`` no cache key, so an upsert built with it
    is compiled again on every execution: the largest SQL cost of a reader turn, which
    upserts its dialog state. This form is the same SQL, written once; both backends speak
    ``ON CONFLICT … DO UPDATE SET … = excluded.…``. The parameters carry the columns' types,
    so values are converted as they would be for the table.
    """
    names = [table.name, *columns]
    # Written into the SQL as they are: only names that need no quoting in either dialect.
    if table.schema is not None or not all(_PLAIN_NAME.fullmatch(name) for name in names):
        raise ValueError(f"reusable_upsert needs plain, unqualified names: {names!r}")
    updated = [name for name in columns if name not in conflict_on]
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join(f':{name}' for name in columns)}) "
        f"ON CONFLICT ({', '.join(conflict_on)}) "
        f"DO UPDATE SET {', '.join(f'{name} = excluded.{name}' for name in updated)}"
    )
    return text(sql).bindparams(*(bindparam(name, type_=table.c[name].type) for name in columns))
