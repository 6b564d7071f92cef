"""Scheduled staff-side work: grouped reminders about late and untaken tickets, and closing
answered tickets the reader never came back to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.core.config import ServiceConfig
from handlers.core.i18n import days_count
from handlers.core.ports import Tickets, Transactions
from handlers.core.replies import Reply
from handlers.reference.staff.cards import kind_name
from handlers.reference.staff.desk import StaffDeskService
from handlers.reference.staff.formatting import duration, pack_lines
from storage.models import Ticket, TicketMessageKind, TicketStatus

MAX_LISTED = 100
"""Tickets named in one reminder; the rest are counted. With ~100 characters a line this
keeps a reminder to three messages, far below a group's 20 messages a minute."""
SYSTEM_ACTOR = "system"


def _slot(now: datetime) -> str:
    """The hour a run belongs to: one reminder per hour at most, however often it runs."""
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H")


class StaffReminders:
    """What the scheduler calls, with its clock's ``now`` (aware)."""

    def __init__(
        self,
        *,
        desk: StaffDeskService,
        tickets: Tickets,
        transactions: Transactions,
        config: ServiceConfig,
    ) -> None:
        self._desk = desk
        self._tickets = tickets
        self._transactions = transactions
        self._config = config
        self._t = desk.t

    async def remind(self, now: datetime) -> int:
        """Queue one grouped reminder (a few messages if long) listing overdue tickets and
        NEW tickets nobody took in time. The outbox key is per hour, so repeated runs within
        an hour add nothing. Returns how many messages were queued."""
        overdue = await self._tickets.overdue(now)
        cutoff = now - timedelta(minutes=self._config.tickets.untaken_reminder_minutes)
        listed = {ticket.id for ticket in overdue}
        untaken = [t for t in await self._tickets.untaken_since(cutoff) if t.id not in listed]
        if not overdue and not untaken:
            return 0
        lines = [self._t("desk-remind-title")]
        entries = [self._overdue_line(t, now) for t in overdue]
        entries += [self._untaken_line(t, now) for t in untaken]
        lines.extend(entries[:MAX_LISTED])
        if len(entries) > MAX_LISTED:
            lines.append(self._t("desk-remind-more", count=len(entries) - MAX_LISTED))
        replies = [Reply(text) for text in pack_lines(lines)]
        return await self._desk.chat.post_all(f"remind:{_slot(now)}", replies)

    async def auto_close(self, now: datetime) -> int:
        """Close ANSWERED tickets with no reader reply for ``auto_close_days``: a SYSTEM
        record, the card updated, and one summary message for the run. Returns how many."""
        days = self._config.tickets.auto_close_days
        closed: list[int] = []
        for ticket in await self._tickets.answered_before(now - timedelta(days=days)):
            record = self._t("desk-auto-closed", days=days_count(self._t, days))
            async with self._transactions.transaction() as work:
                await work.tickets.set_status(ticket.id, TicketStatus.CLOSED, SYSTEM_ACTOR, now)
                await work.tickets.add_message(ticket.id, TicketMessageKind.SYSTEM, record, at=now)
            await self._desk.refresh_card(ticket.id)
            closed.append(ticket.id)
        if closed:
            numbers = ", ".join(f"№{number}" for number in closed)
            texts = pack_lines(
                [
                    self._t(
                        "desk-auto-closed-summary", days=days_count(self._t, days), numbers=numbers
                    )
                ]
            )
            await self._desk.chat.post_all(
                f"autoclose:{_slot(now)}", [Reply(text) for text in texts]
            )
        return len(closed)

    def _overdue_line(self, ticket: Ticket, now: datetime) -> str:
        return self._t(
            "desk-remind-overdue",
            number=ticket.id,
            kind=kind_name(self._t, ticket.kind),
            late=duration(now - ticket.deadline_at, self._t),
            assignee=ticket.assignee.name if ticket.assignee else "—",
        )

    def _untaken_line(self, ticket: Ticket, now: datetime) -> str:
        return self._t(
            "desk-remind-untaken",
            number=ticket.id,
            kind=kind_name(self._t, ticket.kind),
            age=duration(now - ticket.created_at, self._t),
        )
