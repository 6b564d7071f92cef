"""An arrivals store on a real SQLite file, migrated, with a clock the tests move."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.arrivals.importer import ArrivalImporter
from handlers.arrivals.subjects import SubjectMap
from storage.database import Storage
from storage.migrate import upgrade
from tests.support.clock import MONDAY, SettableClock

START = MONDAY


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'arrivals.sqlite3'}"


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[Storage]:
    await upgrade(database_url)
    async with Storage.open(database_url, SettableClock()) as opened:
        yield opened


@pytest.fixture
def importer(storage: Storage) -> ArrivalImporter:
    return ArrivalImporter(storage.arrivals, SubjectMap())
