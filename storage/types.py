"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Integer
from sqlalchemy.types import TypeDecorator, TypeEngine

Id: TypeEngine[int] = BigInteger().with_variant(Integer(), "sqlite")
"""Surrogate keys: BIGINT on PostgreSQL; INTEGER on SQLite, where only an ``INTEGER PRIMARY KEY``
is the auto-incrementing rowid."""


class _Json(TypeDecorator[Any]):
    """JSON documents: JSONB on PostgreSQL, JSON text on SQLite.

    Not ``JSON().with_variant(JSONB(), "postgresql")``: that imports SQLAlchemy's PostgreSQL
    dialect (about 2 MiB of a SQLite deployment's memory) for a type it never uses.
    """

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


Json: TypeEngine[Any] = _Json()
"""JSON documents: JSONB on PostgreSQL, JSON text on SQLite."""


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp, always stored as UTC and always read back as aware UTC.

    SQLite keeps no offset, so values are converted to UTC before they are written and tagged
    as UTC when read. Naive datetimes are refused: their meaning would depend on the host.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware one")
        utc = value.astimezone(UTC)
        # SQLite would store the wall-clock fields and silently drop the offset.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time as an aware UTC datetime (the repositories' default clock)."""
    return datetime.now(UTC)


Clock = Callable[[], datetime]
"""Where a repository gets "now" for the timestamps it sets itself."""
