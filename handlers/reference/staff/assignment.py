"""Who works on a ticket: taking it, handing it to a colleague, and the colleague picker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from handlers.core.payloads import pack
from handlers.core.ports import Tickets
from handlers.core.replies import Button, Reply
from handlers.core.staff_chat import in_thread
from handlers.reference.staff.colleagues import Colleagues
from handlers.reference.staff.desk import StaffDeskService
from handlers.reference.staff.formatting import shorten
from storage.models import StaffMember, Ticket, TicketStatus

MAX_PICKER_BUTTONS = 10
"""VK shows at most ten buttons under a message; more colleagues are reached by command."""
PICKER_BUTTONS_PER_ROW = 2
NAME_LABEL_LIMIT = 30


class Assignment:
    """Changes a ticket's assignee and shows it on the card. Each method returns the short
    notice for the staff member who asked."""

    def __init__(
        self,
        *,
        desk: StaffDeskService,
        tickets: Tickets,
        colleagues: Colleagues,
        clock: Callable[[], datetime],
    ) -> None:
        self._desk = desk
        self._tickets = tickets
        self.colleagues = colleagues
        self._clock = clock
        self._t = desk.t

    async def take(self, ticket: Ticket, staff: StaffMember) -> str:
        """``staff`` takes the ticket, from whoever had it."""
        if ticket.status is TicketStatus.CLOSED:
            return self._t("desk-closed-reopen-first", number=ticket.id)
        previous = ticket.assignee
        await self._hand(ticket, staff, staff)
        if previous is not None and previous.key != staff.key:
            return self._t("desk-taken-from", number=ticket.id, name=previous.name)
        return self._t("desk-taken", number=ticket.id)

    async def hand_over(self, ticket: Ticket, assignee: StaffMember, by: StaffMember) -> str:
        """``by`` makes ``assignee`` (already checked to be staff) the ticket's assignee."""
        if assignee.key == by.key:
            return await self.take(ticket, by)
        if ticket.status is TicketStatus.CLOSED:
            return self._t("desk-closed-reopen-first", number=ticket.id)
        if ticket.assignee is not None and ticket.assignee.key == assignee.key:
            return self._t("desk-assign-already", number=ticket.id, name=assignee.name)
        await self._hand(ticket, assignee, by)
        return self._t("desk-assigned", number=ticket.id, name=assignee.name)

    async def hand_over_to_id(self, ticket: Ticket, user_id: int, by: StaffMember) -> str:
        """Hand the ticket to the colleague with ``user_id``, refusing anyone not staff now."""
        assignee = await self.colleagues.by_id(user_id)
        if assignee is None:
            return self._t("desk-assign-not-staff")
        return await self.hand_over(ticket, assignee, by)

    async def offer(self, ticket: Ticket, staff: StaffMember, key: str) -> str:
        """Post, in the ticket's thread, a button for each colleague the ticket can go to:
        not its assignee, and not ``staff`` asking (who has the Take button for that)."""
        if ticket.status is TicketStatus.CLOSED:
            return self._t("desk-closed-reopen-first", number=ticket.id)
        skip = {staff.key, *([ticket.assignee.key] if ticket.assignee else [])}
        others = [member for member in await self.colleagues.all() if member.key not in skip]
        if not others:
            return self._t("desk-assign-nobody")
        buttons = [
            Button(
                shorten(member.name, NAME_LABEL_LIMIT),
                pack("st", "asgto", str(ticket.id), str(member.user_id)),
            )
            for member in others[:MAX_PICKER_BUTTONS]
        ]
        rows = tuple(
            tuple(buttons[start : start + PICKER_BUTTONS_PER_ROW])
            for start in range(0, len(buttons), PICKER_BUTTONS_PER_ROW)
        )
        lines = [
            self._t(
                "desk-assign-pick",
                number=ticket.id,
                name=ticket.assignee.name if ticket.assignee else "—",
            )
        ]
        if len(others) > MAX_PICKER_BUTTONS:
            lines.append(self._t("desk-assign-more", number=ticket.id))
        reply = Reply(text="\n".join(lines), buttons=rows)
        await self._desk.chat.post(
            f"staffchat:{key}:asg", in_thread(ticket, reply), ticket_id=ticket.id
        )
        return self._t("desk-assign-listed")

    async def _hand(self, ticket: Ticket, assignee: StaffMember, by: StaffMember) -> None:
        now = self._clock()
        await self._tickets.assign(ticket.id, assignee, now, by=by)
        if ticket.status is TicketStatus.NEW:
            await self._tickets.set_status(ticket.id, TicketStatus.IN_PROGRESS, str(by), now)
        await self._desk.refresh_card(ticket.id)
