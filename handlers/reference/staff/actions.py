"""The staff buttons on cards and pickers: take, assign, close, reopen, templates."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from handlers.core.events import Event
from handlers.core.numbers import typed_number
from handlers.core.payloads import Payload, pack
from handlers.core.ports import Templates, Tickets
from handlers.core.replies import Button, Reply
from handlers.core.staff_chat import in_thread
from handlers.reference.staff.answers import Answers, Origin
from handlers.reference.staff.assignment import Assignment
from handlers.reference.staff.desk import StaffDeskService
from handlers.reference.staff.formatting import shorten
from storage.models import StaffMember, Ticket, TicketStatus

MAX_TEMPLATE_BUTTONS = 10
"""VK shows at most ten buttons under a message; Telegram allows more, but a longer list
is hard to read anyway."""
TEMPLATE_TITLE_LIMIT = 40


STAFF_ACTION = "st"
"""The payload action of the desk's staff buttons."""


class StaffActions:
    """Handles ``st:*`` presses. Each returns the short notice shown to the presser."""

    def __init__(
        self,
        *,
        desk: StaffDeskService,
        tickets: Tickets,
        templates: Templates,
        answers: Answers,
        assignment: Assignment,
        clock: Callable[[], datetime],
    ) -> None:
        self._desk = desk
        self._tickets = tickets
        self._templates = templates
        self._answers = answers
        self._assignment = assignment
        self._clock = clock
        self._t = desk.t

    async def press(self, event: Event, staff: StaffMember, payload: Payload) -> str:
        """``st:<verb>:<N>[:<arg>]``."""
        ticket = await self._ticket(payload.arg(1))
        if ticket is None:
            return self._t("desk-no-such-ticket")
        verb = payload.arg(0)
        if verb == "take":
            return await self._assignment.take(ticket, staff)
        if verb == "asg":
            return await self._assignment.offer(ticket, staff, self._press_key(event))
        if verb == "asgto":
            colleague = typed_number(payload.arg(2) or "")
            if colleague is None:
                return self._t("desk-stale-button")
            return await self._assignment.hand_over_to_id(ticket, colleague, staff)
        if verb == "close":
            return await self._close(ticket, staff)
        if verb == "reopen":
            return await self._reopen(ticket, staff)
        if verb == "tpl":
            return await self._list_templates(ticket, event)
        if verb == "tplsend":
            return await self._send_template(ticket, staff, event, payload)
        return self._t("desk-stale-button")

    async def _ticket(self, raw: str | None) -> Ticket | None:
        number = typed_number(raw or "")
        return None if number is None else await self._tickets.get(number)

    async def _close(self, ticket: Ticket, staff: StaffMember) -> str:
        if ticket.status is TicketStatus.CLOSED:
            return self._t("desk-already-closed", number=ticket.id)
        await self._tickets.set_status(ticket.id, TicketStatus.CLOSED, str(staff), self._clock())
        await self._desk.refresh_card(ticket.id)
        return self._t("desk-closed", number=ticket.id)

    async def _reopen(self, ticket: Ticket, staff: StaffMember) -> str:
        if ticket.status.is_open:
            return self._t("desk-already-open", number=ticket.id)
        status = TicketStatus.IN_PROGRESS if ticket.assignee else TicketStatus.NEW
        await self._tickets.set_status(ticket.id, status, str(staff), self._clock())
        await self._desk.reopen_topic(ticket)
        await self._desk.refresh_card(ticket.id)
        return self._t("desk-reopened", number=ticket.id)

    async def _list_templates(self, ticket: Ticket, event: Event) -> str:
        if ticket.status is TicketStatus.CLOSED:
            return self._t("desk-closed-reopen-first", number=ticket.id)
        templates = (await self._templates.all())[:MAX_TEMPLATE_BUTTONS]
        if not templates:
            return self._t("desk-no-templates")
        rows = tuple(
            (
                Button(
                    shorten(f"{template.id}. {template.title}", TEMPLATE_TITLE_LIMIT),
                    pack("st", "tplsend", str(ticket.id), str(template.id)),
                ),
            )
            for template in templates
        )
        reply = Reply(text=self._t("desk-templates-pick", number=ticket.id), buttons=rows)
        await self._desk.chat.post(
            f"staffchat:{self._press_key(event)}:tpl",
            in_thread(ticket, reply),
            ticket_id=ticket.id,
        )
        return self._t("desk-templates-listed")

    async def _send_template(
        self, ticket: Ticket, staff: StaffMember, event: Event, payload: Payload
    ) -> str:
        number = typed_number(payload.arg(2) or "")
        template = None if number is None else await self._templates.get(number)
        if template is None:
            return self._t("desk-no-such-template")
        if ticket.status is TicketStatus.CLOSED:
            return self._t("desk-closed-reopen-first", number=ticket.id)
        origin = Origin(
            key=f"{self._press_key(event)}:tpl:{ticket.id}:{template.id}",
            thread_id=ticket.thread.topic_id if ticket.thread else None,
            message_id=event.message_id,
        )
        await self._answers.answer(ticket, staff, template.text, (), origin)
        return self._t("desk-template-sent", number=ticket.id)

    def _press_key(self, event: Event) -> str:
        """Identifies one press: platforms give each press its own callback id."""
        return f"{event.address}:press:{event.callback_id or event.message_id or uuid.uuid4().hex}"
