"""What loans answer in the staff chat: the renewal cards' buttons and the typed dates and
reasons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from handlers.core.features import StaffFeature
from handlers.loans.ports import LoansTransactions, RenewalRequests
from handlers.loans.staff.cards import STAFF_ACTION
from handlers.loans.staff.decisions import Decisions
from handlers.loans.staff.desk import RenewalStaffDesk


def loans_staff(
    *,
    desk: RenewalStaffDesk,
    renewals: RenewalRequests,
    transactions: LoansTransactions,
    clock: Callable[[], datetime],
) -> StaffFeature:
    decisions = Decisions(renewals=renewals, transactions=transactions, desk=desk, clock=clock)
    return StaffFeature(
        name="loans",
        actions={STAFF_ACTION: decisions.press},
        messages=decisions.on_message,
    )
