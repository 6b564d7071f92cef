"""The daily run: every reader with a linked card who wants reminders gets, once per loan and
due date, a reminder before the loan is due and a notice once it is overdue."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from handlers.core.config import ServiceConfig
from handlers.core.i18n import Catalog
from handlers.core.ports import Readers
from handlers.core.replies import Reply
from handlers.loans.ils import Ils, IlsUnavailable, Loan
from handlers.loans.patience import patiently
from handlers.loans.ports import LibraryCards, RenewalRequests
from handlers.loans.reminders.compose import (
    Renewed,
    due_reminder,
    overdue_notice,
    renewed_until_reminder,
)
from handlers.loans.reminders.ports import ReminderLedger
from handlers.loans.reminders.refs import loan_digest, marks_digest, request_digest
from handlers.loans.reminders.sent import REMINDED, remembered, reminder_key
from handlers.loans.wording import local_day
from storage.models import (
    Address,
    LibraryCard,
    LoanMark,
    Reader,
    ReminderKind,
    RenewalStatus,
)

log = logging.getLogger(__name__)

Row = tuple[str, Address, dict[str, Any]]
_Render = Callable[[Sequence[Loan], str], Reply]
"""The reminder about these loans, whose outbox key ends in the given tail."""


@dataclass(frozen=True, slots=True)
class RunCounts:
    queued: int = 0
    """Messages queued (a reader's reminder and overdue notice are one each)."""
    skipped: int = 0
    """Cards whose loans could not be asked for: tried again on the next run."""


class LoanReminders:
    """What the scheduler runs once a day with its clock's ``now``. Repeating a run (a
    restart, a second process) queues nothing twice: the ledger records each announcement
    together with its outbox row."""

    def __init__(
        self,
        *,
        cards: LibraryCards,
        renewals: RenewalRequests,
        readers: Readers,
        ledger: ReminderLedger,
        ils: Ils | None,
        catalog: Catalog,
        config: ServiceConfig,
    ) -> None:
        self._cards = cards
        self._renewals = renewals
        self._readers = readers
        self._ledger = ledger
        self._ils = ils
        self._catalog = catalog
        self._config = config

    @property
    def _tz(self) -> str:
        return self._config.library.timezone

    async def run(self, now: datetime) -> int:
        """Queue what is due for every card with reminders on; returns how many messages."""
        counts = RunCounts()
        today = local_day(now, self._tz)
        for card in await self._cards.with_reminders():
            reader = await self._readers.get_by_id(card.reader_id)
            if reader is None or not reader.has_consent or not reader.reachable:
                continue
            try:
                queued = await self._remind(reader, card, today)
            except IlsUnavailable:
                # Neither the card nor the backend's words (they may name it) go to the log.
                log.warning("loan reminders: a card skipped until the next run (ILS unavailable)")
                counts = RunCounts(counts.queued, counts.skipped + 1)
                continue
            except Exception as error:
                # One card's failure must not cost every other reader their reminders.
                log.error(
                    "loan reminders: a card skipped until the next run (%s)", type(error).__name__
                )
                counts = RunCounts(counts.queued, counts.skipped + 1)
                continue
            counts = RunCounts(counts.queued + queued, counts.skipped)
        log.info("loan reminders: %d queued, %d cards skipped", counts.queued, counts.skipped)
        return counts.queued

    async def _remind(self, reader: Reader, card: LibraryCard, today: date) -> int:
        days = card.reminder_days
        if days is None:
            return 0
        if self._ils is None:
            return await self._remind_renewed(reader, days, today)
        loans = sorted(await self._loans(card.number), key=lambda loan: loan.due)
        overdue = [loan for loan in loans if local_day(loan.due, self._tz) < today]
        due = [loan for loan in loans if 0 <= (local_day(loan.due, self._tz) - today).days <= days]
        t = self._catalog.translator(reader.language)
        queued = await self._send(
            reader,
            ReminderKind.DUE,
            due,
            lambda chosen, tail: due_reminder(t, chosen, self._tz, renewable=True, sent=tail),
        )
        queued += await self._send(
            reader,
            ReminderKind.OVERDUE,
            overdue,
            lambda chosen, tail: overdue_notice(t, chosen, self._tz),
        )
        return queued

    async def _send(
        self,
        reader: Reader,
        kind: ReminderKind,
        loans: Sequence[Loan],
        render: _Render,
    ) -> int:
        if not loans:
            return 0
        by_mark = {self._mark(kind, loan): loan for loan in loans}

        def compose(fresh: Sequence[LoanMark]) -> Row:
            chosen = [by_mark[mark] for mark in by_mark if mark in fresh]
            tail = _tail(reader, kind, fresh)
            payload = render(chosen, tail).to_dict()
            if kind is ReminderKind.DUE:
                # What a Renew press needs if the circulation system is down by then.
                payload[REMINDED] = remembered(chosen)
            return reminder_key(reader.id, kind, tail), reader.address, payload

        fresh = await self._ledger.send_once(reader.id, list(by_mark), compose)
        return 1 if fresh else 0

    async def _remind_renewed(self, reader: Reader, days: int, today: date) -> int:
        """The manual backend knows no loans, only the dates staff renewed requests until."""
        renewed: dict[LoanMark, Renewed] = {}
        for request in await self._renewals.for_reader(reader.id):
            until = request.renewed_until
            if request.status is not RenewalStatus.RENEWED or until is None:
                continue
            if 0 <= (until - today).days <= days:
                mark = LoanMark(ReminderKind.RENEWED_UNTIL, request_digest(request.id), until)
                renewed[mark] = Renewed(request.id, until)
        if not renewed:
            return 0
        t = self._catalog.translator(reader.language)

        def compose(fresh: Sequence[LoanMark]) -> Row:
            chosen = sorted((renewed[mark] for mark in fresh), key=lambda item: item.until)
            reply = renewed_until_reminder(t, chosen, today, self._tz)
            tail = _tail(reader, ReminderKind.RENEWED_UNTIL, fresh)
            key = reminder_key(reader.id, ReminderKind.RENEWED_UNTIL, tail)
            return key, reader.address, reply.to_dict()

        fresh = await self._ledger.send_once(reader.id, list(renewed), compose)
        return 1 if fresh else 0

    def _mark(self, kind: ReminderKind, loan: Loan) -> LoanMark:
        return LoanMark(kind, loan_digest(loan.loan_id), local_day(loan.due, self._tz))

    async def _loans(self, card: str) -> Sequence[Loan]:
        if self._ils is None:
            return ()
        return await patiently(self._ils.loans(card))


def _tail(reader: Reader, kind: ReminderKind, marks: Sequence[LoanMark]) -> str:
    """The outbox key's last part: the reader, the kind, and each loan with its due date."""
    return marks_digest(reader.id, kind, [(mark.loan, mark.due_on) for mark in marks])
