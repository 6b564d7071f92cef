"""Statements prepared once for SQLite (``storage.sqlite_statements``)."""

from __future__ import annotations

import pytest
from sqlalchemy import String, bindparam, literal, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import make_url

from storage.schema import tickets
from storage.sqlite_statements import prepare


def test_values_the_statement_binds_itself_are_passed_in_their_place() -> None:
    statement = select(tickets.c.id).where(
        tickets.c.reader_id == bindparam("reader_id"),
        tickets.c.status.in_([literal("new", String), literal("answered", String)]),
    )

    prepared = prepare(statement, sqlite.dialect())

    assert prepared.sql.count("?") == 3
    assert prepared.parameters({"reader_id": 7}) == (7, "new", "answered")


def test_an_expanding_in_is_refused() -> None:
    statement = select(tickets.c.id).where(tickets.c.status.in_(["new", "answered"]))

    with pytest.raises(ValueError, match="expanding"):
        prepare(statement, sqlite.dialect())


def test_only_sqlite_statements_are_prepared() -> None:
    with pytest.raises(ValueError, match="postgresql"):
        prepare(select(tickets.c.id), make_url("postgresql+asyncpg://").get_dialect()())
