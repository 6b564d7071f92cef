"""Engines: URL mapping to the async drivers and the SQLite connection settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from storage.database import SQLITE_BUSY_TIMEOUT_MS, Storage, async_url, create_engine
from storage.migrate import upgrade
from storage.models import Address, Platform
from storage.schema import metadata


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///data/bot.db", "sqlite+aiosqlite:///data/bot.db"),
        ("sqlite+aiosqlite:////var/lib/bot.db", "sqlite+aiosqlite:////var/lib/bot.db"),
        ("postgresql://u:p@db:5432/bot", "postgresql+asyncpg://u:p@db:5432/bot"),
        ("postgres://u@db/bot", "postgresql+asyncpg://u@db/bot"),
        ("postgresql+asyncpg://u@db/bot", "postgresql+asyncpg://u@db/bot"),
    ],
)
def test_urls_map_to_async_drivers(given: str, expected: str) -> None:
    assert async_url(given).render_as_string(hide_password=False) == expected


@pytest.mark.parametrize("url", ["mysql://u@db/bot", "postgresql+psycopg2://u@db/bot"])
def test_other_drivers_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="unsupported database URL"):
        async_url(url)


async def test_sqlite_connections_are_configured(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "bot.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    try:
        async with engine.connect() as conn:
            journal = (await conn.execute(text("PRAGMA journal_mode"))).scalar_one()
            foreign_keys = (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one()
            busy = (await conn.execute(text("PRAGMA busy_timeout"))).scalar_one()
            secure = (await conn.execute(text("PRAGMA secure_delete"))).scalar_one()
    finally:
        await engine.dispose()

    assert path.exists()
    assert (journal, foreign_keys, busy, secure) == ("wal", 1, SQLITE_BUSY_TIMEOUT_MS, 1)


async def test_in_memory_sqlite_keeps_one_database() -> None:
    url = "sqlite+aiosqlite:///:memory:"
    async with Storage.open(url) as storage:
        async with storage.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        reader = await storage.readers.create(Address(Platform.VK, 1), "ru")
        assert await storage.readers.get_by_id(reader.id) == reader


async def test_migrations_run_from_any_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"

    await upgrade(url)

    async with Storage.open(url) as storage:
        assert await storage.readers.get(Address(Platform.TELEGRAM, 1)) is None
