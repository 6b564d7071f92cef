"""One contract suite, two backends: a temporary SQLite file always, and PostgreSQL when
``TEST_DATABASE_URL`` is set.

PostgreSQL tests run in a database of their own, created next to the one in the variable (the
role needs CREATEDB) and dropped at the end, so they never touch other suites' tables. Every
test starts from an empty schema built by the real migrations.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.database import Storage, async_url, create_engine
from storage.migrate import upgrade
from storage.models import Address, Platform, Reader

POSTGRES_ENV = "TEST_DATABASE_URL"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=pytest.mark.skipif(
            not os.environ.get(POSTGRES_ENV),
            reason=f"PostgreSQL backend: set {POSTGRES_ENV}=postgresql+asyncpg://… to run",
        ),
    ),
]


async def _admin(url: str, *statements: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def postgres_url() -> AsyncIterator[str]:
    """A throwaway database on the server named by ``TEST_DATABASE_URL``."""
    base = async_url(os.environ[POSTGRES_ENV])
    name = f"storage_tests_{uuid.uuid4().hex[:12]}"
    admin = base.render_as_string(hide_password=False)
    await _admin(admin, f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def server_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where ``backend``'s test database lives."""
    if backend == "sqlite":
        # A nested path also checks that the engine creates the parent directory.
        return f"sqlite:///{tmp_path / 'data' / 'bot.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def empty_url(server_url: str) -> str:
    """The URL of an empty database (no tables at all)."""
    if is_postgres(server_url):
        await _admin(server_url, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public")
    return server_url


@pytest.fixture
async def database_url(empty_url: str) -> str:
    """The URL of a database migrated to the newest revision."""
    await upgrade(empty_url)
    return empty_url


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[Storage]:
    async with Storage.open(database_url) as opened:
        yield opened


@pytest.fixture
async def reader(storage: Storage) -> Reader:
    return await storage.readers.create(Address(Platform.TELEGRAM, 1001), "ru")


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"
