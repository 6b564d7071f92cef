"""``Outbox`` and ``Transactions`` wrappers that wake the sender when new rows may be due."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from handlers.core.ports import Outbox
from storage.models import Address, OutboxItem


class NotifyingOutbox:
    """Delegates to ``inner`` and calls ``on_enqueued`` after each row actually added or
    replaced.

    The composition root hands this to the handlers with ``sender.notify`` as the callback,
    so an interactive message does not wait for the sender's next poll. It only wakes the
    sender in this process; senders elsewhere find the row at their next poll.
    """

    def __init__(self, inner: Outbox, on_enqueued: Callable[[], None]) -> None:
        self._inner = inner
        self._on_enqueued = on_enqueued

    async def enqueue(
        self,
        key: str,
        address: Address,
        payload: dict[str, Any],
        reader_id: int | None = None,
        not_before: datetime | None = None,
        ticket_id: int | None = None,
    ) -> bool:
        added = await self._inner.enqueue(
            key, address, payload, reader_id, not_before, ticket_id=ticket_id
        )
        if added:
            self._on_enqueued()
        return added

    async def enqueue_latest(
        self,
        key: str,
        address: Address,
        payload: dict[str, Any],
        coalesce: str,
        ticket_id: int | None = None,
    ) -> bool:
        queued = await self._inner.enqueue_latest(
            key, address, payload, coalesce, ticket_id=ticket_id
        )
        if queued:
            self._on_enqueued()
        return queued

    async def claim(
        self,
        limit: int,
        now: datetime,
        lease_seconds: float,
        *,
        per_address: int | None = None,
        skip: Collection[Address] = (),
    ) -> list[OutboxItem]:
        return await self._inner.claim(
            limit, now, lease_seconds, per_address=per_address, skip=skip
        )

    async def mark_sent(self, item_id: int, at: datetime) -> None:
        await self._inner.mark_sent(item_id, at)

    async def mark_sent_many(self, item_ids: Sequence[int], at: datetime) -> None:
        await self._inner.mark_sent_many(item_ids, at)

    async def reschedule(self, item_id: int, at: datetime, error: str) -> None:
        await self._inner.reschedule(item_id, at, error)

    async def mark_failed(self, item_id: int, error: str) -> None:
        await self._inner.mark_failed(item_id, error)

    async def cancel_for(self, address: Address) -> int:
        return await self._inner.cancel_for(address)

    async def get(self, key: str) -> OutboxItem | None:
        return await self._inner.get(key)


Work = TypeVar("Work", covariant=True)


class _Transactional(Protocol[Work]):
    def transaction(self) -> AbstractAsyncContextManager[Work]: ...


W = TypeVar("W")


class NotifyingTransactions(Generic[W]):
    """Delegates to ``inner`` and calls ``on_committed`` after each unit of work commits.

    Rows enqueued inside a transaction are invisible to the sender until the commit, so the
    sender is woken only then. The units of work are ``inner``'s, with all their
    repositories (each feature sees the ones its own port names).
    """

    def __init__(self, inner: _Transactional[W], on_committed: Callable[[], None]) -> None:
        self._inner = inner
        self._on_committed = on_committed

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[W]:
        async with self._inner.transaction() as work:
            yield work
        self._on_committed()
