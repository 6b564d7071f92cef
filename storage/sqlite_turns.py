"""A reader turn's two round trips on SQLite, each one hand-off to aiosqlite's thread with
no SQLAlchemy execution around it (see ``storage.sqlite_statements``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Insert, Select, TextClause
from sqlalchemy.engine import Dialect

from storage.sqlite_lanes import Calls
from storage.sqlite_statements import fetch_one, prepare, write_all


class SqliteTurns:
    """The turn's read, state upsert and log insert, compiled once for ``dialect``; the read
    runs on ``reads``, the writes on ``writes``."""

    def __init__(
        self,
        dialect: Dialect,
        load: Select[Any],
        save_state: TextClause,
        log: Insert,
        log_columns: Sequence[str],
        *,
        reads: Calls,
        writes: Calls,
    ) -> None:
        self._reads = reads
        self._writes = writes
        self._load = prepare(load, dialect)
        self._save_state = prepare(save_state, dialect)
        self._log = prepare(log, dialect, log_columns)

    async def load(self, parameters: Mapping[str, Any]) -> dict[str, Any] | None:
        """The read's first row, by column name, as SQLAlchemy would give it."""
        load = self._load
        raw = await self._reads.run(fetch_one, load.sql, load.parameters(parameters))
        return None if raw is None else load.row(raw)

    async def store(
        self,
        state: Mapping[str, Any] | None,
        log: Sequence[Mapping[str, Any]],
    ) -> None:
        """The state's upsert and the log's rows, in one transaction."""
        # Converted here, before the hand-off: a value that cannot be stored fails the turn
        # before anything is written.
        steps = []
        if state is not None:
            steps.append((self._save_state.sql, [self._save_state.parameters(state)]))
        if log:
            steps.append((self._log.sql, [self._log.parameters(entry) for entry in log]))
        await self._writes.run(write_all, steps)
