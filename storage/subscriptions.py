"""Readers' subject subscriptions to new arrivals, and who is due a personal digest."""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.connectable import Connectable
from storage.dialect import insert_or_ignore, upsert
from storage.models import Address, ConsentState, Platform
from storage.schema import arrival_digest_plans, arrival_subscriptions, readers
from storage.types import Clock, utcnow


class Frequency(enum.StrEnum):
    """How often a subscriber hears about new arrivals of their subjects."""

    INSTANT = "instant"
    """One message after each import that brings matching arrivals."""
    WEEKLY = "weekly"
    """One message a week with the week's matches."""


DEFAULT_FREQUENCY = Frequency.INSTANT


@dataclass(frozen=True, slots=True)
class Subscription:
    """One reader's subjects (in the order they chose them) and how often they hear."""

    subjects: tuple[str, ...]
    frequency: Frequency


@dataclass(frozen=True, slots=True)
class Subscriber:
    """A reader who gets digests: where they are, their language and subjects."""

    reader_id: int
    address: Address
    language: str
    subjects: frozenset[str]


class SubscriptionRepository:
    """Subscriptions in SQL; satisfies ``handlers.arrivals.ports.Subscriptions``."""

    def __init__(self, engine: Connectable, clock: Clock = utcnow) -> None:
        self._engine = engine
        self._clock = clock

    async def get(self, reader_id: int) -> Subscription:
        async with self._engine.connect() as conn:
            return await _subscription(conn, reader_id)

    async def toggle(self, reader_id: int, subject: str) -> Subscription:
        """Subscribe to ``subject``, or unsubscribe if already subscribed."""
        table = arrival_subscriptions
        mine = (table.c.reader_id == reader_id) & (table.c.subject == subject)
        async with self._engine.begin() as conn:
            removed = await conn.execute(delete(table).where(mine))
            if not removed.rowcount:
                values = {"reader_id": reader_id, "subject": subject, "created_at": self._clock()}
                await conn.execute(
                    insert_or_ignore(conn.dialect, table, values, ("reader_id", "subject"))
                )
                await self._ensure_plan(conn, reader_id)
            return await _subscription(conn, reader_id)

    async def unsubscribe_all(self, reader_id: int) -> None:
        async with self._engine.begin() as conn:
            await erase_subscriptions(conn, reader_id)

    async def set_frequency(self, reader_id: int, frequency: Frequency) -> Subscription:
        values = {"reader_id": reader_id, "frequency": str(frequency), "updated_at": self._clock()}
        async with self._engine.begin() as conn:
            await conn.execute(upsert(conn.dialect, arrival_digest_plans, values, ("reader_id",)))
            return await _subscription(conn, reader_id)

    async def subscribers(
        self, frequency: Frequency, subjects: Collection[str] | None = None
    ) -> list[Subscriber]:
        """Readers who chose ``frequency``, still consent and can be reached, with at least
        one of ``subjects`` (any subject when None), in reader order."""
        subs, plans = arrival_subscriptions, arrival_digest_plans
        statement = (
            select(
                readers.c.id,
                readers.c.platform,
                readers.c.peer_id,
                readers.c.language,
                subs.c.subject,
            )
            .join(subs, subs.c.reader_id == readers.c.id)
            .join(plans, plans.c.reader_id == readers.c.id)
            .where(
                plans.c.frequency == str(frequency),
                readers.c.consent == str(ConsentState.GIVEN),
                readers.c.reachable.is_(True),
            )
            .order_by(readers.c.id)
        )
        if subjects is not None:
            statement = statement.where(subs.c.subject.in_(list(subjects)))
        found: dict[int, Subscriber] = {}
        async with self._engine.connect() as conn:
            for row in await conn.execute(statement):
                known = found.get(row.id)
                chosen = known.subjects if known else frozenset()
                found[row.id] = Subscriber(
                    reader_id=row.id,
                    address=Address(Platform(row.platform), row.peer_id),
                    language=row.language,
                    subjects=chosen | {row.subject},
                )
        return list(found.values())

    async def _ensure_plan(self, conn: AsyncConnection, reader_id: int) -> None:
        values = {
            "reader_id": reader_id,
            "frequency": str(DEFAULT_FREQUENCY),
            "updated_at": self._clock(),
        }
        await conn.execute(
            insert_or_ignore(conn.dialect, arrival_digest_plans, values, ("reader_id",))
        )


async def _subscription(conn: AsyncConnection, reader_id: int) -> Subscription:
    subs = arrival_subscriptions
    subjects = (
        await conn.execute(
            select(subs.c.subject)
            .where(subs.c.reader_id == reader_id)
            .order_by(subs.c.created_at, subs.c.subject)
        )
    ).scalars()
    frequency = (
        await conn.execute(
            select(arrival_digest_plans.c.frequency).where(
                arrival_digest_plans.c.reader_id == reader_id
            )
        )
    ).scalar_one_or_none()
    return Subscription(tuple(subjects), Frequency(frequency or DEFAULT_FREQUENCY))


async def erase_subscriptions(conn: AsyncConnection, reader_id: int) -> None:
    """Delete the reader's subjects and digest frequency (in the caller's transaction)."""
    await conn.execute(
        delete(arrival_subscriptions).where(arrival_subscriptions.c.reader_id == reader_id)
    )
    await conn.execute(
        delete(arrival_digest_plans).where(arrival_digest_plans.c.reader_id == reader_id)
    )
