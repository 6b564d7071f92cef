"""Staff answers to readers and internal notes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from handlers.core.config import ServiceConfig
from handlers.core.events import Attachment
from handlers.core.i18n import Catalog, Translator
from handlers.core.payloads import pack
from handlers.core.ports import Outbox, Readers, StaffProfiles, Tickets, Transactions
from handlers.core.replies import Button, Reply
from handlers.core.staff_chat import StaffChat, answering
from handlers.reference.staff.desk import StaffDeskService
from storage.models import Reader, StaffMember, Ticket, TicketMessageKind, TicketStatus

log = logging.getLogger(__name__)

MEGABYTE = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a staff action happened, so the bot's acknowledgement lands next to it.

    ``key`` names the action uniquely (the chat and its message id, or a button press), so
    that a platform delivering the same update twice sends the answer once.
    """

    key: str
    thread_id: int | None
    message_id: int | None


class _AlreadyAnswered(Exception):
    """A concurrent delivery of the same staff message queued the answer first."""


class Answers:
    """Sends staff answers to readers through the outbox, and stores notes.

    An answer's ticket message, its outbox row, the assignment, the status change and the
    acknowledgement to staff are one unit of work (``transactions``): a crash part-way
    stores none of them, and the platform's redelivery of the unprocessed staff message then
    stores and sends the answer once, and tells staff once.
    """

    def __init__(
        self,
        *,
        desk: StaffDeskService,
        tickets: Tickets,
        readers: Readers,
        profiles: StaffProfiles,
        outbox: Outbox,
        transactions: Transactions,
        catalog: Catalog,
        config: ServiceConfig,
        clock: Callable[[], datetime],
    ) -> None:
        self._desk = desk
        self._transactions = transactions
        self._tickets = tickets
        self._readers = readers
        self._profiles = profiles
        self._outbox = outbox
        self._catalog = catalog
        self._config = config
        self._clock = clock

    @property
    def _t(self) -> Translator:
        return self._desk.t

    async def answer(
        self,
        ticket: Ticket,
        staff: StaffMember,
        text: str,
        attachments: tuple[Attachment, ...],
        origin: Origin,
    ) -> None:
        """Deliver an answer on the reader's own platform, store it, mark the ticket
        answered and tell staff what happened."""
        key = f"answer:{origin.key}"
        if await self._outbox.get(key) is not None:
            return
        reader = await self._readers.get_by_id(ticket.reader_id) if ticket.reader_id else None
        if reader is None:
            await self._acknowledge(origin, ticket, [self._t("desk-reader-gone", number=ticket.id)])
            return
        now = self._clock()
        reply = await self._reader_reply(ticket, staff, reader, text, attachments)
        lines = [self._t("desk-answer-queued", number=ticket.id)]
        if not reader.reachable:
            lines.append(self._t("desk-reader-blocked"))
        lines.extend(self._too_big(attachments, reader))
        try:
            async with self._transactions.transaction() as work:
                await _record(
                    work.tickets, ticket, TicketMessageKind.STAFF, staff, text, attachments, now
                )
                payload = reply.to_dict()
                if not await work.outbox.enqueue(key, reader.address, payload, reader.id):
                    raise _AlreadyAnswered
                if ticket.assignee is None:
                    await work.tickets.assign(ticket.id, staff, now)
                await work.tickets.set_status(ticket.id, TicketStatus.ANSWERED, str(staff), now)
                chat = self._desk.chat.on(work.outbox)
                await self._acknowledge(origin, ticket, lines, chat)
        except _AlreadyAnswered:
            return
        await self._desk.refresh_card(ticket.id)

    async def note(
        self,
        ticket: Ticket,
        staff: StaffMember,
        text: str,
        attachments: tuple[Attachment, ...],
        origin: Origin,
    ) -> None:
        """Store an internal note; it never reaches the reader."""
        await _record(
            self._tickets, ticket, TicketMessageKind.NOTE, staff, text, attachments, self._clock()
        )
        await self._acknowledge(origin, ticket, [self._t("desk-note-saved")])

    async def _reader_reply(
        self,
        ticket: Ticket,
        staff: StaffMember,
        reader: Reader,
        text: str,
        attachments: tuple[Attachment, ...],
    ) -> Reply:
        rt = self._catalog.translator(reader.language)
        signature = await self._profiles.signature(staff.platform, staff.user_id) or staff.name
        body = "\n\n".join(
            part
            for part in (
                rt("desk-answer-header", number=ticket.id),
                text,
                f"— {signature}",
                rt("desk-answer-rate-prompt"),
            )
            if part
        )
        number = str(ticket.id)
        rate_row = tuple(
            Button(rt("desk-answer-rate", score=score), pack("tk", "rate", number, str(score)))
            for score in range(1, 6)
        )
        add_row = (Button(rt("desk-answer-add"), pack("tk", "add", number)),)
        return Reply(text=body, buttons=(rate_row, add_row), attachments=attachments)

    def _too_big(self, attachments: tuple[Attachment, ...], reader: Reader) -> list[str]:
        """Files that must be downloaded to cross platforms but exceed the relay limit: the
        reader gets their names only, so staff are told to send them another way."""
        limit = self._config.tickets.max_relay_bytes
        return [
            self._t(
                "desk-file-too-big",
                name=a.file_name or self._t(f"desk-file-{a.kind}"),
                size=round(a.size / MEGABYTE, 1),
                limit=limit // MEGABYTE,
            )
            for a in attachments
            if a.platform is not reader.address.platform
            and a.data is None
            and a.size is not None
            and a.size > limit
        ]

    async def _acknowledge(
        self, origin: Origin, ticket: Ticket, lines: list[str], chat: StaffChat | None = None
    ) -> None:
        """Tell staff next to their message; through ``chat`` when the post must be stored
        with other writes (default: the desk's own)."""
        reply = answering(Reply(text="\n".join(lines)), origin.thread_id, origin.message_id)
        await (chat or self._desk.chat).confirm(
            f"staffchat:{origin.key}:ack", reply, ticket_id=ticket.id
        )


async def _record(
    tickets: Tickets,
    ticket: Ticket,
    kind: TicketMessageKind,
    staff: StaffMember,
    text: str,
    attachments: tuple[Attachment, ...],
    at: datetime,
) -> None:
    """Store what a staff member wrote on the ticket, with its files' descriptions."""
    await tickets.add_message(
        ticket.id, kind, text or None, [a.metadata() for a in attachments], author=staff, at=at
    )
