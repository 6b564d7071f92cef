"""What reminders need from storage."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from storage.models import Address, LoanMark, OutboxItem

Compose = Callable[[Sequence[LoanMark]], tuple[str, Address, dict[str, Any]]]
"""Builds the outbox row (key, address, payload) announcing the marks not announced before."""


class ReminderLedger(Protocol):
    """The record of what was announced: each loan's due date once per kind, for good (it
    outlives the outbox's purge of sent rows)."""

    async def send_once(
        self, reader_id: int, marks: Sequence[LoanMark], compose: Compose
    ) -> list[LoanMark]:
        """Record the marks not recorded before and queue ``compose``'s message about them,
        atomically; returns those marks (none: nothing was queued)."""
        ...


class SentReminders(Protocol):
    """The outbox, where a reminder's row stays for a while after it is sent: what a Renew
    button finds the reminder's loans in when the circulation system is down."""

    async def get(self, key: str) -> OutboxItem | None: ...
