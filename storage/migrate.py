"""Apply the Alembic migrations shipped inside this package, from code or the command line.

``python -m storage.migrate URL`` upgrades the database at URL to the newest revision.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.database import create_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK_KEY = 0x6C6962_4D494752
"""PostgreSQL advisory lock held while migrating ("lib" + "MIGR"), so that several processes
starting at once take turns instead of racing to create the same tables."""


def alembic_config(url: str) -> Config:
    """An Alembic config for the packaged migrations, independent of the working directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser would read "%" (common in escaped passwords) as interpolation.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision`` (the newest by default)."""
    await _run(url, command.upgrade, revision)


async def downgrade(url: str, revision: str) -> None:
    """Take the database at ``url`` down to ``revision`` (``"base"`` drops everything)."""
    await _run(url, command.downgrade, revision)


async def _run(url: str, step: Callable[[Config, str], None], revision: str) -> None:
    config = alembic_config(url)

    def run(connection: Connection) -> None:
        # Alembic is synchronous; env.py runs on this connection inside the greenlet that
        # run_sync provides, so the async driver keeps working underneath.
        config.attributes["connection"] = connection
        step(config, revision)

    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Released at commit; the next process then finds the schema up to date.
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
            await connection.run_sync(run)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point: ``python -m storage.migrate URL [REVISION]``."""
    args = sys.argv[1:] if argv is None else argv
    if not 1 <= len(args) <= 2:
        raise SystemExit("usage: python -m storage.migrate DATABASE_URL [REVISION]")
    asyncio.run(upgrade(*args))


if __name__ == "__main__":
    main()
