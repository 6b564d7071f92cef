"""``python -m bot backup PATH`` copies the SQLite database, consistently, while it is used."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.ops.backup import BackupError, backup
from storage.database import Storage
from storage.migrate import upgrade
from storage.models import Address, Platform
from tests.ops.conftest import Clock, head_revision
from tests.support.processes import bot_command


async def test_a_backup_taken_while_rows_are_written_is_a_consistent_database(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    await upgrade(url)
    async with Storage.open(url, Clock()) as storage:
        for n in range(200):
            await storage.outbox.enqueue(f"k{n}", Address(Platform.TELEGRAM, n), {"text": "x"})

        async def keep_writing() -> None:
            for n in range(200, 400):
                await storage.outbox.enqueue(f"k{n}", Address(Platform.TELEGRAM, n), {"text": "x"})

        target = tmp_path / "copy.sqlite3"
        writer = asyncio.create_task(keep_writing())
        await backup(url, target)
        await writer

    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        (count,) = copy.execute("SELECT count(*) FROM outbox").fetchone()
        (version,) = copy.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        copy.close()
    assert 200 <= count <= 400
    assert version == head_revision()


async def test_backup_refuses_postgres_and_an_existing_file(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="pg_dump"):
        await backup("postgresql+asyncpg://bot@db/bot", tmp_path / "x")
    existing = tmp_path / "there.sqlite3"
    existing.write_bytes(b"")
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    await upgrade(url)
    with pytest.raises(BackupError, match="already exists"):
        await backup(url, existing)


async def test_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    await upgrade(url)
    target = tmp_path / "nightly.sqlite3"
    process = await asyncio.create_subprocess_exec(
        *bot_command("backup", str(target)),
        env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        stdout=asyncio.subprocess.PIPE,
    )
    stdout, _ = await process.communicate()
    assert process.returncode == 0
    assert b"backed up to" in stdout and target.is_file()
