"""Events from the staff chat: staff answers and notes, button presses and commands."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime

from handlers.config import ServiceConfig
from handlers.events import AttachmentKind, Event
from handlers.i18n import Catalog
from handlers.messenger import DeliveryError, Messenger
from handlers.ports import Outbox, Readers, StaffProfiles, Templates, Tickets, Transactions
from handlers.replies import Reply
from handlers.staff.access import staff_member
from handlers.staff.actions import StaffActions
from handlers.staff.answers import Answers, Origin
from handlers.staff.assignment import Assignment
from handlers.staff.colleagues import Colleagues
from handlers.staff.commands import StaffCommands
from handlers.staff.desk import StaffDeskService, utc_now
from handlers.staff.posting import answering
from storage.models import Platform, StaffMember, Ticket

log = logging.getLogger(__name__)


class StaffService:
    """Handles every event from the configured staff chat.

    Only configured staff and the chat's admins may act; anyone else's messages are ignored
    and their presses acknowledged without effect. A message in a ticket's topic, or a reply
    to a message of a ticket's thread, is an answer to that ticket's reader (a note when it
    starts with the note prefix); other chatter in the staff chat is left alone.
    """

    def __init__(
        self,
        *,
        desk: StaffDeskService,
        tickets: Tickets,
        templates: Templates,
        profiles: StaffProfiles,
        readers: Readers,
        outbox: Outbox,
        transactions: Transactions,
        catalog: Catalog,
        messengers: Mapping[Platform, Messenger],
        config: ServiceConfig,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._desk = desk
        self._tickets = tickets
        self._profiles = profiles
        self._messengers = messengers
        self._config = config
        assignment = Assignment(
            desk=desk,
            tickets=tickets,
            colleagues=Colleagues(config=config, profiles=profiles, messengers=messengers),
            clock=clock,
        )
        self._answers = Answers(
            desk=desk,
            tickets=tickets,
            readers=readers,
            profiles=profiles,
            outbox=outbox,
            transactions=transactions,
            catalog=catalog,
            config=config,
            clock=clock,
        )
        self._actions = StaffActions(
            desk=desk,
            tickets=tickets,
            templates=templates,
            answers=self._answers,
            assignment=assignment,
            clock=clock,
        )
        self._commands = StaffCommands(
            tickets=tickets,
            templates=templates,
            profiles=profiles,
            assignment=assignment,
            config=config,
            t=desk.t,
            clock=clock,
        )

    async def handle(self, event: Event) -> None:
        """Act on one staff-chat event. Events from other chats are not this service's and
        are ignored. Never raises: a failure is logged."""
        chat = self._config.staff_chat
        messenger = self._messengers.get(event.platform)
        if chat is None or event.address != chat or messenger is None:
            return
        try:
            staff = await staff_member(event, self._config, messenger)
            if staff is None:
                await self._acknowledge(messenger, event, None)
                return
            # Remembered so that a colleague can pick them by the name they use here.
            await self._profiles.remember(staff)
            if event.is_button:
                notice = await self._actions.press(event, staff)
                await self._acknowledge(messenger, event, notice)
            elif event.command and not self._is_note(event.text):
                await self._on_command(event, staff)
            else:
                await self._on_message(event, staff)
        except Exception:
            log.exception("staff event failed in %s", event.address)
            await self._acknowledge(messenger, event, None)

    async def _on_command(self, event: Event, staff: StaffMember) -> None:
        texts = await self._commands.run(event, staff)
        replies = [answering(Reply(text), event.thread_id, event.message_id) for text in texts]
        await self._desk.chat.post_all(f"staffchat:{self._event_key(event)}", replies)

    async def _on_message(self, event: Event, staff: StaffMember) -> None:
        ticket = await self._ticket_of(event)
        if ticket is None:
            return
        attachments = tuple(
            a for a in event.attachments if a.kind is not AttachmentKind.UNSUPPORTED
        )
        text = (event.text or "").strip()
        if not text and not attachments:
            return
        origin = Origin(self._event_key(event), event.thread_id, event.message_id)
        if self._is_note(text):
            note = text.removeprefix(self._config.tickets.note_prefix).strip()
            await self._answers.note(ticket, staff, note, attachments, origin)
        else:
            await self._answers.answer(ticket, staff, text, attachments, origin)

    def _is_note(self, text: str | None) -> bool:
        """A note prefix wins over a command, so that a prefix such as ``//`` works."""
        prefix = self._config.tickets.note_prefix
        return bool(prefix) and (text or "").strip().startswith(prefix)

    async def _ticket_of(self, event: Event) -> Ticket | None:
        """The ticket a staff message belongs to: by its forum topic, else by the message
        it replies to."""
        if event.thread_id is not None:
            ticket = await self._tickets.by_topic(event.address, event.thread_id)
            if ticket is not None:
                return ticket
        if event.reply_to_message_id is not None:
            return await self._tickets.by_staff_message(event.address, event.reply_to_message_id)
        return None

    @staticmethod
    def _event_key(event: Event) -> str:
        """Names one staff message, so a platform's repeated delivery of it acts once."""
        mark = event.message_id if event.message_id is not None else uuid.uuid4().hex
        return f"{event.address}:{mark}"

    @staticmethod
    async def _acknowledge(messenger: Messenger, event: Event, notice: str | None) -> None:
        if event.callback_id is None:
            return
        try:
            await messenger.acknowledge(event, notice)
        except DeliveryError as error:
            log.info("could not acknowledge a staff press: %s", type(error).__name__)
