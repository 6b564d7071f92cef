"""An arrivals store on a real SQLite file, migrated, with a clock the tests move."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.arrivals.importer import ArrivalImporter
from handlers.arrivals.subjects import SubjectMap
from storage.database import Storage
from storage.migrate import upgrade

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'arrivals.sqlite3'}"


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[Storage]:
    await upgrade(database_url)
    async with Storage.open(database_url, Clock()) as opened:
        yield opened


@pytest.fixture
def importer(storage: Storage) -> ArrivalImporter:
    return ArrivalImporter(storage.arrivals, SubjectMap())
