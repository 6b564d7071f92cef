"""Dialog state: where each reader is in a multi-step flow, shared by every process."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.dialect import upsert
from storage.models import DialogState
from storage.schema import dialog_states
from storage.types import Clock, utcnow


class DialogRepository:
    """Stored dialog states; satisfies ``handlers.core.ports.Dialogs``."""

    def __init__(self, engine: AsyncEngine, clock: Clock = utcnow) -> None:
        self._engine = engine
        self._clock = clock

    async def load(self, reader_id: int) -> DialogState:
        """The reader's stored state, or an empty one if none is stored."""
        query = select(dialog_states).where(dialog_states.c.reader_id == reader_id)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return DialogState()
        values = row._mapping
        return DialogState(
            flow=values["flow"],
            step=values["step"],
            data=dict(values["data"]),
            offered=list(values["offered"]),
        )

    async def save(self, reader_id: int, state: DialogState) -> None:
        """Store ``state``, replacing whatever was stored for the reader."""
        values = {
            "reader_id": reader_id,
            "flow": state.flow,
            "step": state.step,
            "data": state.data,
            "offered": list(state.offered),
            "updated_at": self._clock(),
        }
        async with self._engine.begin() as conn:
            await conn.execute(upsert(conn.dialect, dialog_states, values, ("reader_id",)))

    async def clear(self, reader_id: int) -> None:
        """Forget the reader's state; the next :meth:`load` returns an empty one."""
        async with self._engine.begin() as conn:
            await conn.execute(delete(dialog_states).where(dialog_states.c.reader_id == reader_id))
