"""The staff chat's view of tickets: topics, cards and thread posts (the ``StaffDesk`` port)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from handlers.core.config import ServiceConfig
from handlers.core.i18n import Catalog, Translator
from handlers.core.messenger import DeliveryError, Messenger
from handlers.core.ports import Outbox, Tickets, UnitOfWork
from handlers.core.replies import Reply
from handlers.core.staff_chat import LINK_KEY, StaffChat, in_thread
from handlers.reference.staff.cards import (
    forgotten_card,
    reader_name,
    render_card,
    topic_title,
)
from handlers.reference.staff.files import relayable
from storage.models import (
    Address,
    ErasedTicket,
    OutboxItem,
    Platform,
    StaffThread,
    Ticket,
    TicketMessage,
    TicketMessageKind,
)

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class StaffDeskService:
    """Keeps every ticket visible in the staff chat.

    In a forum supergroup a ticket gets its own topic with the card as its first message; in a
    plain group the card is a message of the chat and the ticket's later posts reply to it.
    Posts go through the outbox; ``on_sent`` (the outbox sender's after-send hook) records
    their message ids, which is how staff replies find their ticket. Cards are edited in place
    and posted anew only when the old one cannot be edited.
    """

    def __init__(
        self,
        *,
        tickets: Tickets,
        outbox: Outbox,
        catalog: Catalog,
        messengers: Mapping[Platform, Messenger],
        config: ServiceConfig,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._tickets = tickets
        self._messengers = messengers
        self._config = config
        self._clock = clock
        self.chat = StaffChat(outbox, config.staff_chat, clock)
        self.t: Translator = catalog.translator(catalog.default)
        """Texts for staff, in the library's default language."""

    async def ticket_opened(self, ticket: Ticket, request: TicketMessage) -> None:
        """Open the ticket's topic (forums) and post its card, then the request's files."""
        if self.chat.address is None:
            return
        placed = await self._placed(ticket)
        await self._post_card(placed, request)
        if request.attachments:
            files = Reply(
                text=self.t("desk-request-files", number=placed.id),
                attachments=relayable(request.attachments),
            )
            await self.chat.post(
                f"thread:{placed.id}:msg:{request.id}",
                in_thread(placed, files),
                ticket_id=placed.id,
            )

    async def queue_reader_message(
        self, work: UnitOfWork, ticket: Ticket, message: TicketMessage
    ) -> None:
        """Queue the post of the reader's follow-up with the transaction storing it, when the
        ticket already has its place in the staff chat. Otherwise ``reader_wrote`` places the
        ticket (that may open a topic, a platform call) and queues the post itself."""
        chat = self.chat.address
        placed = await work.tickets.get(ticket.id)
        if chat is None or placed is None or placed.thread is None or placed.thread.chat != chat:
            return
        key, post = self._reader_post(placed, message)
        await self.chat.on(work.outbox).post(key, post, ticket_id=placed.id)

    async def reader_wrote(self, ticket: Ticket, message: TicketMessage) -> None:
        """Post the reader's follow-up in the ticket's thread (a no-op when it was queued
        with the message) and refresh the card."""
        if self.chat.address is None:
            return
        placed = await self._placed(ticket)
        thread = placed.thread
        if thread is not None and thread.topic_id is not None:
            await self._reopen_topic(thread)
        key, post = self._reader_post(placed, message)
        await self.chat.post(key, post, ticket_id=placed.id)
        await self.refresh_card(placed.id)

    def _reader_post(self, placed: Ticket, message: TicketMessage) -> tuple[str, Reply]:
        """The reader's message as posted in the ticket's thread, with its outbox key."""
        header = self.t("desk-reader-wrote", number=placed.id, name=reader_name(self.t, placed))
        text = "\n\n".join(part for part in (header, message.text) if part)
        post = Reply(text=text, attachments=relayable(message.attachments))
        return f"thread:{placed.id}:msg:{message.id}", in_thread(placed, post)

    async def ticket_changed(self, ticket: Ticket, message: TicketMessage | None) -> None:
        """Refresh the card after the reader cancelled or rated; post ``message`` if given."""
        if self.chat.address is None:
            return
        placed = await self._placed(ticket)
        if message is not None:
            await self.post_system(placed, message)
        await self.refresh_card(placed.id)

    async def post_system(self, ticket: Ticket, message: TicketMessage) -> None:
        """Post a SYSTEM record of the ticket in its thread."""
        post = Reply(text=f"⚙️ {message.text or ''}".rstrip())
        await self.chat.post(
            f"thread:{ticket.id}:msg:{message.id}", in_thread(ticket, post), ticket_id=ticket.id
        )

    async def refresh_card(self, ticket_id: int) -> Ticket | None:
        """Show the ticket's current state on its card: an edit in place, queued in the
        outbox (see ``StaffChat.edit_card``), or a new card when the old one is unknown. The
        outbox posts the card anew if the old one cannot be edited. Returns the ticket as
        stored."""
        ticket = await self._tickets.get(ticket_id)
        chat = self.chat.address
        if ticket is None or chat is None:
            return ticket
        thread = ticket.thread
        if thread is None or thread.chat != chat:
            ticket = await self._placed(ticket)
            thread = ticket.thread
        card = await self._card(ticket, await self._request(ticket.id))
        if thread is not None and thread.card_message_id is not None:
            placed = dataclasses.replace(card, thread_id=thread.topic_id)
            await self.chat.edit_card(ticket.id, thread.card_message_id, placed)
        else:
            await self._post_card(ticket, None, card)
        return ticket

    async def reader_forgotten(self, erased: Sequence[ErasedTicket]) -> None:
        """The reader's tickets were erased at their request. The bot deletes its other
        posts about each ticket where the platform still allows it, renames the ticket's
        forum topic, and replaces the card with a notice saying so. A card that cannot be
        edited any more gets the notice posted under it instead."""
        for ticket in erased:
            thread = ticket.thread
            card = (thread.chat, thread.card_message_id) if thread is not None else None
            for chat, message_id in ticket.posts:
                if (chat, message_id) != card:
                    await self._delete_post(chat, message_id)
            if thread is None or thread.card_message_id is None:
                continue  # The card was never posted; its queued post went with the ticket.
            if thread.topic_id is not None:
                await self._rename_topic(thread, self.t("desk-topic-forgotten", number=ticket.id))
            notice = forgotten_card(ticket.id, self.t)
            messenger = self._messengers.get(thread.chat.platform)
            if messenger is not None:
                try:
                    await messenger.edit(thread.chat, thread.card_message_id, notice)
                    continue
                except DeliveryError as error:
                    log.info("card of erased ticket %d not edited (%s)", ticket.id, error)
            if thread.chat == self.chat.address:
                placed = dataclasses.replace(
                    notice, thread_id=thread.topic_id, reply_to=thread.card_message_id
                )
                await self.chat.post(f"forgotten:{thread.chat}:{thread.card_message_id}", placed)

    async def reopen_topic(self, ticket: Ticket) -> None:
        """Reopen the ticket's forum topic, if it has one (staff or a reader reopened it)."""
        if ticket.thread is not None and ticket.thread.topic_id is not None:
            await self._reopen_topic(ticket.thread)

    async def before_send(self, item: OutboxItem, reply: Reply) -> Reply:
        """The outbox sender's before-send hook: a ticket post queued before its card was
        sent (the request's files, right after the card) learns its place in the thread only
        now, when the card's message id is known."""
        link = item.payload.get(LINK_KEY)
        if (
            not isinstance(link, dict)
            or link.get("card") is True
            or not isinstance(link.get("ticket"), int)
            or reply.thread_id is not None
            or reply.reply_to is not None
        ):
            return reply
        ticket = await self._tickets.get(link["ticket"])
        if ticket is None or ticket.thread is None or ticket.thread.chat != item.address:
            return reply
        return in_thread(ticket, reply)

    async def on_sent(self, item: OutboxItem, message_id: int) -> None:
        """The outbox sender's after-send hook: remember which ticket a staff-chat message
        belongs to, and the card's message id so that it can be edited later. Rows without
        a ``"link"`` (answers to readers, reminders…) are ignored."""
        link = item.payload.get(LINK_KEY)
        if not isinstance(link, dict) or not isinstance(link.get("ticket"), int):
            return
        ticket_id: int = link["ticket"]
        ticket = await self._tickets.get(ticket_id)
        if ticket is None:
            return
        await self._tickets.link_staff_message(ticket_id, item.address, message_id)
        if link.get("card") is True:
            topic_id = ticket.thread.topic_id if ticket.thread else None
            if ticket.thread is None or ticket.thread.chat != item.address:
                topic_id = Reply.from_dict(item.payload).thread_id
            await self._tickets.set_thread(
                ticket_id,
                StaffThread(chat=item.address, topic_id=topic_id, card_message_id=message_id),
            )

    @property
    def _tz(self) -> str:
        return self._config.working_time.timezone

    async def _placed(self, ticket: Ticket) -> Ticket:
        """The ticket with its place in the current staff chat, opening a topic for it if it
        has none there yet. Reuses the stored place, so a repeated call opens nothing."""
        chat = self.chat.address
        stored = await self._tickets.get(ticket.id) or ticket
        if chat is None or (stored.thread is not None and stored.thread.chat == chat):
            return stored
        topic_id = await self._open_topic(topic_title(self.t, stored))
        thread = StaffThread(chat=chat, topic_id=topic_id)
        await self._tickets.set_thread(stored.id, thread)
        return dataclasses.replace(stored, thread=thread)

    async def _open_topic(self, title: str) -> int | None:
        # The card still reaches the chat itself without one; replies thread as in a group.
        return await self.chat.open_topic(self._messengers, title)

    async def _delete_post(self, chat: Address, message_id: int) -> None:
        messenger = self._messengers.get(chat.platform)
        if messenger is None:
            return
        try:
            await messenger.delete(chat, message_id)
        except DeliveryError as error:
            # Too old for the platform: the card's notice asks staff to delete it by hand.
            log.info("staff-chat message %d not deleted: %s", message_id, error)

    async def _rename_topic(self, thread: StaffThread, title: str) -> None:
        messenger = self._messengers.get(thread.chat.platform)
        if messenger is None or thread.topic_id is None:
            return
        try:
            await messenger.rename_topic(thread.chat, thread.topic_id, title)
        except DeliveryError as error:
            log.warning("could not rename topic %d: %s", thread.topic_id, error)

    async def _reopen_topic(self, thread: StaffThread) -> None:
        messenger = self._messengers.get(thread.chat.platform)
        if messenger is None or thread.topic_id is None:
            return
        try:
            await messenger.reopen_topic(thread.chat, thread.topic_id)
        except DeliveryError as error:
            log.warning("could not reopen topic %d: %s", thread.topic_id, error)

    async def _card(self, ticket: Ticket, request: TicketMessage | None) -> Reply:
        events = await self._tickets.events(ticket.id)
        handovers = [event for event in events if event.handover is not None]
        last = handovers[-1] if handovers else None
        return render_card(ticket, request, self.t, self._tz, self._clock(), last)

    async def _request(self, ticket_id: int) -> TicketMessage | None:
        for message in await self._tickets.messages(ticket_id):
            if message.kind is TicketMessageKind.READER:
                return message
        return None

    async def _post_card(
        self,
        ticket: Ticket,
        request: TicketMessage | None,
        card: Reply | None = None,
    ) -> None:
        if card is None:
            card = await self._card(ticket, request)
        topic_id = ticket.thread.topic_id if ticket.thread else None
        placed = dataclasses.replace(card, thread_id=topic_id)
        await self.chat.post_card(ticket.id, placed)
