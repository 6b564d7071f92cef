"""Staff messages about a ticket: a message in its forum topic, or a reply to a message of
its thread, is the answer to its reader, or a note when it starts with the note prefix."""

from __future__ import annotations

from handlers.core.config import ServiceConfig
from handlers.core.events import AttachmentKind, Event
from handlers.core.ports import Tickets
from handlers.core.staff_chat import event_key, is_note, thread_owner
from handlers.reference.staff.answers import Answers, Origin
from storage.models import StaffMember


class TicketMessages:
    """Takes staff messages that belong to a ticket; other chatter is left alone."""

    def __init__(self, *, tickets: Tickets, answers: Answers, config: ServiceConfig) -> None:
        self._tickets = tickets
        self._answers = answers
        self._config = config

    async def on_message(self, event: Event, staff: StaffMember) -> bool:
        ticket = await thread_owner(event, self._tickets.by_topic, self._tickets.by_staff_message)
        if ticket is None:
            return False
        attachments = tuple(
            a for a in event.attachments if a.kind is not AttachmentKind.UNSUPPORTED
        )
        text = (event.text or "").strip()
        if not text and not attachments:
            return True
        origin = Origin(event_key(event), event.thread_id, event.message_id)
        prefix = self._config.tickets.note_prefix
        if is_note(text, prefix):
            note = text.removeprefix(prefix).strip()
            await self._answers.note(ticket, staff, note, attachments, origin)
        else:
            await self._answers.answer(ticket, staff, text, attachments, origin)
        return True
