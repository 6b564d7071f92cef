"""Library cards readers linked: the number only, never a PIN, and the reminders preference."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.dialect import upsert
from storage.models import LibraryCard
from storage.schema import library_cards
from storage.types import Clock, utcnow


def _card(row: Row[Any]) -> LibraryCard:
    values = row._mapping
    return LibraryCard(
        reader_id=values["reader_id"],
        number=values["card_number"],
        linked_at=values["linked_at"],
        reminder_days=values["reminder_days"],
    )


class LibraryCardRepository:
    """One card per reader, stored in SQL; satisfies ``handlers.loans.ports.LibraryCards``."""

    def __init__(self, engine: AsyncEngine, clock: Clock = utcnow) -> None:
        self._engine = engine
        self._clock = clock

    async def get(self, reader_id: int) -> LibraryCard | None:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(
                    select(library_cards).where(library_cards.c.reader_id == reader_id)
                )
            ).first()
        return _card(row) if row else None

    async def link(self, reader_id: int, number: str, reminder_days: int | None) -> LibraryCard:
        """Link ``number`` to the reader, replacing a card linked before (and its
        reminders preference)."""
        now = self._clock()
        values = {
            "reader_id": reader_id,
            "card_number": number,
            "linked_at": now,
            "reminder_days": reminder_days,
            "updated_at": now,
        }
        async with self._engine.begin() as conn:
            await conn.execute(upsert(conn.dialect, library_cards, values, ("reader_id",)))
        return LibraryCard(reader_id, number, now, reminder_days)

    async def unlink(self, reader_id: int) -> bool:
        """Forget the reader's card; False when none was linked."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                delete(library_cards).where(library_cards.c.reader_id == reader_id)
            )
        return result.rowcount > 0

    async def set_reminder_days(self, reader_id: int, days: int | None) -> bool:
        """Change the reminders preference (None turns reminders off); False without a card."""
        statement = (
            update(library_cards)
            .where(library_cards.c.reader_id == reader_id)
            .values(reminder_days=days, updated_at=self._clock())
        )
        async with self._engine.begin() as conn:
            result = await conn.execute(statement)
        return result.rowcount > 0

    async def touch(self, reader_id: int) -> None:
        """Note that the card is in use (retention erases cards left unused), so that a
        reader who keeps using it keeps it linked."""
        statement = (
            update(library_cards)
            .where(library_cards.c.reader_id == reader_id)
            .values(updated_at=self._clock())
        )
        async with self._engine.begin() as conn:
            await conn.execute(statement)

    async def with_reminders(self) -> list[LibraryCard]:
        """Every card whose reader has not turned reminders off, by reader id."""
        query = (
            select(library_cards)
            .where(library_cards.c.reminder_days.is_not(None))
            .order_by(library_cards.c.reader_id)
        )
        async with self._engine.connect() as conn:
            return [_card(row) for row in await conn.execute(query)]
