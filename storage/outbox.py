"""The durable outbox: messages whose loss matters wait here until a sender delivers them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Update,
    and_,
    case,
    delete,
    func,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.connectable import Connectable
from storage.dialect import insert_or_ignore
from storage.models import Address, NewRow, OutboxItem, OutboxStatus, Platform
from storage.schema import outbox
from storage.types import Clock, utcnow

PENDING = str(OutboxStatus.PENDING)
SENDING = str(OutboxStatus.SENDING)
SENT = str(OutboxStatus.SENT)
UNDELIVERED = (PENDING, SENDING)
SUPERSEDED = "superseded by a newer state"

_DUE_AT = case((outbox.c.status == SENDING, outbox.c.locked_until), else_=outbox.c.next_attempt_at)
"""When a row became due: a pending row at its next attempt, a row whose lease ran out at
the end of that lease. Ordering by it gives a row abandoned by a crashed or stalled sender a
fresh place in the queue, instead of putting it ahead of everything again."""


def _item(row: Row[tuple[object, ...]]) -> OutboxItem:
    values = row._mapping
    return OutboxItem(
        id=values["id"],
        key=values["idempotency_key"],
        address=Address(Platform(values["platform"]), values["peer_id"]),
        payload=dict(values["payload"]),
        status=OutboxStatus(values["status"]),
        attempts=values["attempts"],
        next_attempt_at=values["next_attempt_at"],
        created_at=values["created_at"],
        reader_id=values["reader_id"],
        last_error=values["last_error"],
        sent_at=values["sent_at"],
    )


class OutboxRepository:
    """Outbox rows; satisfies ``handlers.core.ports.Outbox``.

    A row goes pending → sending (claimed, with a lease) → sent, or back to pending
    (rescheduled), or to failed; undelivered rows can be cancelled. A sender that dies while
    holding a lease loses it when the lease expires, and the row is claimed again.
    """

    def __init__(self, engine: Connectable, clock: Clock = utcnow) -> None:
        self._engine = engine
        self._clock = clock

    async def enqueue(
        self,
        key: str,
        address: Address,
        payload: dict[str, Any],
        reader_id: int | None = None,
        not_before: datetime | None = None,
        ticket_id: int | None = None,
    ) -> bool:
        """Add a row due at ``not_before`` (default now); returns False, changing nothing,
        if ``key`` is already there. Concurrent calls with one key add one row.

        ``reader_id`` is the reader whose data the row carries and ``ticket_id`` the ticket
        it belongs to: erasing either deletes the row."""
        now = self._clock()
        values = _new_row(key, address, payload, reader_id, not_before or now, now) | {
            "ticket_id": ticket_id
        }
        statement = insert_or_ignore(
            self._engine.dialect, outbox, values, ("idempotency_key",)
        ).returning(outbox.c.id)
        async with self._engine.begin() as conn:
            inserted = (await conn.execute(statement)).first()
        return inserted is not None

    async def enqueue_many(self, rows: Sequence[NewRow]) -> int:
        """Add many rows due now in one transaction, as :meth:`enqueue` adds one (a key
        already there is skipped); returns how many were added. For fan-outs: ten thousand
        single-row transactions would cost far more than the sending."""
        now = self._clock()
        added = 0
        async with self._engine.begin() as conn:
            for row in rows:
                values = _new_row(row.key, row.address, row.payload, row.reader_id, now, now)
                statement = insert_or_ignore(
                    self._engine.dialect, outbox, values, ("idempotency_key",)
                ).returning(outbox.c.id)
                if (await conn.execute(statement)).first() is not None:
                    added += 1
        return added

    async def enqueue_latest(
        self,
        key: str,
        address: Address,
        payload: dict[str, Any],
        coalesce: str,
        ticket_id: int | None = None,
    ) -> bool:
        """Queue the latest state of one thing (a staff-chat card), named by ``coalesce``.

        A state still pending in the same group is replaced by this one and keeps its place
        in the queue, so a burst of changes costs one message. Nothing is queued when the
        newest state already sent or being sent has this very payload. ``key`` must be new
        for each state: the group, not the key, is what makes repeats harmless. Returns
        whether a row was added or replaced. ``ticket_id`` is as for :meth:`enqueue`.
        """
        in_group = outbox.c.coalesce_key == coalesce
        async with self._engine.begin() as conn:
            shown = await self._newest(conn, in_group, outbox.c.status.in_((SENDING, SENT)))
            if shown is not None and shown.payload == payload:
                await conn.execute(_supersede(in_group))
                return False
            waiting = await self._newest(conn, in_group, outbox.c.status == PENDING)
            if waiting is not None:
                replaced = await conn.execute(
                    update(outbox)
                    .where(outbox.c.id == waiting.id, outbox.c.status == PENDING)
                    .values(payload=payload)
                )
                if replaced.rowcount:
                    await conn.execute(_supersede(and_(in_group, outbox.c.id != waiting.id)))
                    return True
            now = self._clock()
            values = _new_row(key, address, payload, None, now, now) | {
                "coalesce_key": coalesce,
                "ticket_id": ticket_id,
            }
            statement = insert_or_ignore(
                self._engine.dialect, outbox, values, ("idempotency_key",)
            ).returning(outbox.c.id)
            return (await conn.execute(statement)).first() is not None

    async def claim(
        self,
        limit: int,
        now: datetime,
        lease_seconds: float,
        *,
        per_address: int | None = None,
        skip: Collection[Address] = (),
    ) -> list[OutboxItem]:
        """Take up to ``limit`` due rows for sending, earliest due first, leased until
        ``now + lease_seconds``.

        Due means pending with ``next_attempt_at <= now``, or sending with an expired lease
        (due since the lease ran out). At most ``per_address`` rows are taken for any one
        address, and none for the addresses in ``skip`` (a sender's chains in flight), so
        one busy destination cannot fill the batch and leave others waiting behind it.

        One statement selects and marks the rows. PostgreSQL locks them with ``FOR UPDATE
        SKIP LOCKED``, so concurrent claimers skip each other's rows instead of waiting;
        SQLite runs the statement under its single write lock.
        """
        conditions = [
            or_(
                and_(outbox.c.status == PENDING, outbox.c.next_attempt_at <= now),
                and_(outbox.c.status == SENDING, outbox.c.locked_until < now),
            )
        ]
        if skip:
            conditions.append(not_(or_(*(_at(address) for address in skip))))
        if per_address is not None:
            place = (
                func.row_number()
                .over(
                    partition_by=(outbox.c.platform, outbox.c.peer_id),
                    order_by=(_DUE_AT, outbox.c.id),
                )
                .label("place")
            )
            ranked = select(outbox.c.id, place).where(*conditions).subquery()
            conditions.append(
                outbox.c.id.in_(select(ranked.c.id).where(ranked.c.place <= per_address))
            )
        due = (
            select(outbox.c.id)
            .where(*conditions)
            .order_by(_DUE_AT, outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        statement = (
            update(outbox)
            .where(outbox.c.id.in_(due.scalar_subquery()))
            .values(status=SENDING, locked_until=now + timedelta(seconds=lease_seconds))
            .returning(*outbox.c)
        )
        async with self._engine.begin() as conn:
            rows = (await conn.execute(statement)).all()
        items = [_item(row) for row in rows]
        # RETURNING promises no order.
        return sorted(items, key=lambda item: (item.next_attempt_at, item.id))

    async def mark_sent(self, item_id: int, at: datetime) -> None:
        """Record that the row was delivered at ``at``."""
        await self._update(
            outbox.c.id == item_id, status=str(OutboxStatus.SENT), sent_at=at, locked_until=None
        )

    async def mark_sent_many(self, item_ids: Sequence[int], at: datetime) -> None:
        """Record that these rows were delivered at ``at``, in one statement."""
        if item_ids:
            await self._update(
                outbox.c.id.in_(list(item_ids)),
                status=str(OutboxStatus.SENT),
                sent_at=at,
                locked_until=None,
            )

    async def reschedule(self, item_id: int, at: datetime, error: str) -> None:
        """Put a claimed row back to pending, due at ``at``, counting the attempt.

        A row cancelled meanwhile stays cancelled.
        """
        await self._update(
            and_(outbox.c.id == item_id, outbox.c.status == SENDING),
            status=PENDING,
            next_attempt_at=at,
            attempts=outbox.c.attempts + 1,
            last_error=error,
            locked_until=None,
        )

    async def mark_failed(self, item_id: int, error: str) -> None:
        """Give up on an undelivered row, counting the attempt; it is never claimed again."""
        await self._update(
            and_(outbox.c.id == item_id, outbox.c.status.in_(UNDELIVERED)),
            status=str(OutboxStatus.FAILED),
            attempts=outbox.c.attempts + 1,
            last_error=error,
            locked_until=None,
        )

    async def cancel_for(self, address: Address) -> int:
        """Cancel undelivered rows for an address (the reader is unreachable or forgotten);
        returns how many."""
        return await self._update(
            and_(
                outbox.c.platform == str(address.platform),
                outbox.c.peer_id == address.peer_id,
                outbox.c.status.in_(UNDELIVERED),
            ),
            status=str(OutboxStatus.CANCELLED),
            locked_until=None,
        )

    async def get(self, key: str) -> OutboxItem | None:
        """The row with idempotency key ``key``, if any."""
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(select(outbox).where(outbox.c.idempotency_key == key))
            ).first()
        return _item(row) if row else None

    async def purge_sent(self, older_than: datetime) -> int:
        """Delete rows delivered before ``older_than`` (retention); returns how many.

        Their idempotency keys go with them, so purge only past the horizon in which a job
        could enqueue the same key again.
        """
        statement = delete(outbox).where(
            outbox.c.status == str(OutboxStatus.SENT), outbox.c.sent_at < older_than
        )
        async with self._engine.begin() as conn:
            result = await conn.execute(statement)
        return result.rowcount

    @staticmethod
    async def _newest(conn: AsyncConnection, *conditions: Any) -> OutboxItem | None:
        row = (
            await conn.execute(
                select(outbox).where(*conditions).order_by(outbox.c.id.desc()).limit(1)
            )
        ).first()
        return _item(row) if row else None

    async def _update(self, condition: Any, **changes: Any) -> int:
        async with self._engine.begin() as conn:
            result = await conn.execute(update(outbox).where(condition).values(**changes))
        return result.rowcount


def _new_row(
    key: str,
    address: Address,
    payload: dict[str, Any],
    reader_id: int | None,
    due: datetime,
    now: datetime,
) -> dict[str, Any]:
    return {
        "idempotency_key": key,
        "platform": str(address.platform),
        "peer_id": address.peer_id,
        "reader_id": reader_id,
        "payload": payload,
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": due,
        "locked_until": None,
        "created_at": now,
        "sent_at": None,
        "last_error": None,
    }


def _at(address: Address) -> ColumnElement[bool]:
    return and_(outbox.c.platform == str(address.platform), outbox.c.peer_id == address.peer_id)


def _supersede(condition: ColumnElement[bool]) -> Update:
    """Cancel the group's states still waiting: a newer one has taken their place."""
    return (
        update(outbox)
        .where(condition, outbox.c.status == PENDING)
        .values(status=str(OutboxStatus.CANCELLED), last_error=SUPERSEDED)
    )
