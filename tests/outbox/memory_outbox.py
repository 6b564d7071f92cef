"""An in-memory ``Outbox`` that keeps the port's promises, for tests of its users."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from storage.models import Address, OutboxItem, OutboxStatus

_UNDELIVERED = (OutboxStatus.PENDING, OutboxStatus.SENDING)
_SHOWN = (OutboxStatus.SENDING, OutboxStatus.SENT)


class InvalidTransition(AssertionError):
    """A caller settled a row it does not hold (only ``sending`` rows can be settled)."""


class MemoryOutbox:
    """Behaves like ``storage.outbox.OutboxRepository``: keys are unique; a claimed row is
    ``sending`` with a lease, and can be claimed again once the lease has run out, due from
    the lease's end; rows are claimed earliest due first, then by id, at most ``per_address``
    per address; coalesced states replace their group's pending state.

    Stricter than a database needs to be: settling a row that is not ``sending`` raises
    ``InvalidTransition``, so a sender that touches rows it no longer holds fails its tests.
    """

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._rows: dict[int, OutboxItem] = {}
        self._leases: dict[int, datetime] = {}
        self._next_id = 1
        self.claims: list[list[int]] = []
        """The ids returned by each non-empty claim, in order."""
        self.coalesce_keys: dict[int, str] = {}

    @property
    def rows(self) -> list[OutboxItem]:
        return sorted(self._rows.values(), key=lambda row: row.id)

    async def enqueue(
        self,
        key: str,
        address: Address,
        payload: dict[str, Any],
        reader_id: int | None = None,
        not_before: datetime | None = None,
        ticket_id: int | None = None,
    ) -> bool:
        if any(row.key == key for row in self._rows.values()):
            return False
        now = self._clock()
        row = OutboxItem(
            id=self._next_id,
            key=key,
            address=address,
            payload=payload,
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=not_before or now,
            created_at=now,
            reader_id=reader_id,
        )
        self._rows[row.id] = row
        self._next_id += 1
        return True

    async def enqueue_latest(
        self,
        key: str,
        address: Address,
        payload: dict[str, Any],
        coalesce: str,
        ticket_id: int | None = None,
    ) -> bool:
        group = [row for row in self.rows if self.coalesce_keys.get(row.id) == coalesce]
        shown = [row for row in group if row.status in _SHOWN]
        waiting = [row for row in group if row.status is OutboxStatus.PENDING]
        if shown and shown[-1].payload == payload:
            self._cancel(waiting)
            return False
        if waiting:
            self._rows[waiting[-1].id] = replace(waiting[-1], payload=payload)
            self._cancel(waiting[:-1])
            return True
        added = await self.enqueue(key, address, payload)
        if added:
            self.coalesce_keys[self._next_id - 1] = coalesce
        return added

    async def claim(
        self,
        limit: int,
        now: datetime,
        lease_seconds: float,
        *,
        per_address: int | None = None,
        skip: Collection[Address] = (),
    ) -> list[OutboxItem]:
        due = sorted(
            (
                row
                for row in self._rows.values()
                if self._is_due(row, now) and row.address not in skip
            ),
            key=lambda row: (self._due_at(row), row.id),
        )
        if per_address is not None:
            taken: dict[Address, int] = {}
            capped = []
            for row in due:
                taken[row.address] = taken.get(row.address, 0) + 1
                if taken[row.address] <= per_address:
                    capped.append(row)
            due = capped
        claimed = [replace(row, status=OutboxStatus.SENDING) for row in due[:limit]]
        for row in claimed:
            self._rows[row.id] = row
            self._leases[row.id] = now + timedelta(seconds=lease_seconds)
        if claimed:
            self.claims.append([row.id for row in claimed])
        return claimed

    async def mark_sent(self, item_id: int, at: datetime) -> None:
        row = self._held(item_id)
        self._rows[item_id] = replace(row, status=OutboxStatus.SENT, sent_at=at, last_error=None)

    async def mark_sent_many(self, item_ids: Sequence[int], at: datetime) -> None:
        for item_id in item_ids:
            await self.mark_sent(item_id, at)

    async def reschedule(self, item_id: int, at: datetime, error: str) -> None:
        row = self._held(item_id)
        self._rows[item_id] = replace(
            row,
            status=OutboxStatus.PENDING,
            next_attempt_at=at,
            attempts=row.attempts + 1,
            last_error=error,
        )

    async def mark_failed(self, item_id: int, error: str) -> None:
        row = self._held(item_id)
        self._rows[item_id] = replace(
            row, status=OutboxStatus.FAILED, attempts=row.attempts + 1, last_error=error
        )

    async def cancel_for(self, address: Address) -> int:
        undelivered = [
            row
            for row in self._rows.values()
            if row.address == address and row.status in _UNDELIVERED
        ]
        for row in undelivered:
            self._rows[row.id] = replace(row, status=OutboxStatus.CANCELLED)
        return len(undelivered)

    async def get(self, key: str) -> OutboxItem | None:
        return next((row for row in self._rows.values() if row.key == key), None)

    def _due_at(self, row: OutboxItem) -> datetime:
        if row.status is OutboxStatus.SENDING:
            return self._leases[row.id]
        return row.next_attempt_at

    def _cancel(self, rows: list[OutboxItem]) -> None:
        for row in rows:
            self._rows[row.id] = replace(
                row, status=OutboxStatus.CANCELLED, last_error="superseded by a newer state"
            )

    def _is_due(self, row: OutboxItem, now: datetime) -> bool:
        if row.status is OutboxStatus.PENDING:
            return row.next_attempt_at <= now
        return row.status is OutboxStatus.SENDING and self._leases[row.id] < now

    def _held(self, item_id: int) -> OutboxItem:
        row = self._rows.get(item_id)
        if row is None:
            raise KeyError(item_id)
        if row.status is not OutboxStatus.SENDING:
            raise InvalidTransition(f"row #{item_id} is {row.status}, not sending")
        return row
