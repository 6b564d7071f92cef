"""Poll cursors: how far each update feed has been processed, kept across restarts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.dialect import upsert
from storage.schema import poll_cursors
from storage.types import Clock, utcnow


class PollCursorRepository:
    """Named cursors, one value each (for example ``vk:4242:longpoll`` → the last ``ts``
    whose updates were all handled)."""

    def __init__(self, engine: AsyncEngine, clock: Clock = utcnow) -> None:
        self._engine = engine
        self._clock = clock

    async def load(self, name: str) -> str | None:
        """The stored value, or None if the cursor was never saved."""
        query = select(poll_cursors.c.value).where(poll_cursors.c.name == name)
        async with self._engine.connect() as conn:
            return (await conn.execute(query)).scalar_one_or_none()

    async def save(self, name: str, value: str) -> None:
        """Store ``value``, replacing the previous one."""
        values = {"name": name, "value": value, "updated_at": self._clock()}
        async with self._engine.begin() as conn:
            await conn.execute(upsert(conn.dialect, poll_cursors, values, ("name",)))
