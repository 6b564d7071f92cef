"""A process killed part-way through its database work, for crash tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


class Killed(Exception):
    """The process died just before a statement."""


@contextmanager
def killed_before(engine: AsyncEngine, fragment: str) -> Iterator[list[str]]:
    """Fail the first statement whose SQL or parameters contain ``fragment`` before it runs,
    after the statements before it did, as a process dying there would stop it; yields the
    statements attempted (SQL, then parameters)."""
    ran: list[str] = []

    def before_execute(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any
    ) -> None:
        first = not any(fragment in earlier for earlier in ran)
        ran.append(f"{statement} {parameters!r}")
        if first and fragment in ran[-1]:
            raise Killed(statement)

    sync_engine = engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", before_execute)
    try:
        yield ran
    finally:
        event.remove(sync_engine, "before_cursor_execute", before_execute)
