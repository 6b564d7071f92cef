"""The migrations build exactly the schema that the repositories are written against."""

from __future__ import annotations

import asyncio
from argparse import Namespace
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

import storage
from storage.database import create_engine
from storage.migrate import downgrade, upgrade
from storage.schema import include_name, metadata


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": include_name}
    )
    return list(compare_metadata(context, metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_upgrade_builds_the_declared_schema(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_differences) == []
            version = (
                await conn.execute(text("SELECT version_num FROM alembic_version"))
            ).scalars()
            versions = list(version)
    finally:
        await engine.dispose()
    assert versions == ["0013"]


async def test_upgrade_is_repeatable_and_downgrade_drops_everything(empty_url: str) -> None:
    await upgrade(empty_url)
    await upgrade(empty_url)
    await downgrade(empty_url, "base")
    engine = create_engine(empty_url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) == {"alembic_version"}
    finally:
        await engine.dispose()
    await upgrade(empty_url)


async def test_the_alembic_command_line_configuration_works(empty_url: str) -> None:
    config = Config(str(Path(storage.__file__).parent / "alembic.ini"))
    config.attributes["configure_logger"] = False
    config.cmd_opts = Namespace(x=[f"url={empty_url}"])

    # The command line runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(command.upgrade, config, "head")

    engine = create_engine(empty_url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_differences) == []
    finally:
        await engine.dispose()
