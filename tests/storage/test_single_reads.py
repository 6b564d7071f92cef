"""Connections for a single read: autocommit on PostgreSQL, left as they are elsewhere."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.connectable import BoundConnection, single_reads
from storage.database import create_engine


async def test_postgres_reads_run_in_autocommit_without_changing_the_engine() -> None:
    engine = create_engine("postgresql+asyncpg://u@127.0.0.1:1/none")
    try:
        reads = single_reads(engine)

        assert isinstance(reads, AsyncEngine)
        assert reads.get_execution_options()["isolation_level"] == "AUTOCOMMIT"
        assert "isolation_level" not in engine.get_execution_options()
    finally:
        await engine.dispose()


async def test_sqlite_engines_and_open_transactions_are_left_as_they_are(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    try:
        assert single_reads(engine) is engine
        async with engine.begin() as conn:
            bound = BoundConnection(conn)
            assert single_reads(bound) is bound
    finally:
        await engine.dispose()
