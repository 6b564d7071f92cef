"""``python -m bot backup PATH``: a consistent copy of the SQLite database while the bot runs,
through SQLite's online backup API. PostgreSQL has ``pg_dump`` for that (see the README)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from storage.database import async_url

PAGES_PER_STEP = 1024
"""Copied between two short pauses, so that the running bot's writes are not held up."""


class BackupError(Exception):
    """The backup cannot be made; the message says why and what to do."""


def sqlite_path(database_url: str) -> Path:
    url = async_url(make_url(database_url))
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            "DATABASE_URL is PostgreSQL: back it up with pg_dump, e.g. "
            "pg_dump --format=custom --file=bot.dump postgresql://USER@HOST/DATABASE"
        )
    if url.database in (None, "", ":memory:"):
        raise BackupError("DATABASE_URL is an in-memory database: there is nothing to back up")
    return Path(str(url.database))


async def backup(database_url: str, target: Path) -> int:
    """Copy the database to ``target`` (which must not exist yet); returns its size in bytes."""
    return await asyncio.to_thread(_copy, sqlite_path(database_url), target)


def _copy(source: Path, target: Path) -> int:
    if not source.is_file():
        raise BackupError(f"{source} does not exist: check DATABASE_URL")
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new file name")
    # Opened read-only, so a backup never changes the live database.
    live = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(target)
        try:
            live.backup(copy, pages=PAGES_PER_STEP, sleep=0.005)
        finally:
            copy.close()
    finally:
        live.close()
    return target.stat().st_size
