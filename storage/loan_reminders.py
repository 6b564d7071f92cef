"""The record of loan reminders queued: what makes each one go out once, for good."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.connectable import BoundConnection
from storage.dialect import insert_or_ignore
from storage.models import Address, LoanMark
from storage.outbox import OutboxRepository
from storage.schema import sent_loan_reminders
from storage.types import Clock, utcnow

Compose = Callable[[Sequence[LoanMark]], tuple[str, Address, dict[str, Any]]]
"""Builds the outbox row (key, address, payload) for the marks not announced before."""


class SentLoanReminderRepository:
    """Satisfies ``handlers.loans.reminders.ports.ReminderLedger``."""

    def __init__(self, engine: AsyncEngine, clock: Clock = utcnow) -> None:
        self._engine = engine
        self._clock = clock

    async def send_once(
        self, reader_id: int, marks: Sequence[LoanMark], compose: Compose
    ) -> list[LoanMark]:
        """Record the marks not recorded before and queue ``compose``'s message about them,
        in one transaction: both are stored, or neither. Returns the newly recorded marks
        (none: nothing was queued). Two processes racing over the same marks record each
        once: the second waits for the first's transaction and then finds them there."""
        now = self._clock()
        async with self._engine.begin() as conn:
            fresh: list[LoanMark] = []
            for mark in marks:
                values = {
                    "reader_id": reader_id,
                    "kind": mark.kind,
                    "loan": mark.loan,
                    "due_on": mark.due_on,
                    "created_at": now,
                }
                statement = insert_or_ignore(
                    conn.dialect,
                    sent_loan_reminders,
                    values,
                    ("reader_id", "kind", "loan", "due_on"),
                ).returning(sent_loan_reminders.c.loan)
                if (await conn.execute(statement)).first() is not None:
                    fresh.append(mark)
            if fresh:
                key, address, payload = compose(fresh)
                outbox = OutboxRepository(BoundConnection(conn), self._clock)
                await outbox.enqueue(key, address, payload, reader_id=reader_id)
        return fresh
