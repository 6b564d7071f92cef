"""One reader turn's round trips: what it reads when it starts and what it writes when it ends."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, and_, bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.connectable import single_reads
from storage.dialect import reusable_upsert
from storage.models import Address, DialogState, Reader, TurnRecord
from storage.readers import reader_from_row
from storage.schema import dialog_states, messages, readers
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


def _state(row: Row[tuple[object, ...]]) -> DialogState:
    values = row._mapping
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
    """

    def __init__(
        self, engine: AsyncEngine, clock: Clock = utcnow, queue: WriteQueue | None = None
    ) -> None:
        self._engine = engine
        self._reads = single_reads(engine)
        self._clock = clock
        self._queue = queue or WriteQueue(engine.dialect)

    async def load(self, address: Address) -> tuple[Reader | None, DialogState]:
        """The reader at ``address`` (None if new) and their dialog state, in one query."""
        parameters = {"platform": str(address.platform), "peer_id": address.peer_id}
        async with self._reads.connect() as conn:
            row = (await conn.execute(_LOAD, parameters)).first()
        if row is None:
            return None, DialogState()
        return reader_from_row(row), _state(row)

    async def store(self, record: TurnRecord) -> None:
        """Write what the turn leaves behind, all in one transaction."""
        if record.state is None and not record.log:
            return
        now = self._clock()
        async with self._queue.turn(), self._engine.begin() as conn:
            if record.state is not None:
                state = record.state
                values: dict[str, Any] = {
                    "reader_id": record.reader_id,
                    "flow": state.flow,
                    "step": state.step,
                    "data": state.data,
                    "offered": list(state.offered),
                    "updated_at": now,
                }
                await conn.execute(_SAVE_STATE, values)
            if record.log:
                await conn.execute(
                    _LOG,
                    [
                        {
                            "reader_id": record.reader_id,
                            "direction": str(entry.direction),
                            "platform": str(record.platform),
                            "text": entry.text,
                            "attachments": [dict(a) for a in entry.attachments],
                            "created_at": now,
                        }
                        for entry in record.log
                    ],
                )
