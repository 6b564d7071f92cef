"""The one place that picks dialect-specific INSERT variants (both backends speak ON CONFLICT)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.dml import Insert

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
