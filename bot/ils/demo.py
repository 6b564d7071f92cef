"""A demo circulation system: the ``Ils`` port in memory, for the playground and the tests.

Everything follows from the clock, so a test sees the same loans whatever day it runs: card
``1000001`` (PIN ``1234``) has a handful of medical titles due around today, one of them
reserved by another reader, one overdue and one at its renewal limit. Card ``1000002`` has
expired and card ``1000003`` is blocked for fines. Renewals last for the process only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from handlers.loans.ils import Loan, PatronCheck, PatronStatus, Refusal, Renewal
from storage.types import Clock, utcnow

DEMO_CARD = "1000001"
DEMO_PIN = "1234"
EXPIRED_CARD = "1000002"
BLOCKED_CARD = "1000003"
LOAN_PERIOD = timedelta(days=14)
RENEWAL_WINDOW = timedelta(days=10)
"""A loan renews only when it is due within this (later: too soon)."""
_PINS = {DEMO_CARD: DEMO_PIN, EXPIRED_CARD: "2345", BLOCKED_CARD: "3456"}
_NAMES = {DEMO_CARD: "Анна Демонстрова", EXPIRED_CARD: "Пётр Прошлогодний", BLOCKED_CARD: "Ирина"}
_SHELF = (
    # (loan id, title, days from today to the due date, renewals left, on hold)
    ("d-anatomy", "Сапин М. Р. Анатомия человека. Т. 1", 2, 2, False),
    ("d-physio", "Судаков К. В. Нормальная физиология", 5, 2, True),
    ("d-pharm", "Кукес В. Г. Клиническая фармакология", -3, 1, False),
    ("d-internal", "Мухин Н. А. Внутренние болезни", 7, 0, False),
    ("d-histo", "Афанасьев Ю. И. Гистология, эмбриология, цитология", 25, 2, False),
)


@dataclasses.dataclass(slots=True)
class _Copy:
    loan: Loan
    on_hold: bool


class DemoIls:
    """Satisfies ``handlers.loans.ils.Ils``."""

    needs_pin = True

    def __init__(self, clock: Clock = utcnow, *, pin: str = DEMO_PIN) -> None:
        """``pin`` replaces the demo card's PIN (tests look for a distinctive one)."""
        self._clock = clock
        self._pins = _PINS | {DEMO_CARD: pin}
        self._shelves: dict[str, list[_Copy]] = {}

    async def verify(self, card: str, pin: str | None) -> PatronCheck:
        expected = self._pins.get(card.strip())
        if expected is None:
            return PatronCheck(PatronStatus.UNKNOWN_CARD)
        if pin != expected:
            return PatronCheck(PatronStatus.WRONG_PIN)
        name = _NAMES[card.strip()]
        if card.strip() == EXPIRED_CARD:
            return PatronCheck(PatronStatus.CARD_EXPIRED, name)
        if card.strip() == BLOCKED_CARD:
            message = "Задолженность 150 руб. Оплатите её на абонементе."
            return PatronCheck(PatronStatus.BLOCKED, name, message)
        return PatronCheck(PatronStatus.OK, name)

    async def loans(self, card: str) -> Sequence[Loan]:
        return [copy.loan for copy in self._shelf(card)]

    async def renew(self, card: str, loan_id: str) -> Renewal:
        for copy in self._shelf(card):
            if copy.loan.loan_id == loan_id:
                return self._renew(card, copy)
        return Renewal(loan_id, "", renewed=False, refusal=Refusal.OTHER)

    async def renew_all(self, card: str) -> Sequence[Renewal]:
        return [self._renew(card, copy) for copy in self._shelf(card)]

    async def close(self) -> None:
        """Nothing to release: the demo keeps no connection."""

    def _shelf(self, card: str) -> list[_Copy]:
        card = card.strip()
        if card not in _PINS:
            return []
        if card not in self._shelves:
            today = self._clock().astimezone(UTC).date()
            noon = time(12, 0, tzinfo=UTC)
            self._shelves[card] = [
                _Copy(
                    Loan(
                        loan_id=loan_id,
                        title=title,
                        due=datetime.combine(today + timedelta(days=days), noon),
                        renewals_left=left,
                        refusal=self._refusal(days, left, on_hold),
                    ),
                    on_hold,
                )
                for loan_id, title, days, left, on_hold in _SHELF
            ]
        return self._shelves[card]

    def _refusal(self, days: int, left: int, on_hold: bool) -> Refusal | None:
        if on_hold:
            return Refusal.RESERVED
        if days < 0:
            return Refusal.OVERDUE
        if left <= 0:
            return Refusal.LIMIT_REACHED
        if timedelta(days=days) > RENEWAL_WINDOW:
            return Refusal.TOO_SOON
        return None

    def _renew(self, card: str, copy: _Copy) -> Renewal:
        loan = copy.loan
        refusal = self._account_refusal(card) or self._loan_refusal(copy)
        if refusal is not None:
            message = "Книгу ждёт другой читатель." if refusal is Refusal.RESERVED else None
            return Renewal(loan.loan_id, loan.title, False, refusal=refusal, message=message)
        left = (loan.renewals_left or 0) - 1
        due = loan.due + LOAN_PERIOD
        renewed = dataclasses.replace(loan, due=due, renewals_left=left)
        copy.loan = dataclasses.replace(
            renewed, refusal=self._refusal(self._days_left(due), left, copy.on_hold)
        )
        return Renewal(loan.loan_id, loan.title, True, due=due)

    def _account_refusal(self, card: str) -> Refusal | None:
        if card.strip() == EXPIRED_CARD:
            return Refusal.CARD_EXPIRED
        if card.strip() == BLOCKED_CARD:
            return Refusal.BLOCKED
        return None

    def _loan_refusal(self, copy: _Copy) -> Refusal | None:
        return self._refusal(
            self._days_left(copy.loan.due), copy.loan.renewals_left or 0, copy.on_hold
        )

    def _days_left(self, due: datetime) -> int:
        return (due.date() - self._clock().astimezone(UTC).date()).days
