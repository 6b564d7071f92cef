"""Shared pieces of the operations tests: a controllable clock and throwaway PostgreSQL
databases (skipped without ``TEST_DATABASE_URL``)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from storage.database import async_url, create_engine

POSTGRES_ENV = "TEST_DATABASE_URL"
needs_postgres = pytest.mark.skipif(
    not os.environ.get(POSTGRES_ENV), reason=f"set {POSTGRES_ENV} to run the PostgreSQL half"
)


class Clock:
    """A clock the test moves by hand; it starts at the suite's "now"."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


async def admin(*statements: str) -> None:
    base = async_url(os.environ[POSTGRES_ENV]).render_as_string(hide_password=False)
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture
async def postgres_database() -> AsyncIterator[Callable[[], str]]:
    """Makes fresh, empty PostgreSQL databases, dropped after the test; returns their URLs."""
    names: list[str] = []

    def make() -> str:
        name = f"ops_tests_{uuid.uuid4().hex[:12]}"
        names.append(name)
        return (
            async_url(os.environ[POSTGRES_ENV])
            .set(database=name)
            .render_as_string(hide_password=False)
        )

    yield make
    for name in names:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def postgres_url(postgres_database: Callable[[], str]) -> str:
    url = postgres_database()
    name = url.rsplit("/", 1)[1]
    await admin(f'CREATE DATABASE "{name}"')
    return url


async def eventually(condition: Callable[[], object], within: float = 10.0) -> None:
    """Wait until ``condition()`` holds; background loops make the change."""
    async with asyncio.timeout(within):
        # Polling, because the condition looks at state no event announces.
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


def head_revision() -> str:
    """The newest migration, which a migrated database is at (tests/storage/test_migrations.py
    pins its number)."""
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head
