"""What loans answer in the staff chat: the renewal cards' buttons and the typed dates and
reasons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from handlers.core.events import Event
from handlers.core.features import StaffFeature
from handlers.loans.ports import LoansTransactions, RenewalRequests
from handlers.loans.staff.cards import STAFF_ACTION
from handlers.loans.staff.decisions import Decisions
from handlers.loans.staff.desk import RenewalStaffDesk
from storage.models import StaffMember

LIST_LIMIT = 40
"""Open requests listed at once: enough to fit one staff-chat message."""


def loans_staff(
    *,
    desk: RenewalStaffDesk,
    renewals: RenewalRequests,
    transactions: LoansTransactions,
    clock: Callable[[], datetime],
) -> StaffFeature:
    decisions = Decisions(renewals=renewals, transactions=transactions, desk=desk, clock=clock)

    async def open_list(event: Event, staff: StaffMember, argument: str) -> list[str]:
        requests = await renewals.open_requests(limit=LIST_LIMIT)
        if not requests:
            return [desk.t("renewal-list-empty")]
        lines = [desk.t("renewal-list-title", count=len(requests))]
        lines += [await desk.list_line(request) for request in requests]
        return ["\n".join(lines)]

    return StaffFeature(
        name="loans",
        commands={"renewals": open_list},
        actions={STAFF_ACTION: decisions.press},
        messages=decisions.on_message,
    )
