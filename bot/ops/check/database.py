"""The database answers and carries the newest migration."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.ops.check.checklist import Item, fail, ok
from storage.database import create_engine
from storage.migrate import alembic_config

NAME = "Database"


async def check_database(url: str) -> list[Item]:
    shown = make_url(url).render_as_string(hide_password=True)
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            current = await connection.run_sync(_current_revisions)
    except (SQLAlchemyError, OSError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        return [
            fail(
                NAME,
                f"cannot connect to {shown} ({type(error).__name__}: {reason})",
                "check DATABASE_URL (host, port, database name, user and password) and that "
                "the database server is running and reachable from this machine",
            )
        ]
    finally:
        await engine.dispose()
    reachable = ok(f"{NAME} reachable", shown)
    if current == {head}:
        return [reachable, ok(f"{NAME} migrated", f"at revision {head}")]
    found = ", ".join(sorted(current)) or "no revision (an empty database)"
    return [
        reachable,
        fail(
            f"{NAME} migrated",
            f"at {found}, the newest is {head}",
            "run `python -m bot migrate` (the bot also migrates when it starts); back up the "
            "database first",
        ),
    ]


def _current_revisions(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())
