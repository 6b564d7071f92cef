"""``python -m bot import-arrivals FILE...``: each file imported in turn, its summary
printed in the library's default language."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from bot.arrivals.importer import ArrivalImporter
from bot.arrivals.subject_settings import load_subjects
from bot.settings import Settings
from handlers.arrivals.summary import summary_text
from handlers.core.i18n import Catalog
from storage.database import Storage
from storage.migrate import upgrade
from storage.types import Clock, utcnow


async def import_files(
    settings: Settings,
    paths: list[str],
    echo: Callable[[str], object],
    clock: Clock = utcnow,
) -> bool:
    """Import ``paths`` into the configured database; True when at least one record of one
    file could be read (then the command succeeds, rejected records or not)."""
    url = settings.database_url.get_secret_value()
    await upgrade(url)
    t = Catalog(default=settings.default_language).translator(settings.default_language)
    storage = Storage.open(url, clock)
    read_any = False
    try:
        importer = ArrivalImporter(storage.arrivals, load_subjects(settings.arrivals_subjects_file))
        for path in paths:
            file = Path(path)
            try:
                data = await asyncio.to_thread(file.read_bytes)
            except OSError as error:
                echo(t("arrivals-import-unopened", source=path, reason=error.strerror or ""))
                continue
            summary = await importer.import_bytes(data, file.name)
            read_any = read_any or not summary.read_nothing
            echo(summary_text(t, summary))
    finally:
        await storage.close()
    return read_any
