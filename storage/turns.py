"""One reader turn's round trips: what it reads when it starts and what it writes when it ends."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.connectable import single_reads
from storage.dialect import reusable_upsert
from storage.models import Address, DialogState, Reader, TurnRecord
from storage.readers import reader_from_values
from storage.schema import dialog_states, messages, readers
from storage.sqlite_lanes import Calls, PooledCalls
from storage.sqlite_turns import SqliteTurns
from storage.types import Clock, utcnow
from storage.write_queue import WriteQueue

_SAVE_STATE = reusable_upsert(
    dialog_states,
    ("reader_id", "flow", "step", "data", "offered", "updated_at"),
    conflict_on=("reader_id",),
)

_LOAD = (
    select(
        readers,
        dialog_states.c.flow.label("dialog_flow"),
        dialog_states.c.step.label("dialog_step"),
        dialog_states.c.data.label("dialog_data"),
        dialog_states.c.offered.label("dialog_offered"),
    )
    .select_from(readers.outerjoin(dialog_states, dialog_states.c.reader_id == readers.c.id))
    .where(
        and_(
            readers.c.platform == bindparam("platform"),
            readers.c.peer_id == bindparam("peer_id"),
        )
    )
)

_LOG = insert(messages)
_LOG_COLUMNS = ("reader_id", "direction", "platform", "text", "attachments", "created_at")


def _state(values: Mapping[Any, Any]) -> DialogState:
    if values["dialog_data"] is None:
        return DialogState()
    return DialogState(
        flow=values["dialog_flow"],
        step=values["dialog_step"],
        data=dict(values["dialog_data"]),
        offered=list(values["dialog_offered"]),
    )


class TurnRepository:
    """Satisfies ``handlers.core.ports.Turns``: a turn's reads in one statement and its
    writes in one transaction, with statements built once and reused (SQLAlchemy caches
    their compiled form). Its writes wait in ``queue`` (see :class:`WriteQueue`).

    On SQLite each of the two runs as one call on the database's thread, without
    SQLAlchemy's per-statement execution (see :class:`SqliteTurns`).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock = utcnow,
        queue: WriteQueue | None = None,
        *,
        reads: Calls | None = None,
        writes: Calls | None = None,
    ) -> None:
        """``reads`` and ``writes``: where the SQLite turn's read and its writes run (each
        call on a connection of its own from the pool by default; see
        ``storage.sqlite_lanes``)."""
        self._engine = engine
        self._reads = single_reads(engine)
        self._clock = clock
        self._queue = queue or WriteQueue(engine.dialect)
        self._sqlite = (
            SqliteTurns(
                engine.dialect,
                _LOAD,
                _SAVE_STATE,
                _LOG,
                _LOG_COLUMNS,
                reads=reads or PooledCalls(engine),
                writes=writes or PooledCalls(engine),
            )
            if engine.dialect.name == "sqlite"
            else None
        )

    async def load(self, address: Address) -> tuple[Reader | None, DialogState]:
        """The reader at ``address`` (None if new) and their dialog state, in one query."""
        parameters = {"platform": str(address.platform), "peer_id": address.peer_id}
        values: Mapping[Any, Any] | None
        if self._sqlite is not None:
            values = await self._sqlite.load(parameters)
        else:
            async with self._reads.connect() as conn:
                row = (await conn.execute(_LOAD, parameters)).first()
            values = None if row is None else row._mapping
        if values is None:
            return None, DialogState()
        return reader_from_values(values), _state(values)

    async def store(self, record: TurnRecord) -> None:
        """Write what the turn leaves behind, all in one transaction."""
        if record.state is None and not record.log:
            return
        now = self._clock()
        state: dict[str, Any] | None = None
        if record.state is not None:
            state = {
                "reader_id": record.reader_id,
                "flow": record.state.flow,
                "step": record.state.step,
                "data": record.state.data,
                "offered": list(record.state.offered),
                "updated_at": now,
            }
        log = [
            {
                "reader_id": record.reader_id,
                "direction": str(entry.direction),
                "platform": str(record.platform),
                "text": entry.text,
                "attachments": [dict(a) for a in entry.attachments],
                "created_at": now,
            }
            for entry in record.log
        ]
        async with self._queue.turn():
            if self._sqlite is not None:
                await self._sqlite.store(state, log)
                return
            async with self._engine.begin() as conn:
                if state is not None:
                    await conn.execute(_SAVE_STATE, state)
                if log:
                    await conn.execute(_LOG, log)
