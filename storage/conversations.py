"""Conversations: every message a reader sent or received, so any staff member can follow up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import Direction, Platform, StoredMessage
from storage.schema import messages, readers
from storage.types import Clock, utcnow


def _message(row: Row[tuple[object, ...]]) -> StoredMessage:
    values = row._mapping
    return StoredMessage(
        id=values["id"],
        reader_id=values["reader_id"],
        direction=Direction(values["direction"]),
        platform=Platform(values["platform"]),
        text=values["text"],
        attachments=list(values["attachments"]),
        created_at=values["created_at"],
    )


class ConversationRepository:
    """Stored messages; satisfies ``handlers.core.ports.Conversations``."""

    def __init__(self, engine: AsyncEngine, clock: Clock = utcnow) -> None:
        self._engine = engine
        self._clock = clock

    async def record(
        self,
        reader_id: int,
        direction: Direction,
        text: str | None,
        attachments: Sequence[dict[str, Any]] = (),
        at: datetime | None = None,
    ) -> StoredMessage:
        """Store one message on the reader's platform; ``at`` defaults to now."""
        platform = select(readers.c.platform).where(readers.c.id == reader_id).scalar_subquery()
        statement = (
            insert(messages)
            .values(
                reader_id=reader_id,
                direction=str(direction),
                platform=platform,
                text=text,
                attachments=[dict(attachment) for attachment in attachments],
                created_at=at or self._clock(),
            )
            .returning(*messages.c)
        )
        async with self._engine.begin() as conn:
            row = (await conn.execute(statement)).one()
        return _message(row)

    async def history(self, reader_id: int, limit: int = 100) -> list[StoredMessage]:
        """Oldest first, the last ``limit`` messages."""
        query = (
            select(messages)
            .where(messages.c.reader_id == reader_id)
            .order_by(messages.c.id.desc())
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_message(row) for row in reversed(rows)]

    async def erase(self, reader_id: int) -> int:
        """Delete the reader's stored messages; returns how many."""
        return await self._delete(messages.c.reader_id == reader_id)

    async def erase_older_than(self, cutoff: datetime) -> int:
        """Delete every reader's messages stored before ``cutoff`` (retention); returns how many."""
        return await self._delete(messages.c.created_at < cutoff)

    async def _delete(self, condition: Any) -> int:
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(messages).where(condition))
        return result.rowcount
