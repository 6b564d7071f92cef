"""``python -m bot calendar FILE.csv``: load a calendar of memorable dates."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.settings import Settings
from handlers.publishing.calendar import CsvLoad, load_csv
from storage.database import Storage
from storage.migrate import upgrade
from storage.types import Clock, utcnow


async def load_calendar(settings: Settings, path: Path, clock: Clock = utcnow) -> CsvLoad:
    url = settings.database_url.get_secret_value()
    await upgrade(url)
    data = await asyncio.to_thread(path.read_bytes)
    async with Storage.open(url, clock) as storage:
        return await load_csv(
            data,
            storage.calendar,
            now=clock(),
            timezone=settings.library_timezone,
            post_time=settings.calendar_post_time,
            created_by="cli",
        )


def summary(result: CsvLoad) -> str:
    lines = [f"added {result.added}, already there {result.repeated}"]
    lines += [f"line {line}: bad {field}" for line, field in result.rejected]
    return "\n".join(lines)
