"""Renewal requests in the staff chat: posting their cards (a forum topic each where the chat
is a forum), keeping the cards current, and telling readers the outcome."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime

from handlers.core.config import ServiceConfig
from handlers.core.i18n import Catalog, Translator
from handlers.core.messenger import Messenger
from handlers.core.ports import EDIT_KEY, Outbox, Readers
from handlers.core.replies import Reply
from handlers.core.staff_chat import StaffChat
from handlers.loans.ports import RenewalRequests
from handlers.loans.staff.cards import refusal_words, render_card, topic_title
from handlers.loans.wording import day_text, moment_text
from storage.models import OutboxItem, Platform, RenewalRequest, RenewalStatus, StaffThread

RENEWAL_KEY = "renewal"
"""The outbox payload key that ties a staff-chat post to its renewal request: once the card
is sent, its message id is recorded (see ``on_sent``) so that it can be edited and replied to."""


class RenewalStaffDesk:
    """Satisfies ``handlers.loans.ports.RenewalDesk``; also the outbox sender's after-send
    hook for renewal cards."""

    def __init__(
        self,
        *,
        renewals: RenewalRequests,
        readers: Readers,
        outbox: Outbox,
        catalog: Catalog,
        messengers: Mapping[Platform, Messenger],
        config: ServiceConfig,
        clock: Callable[[], datetime],
    ) -> None:
        self._renewals = renewals
        self._readers = readers
        self._outbox = outbox
        self._catalog = catalog
        self._messengers = messengers
        self._config = config
        self._clock = clock
        self.chat = StaffChat(outbox, config.staff_chat, clock)
        self.t: Translator = catalog.translator(catalog.default)

    def on(self, outbox: Outbox) -> RenewalStaffDesk:
        """The same desk, queueing through ``outbox`` (one unit of work's)."""
        return RenewalStaffDesk(
            renewals=self._renewals,
            readers=self._readers,
            outbox=outbox,
            catalog=self._catalog,
            messengers=self._messengers,
            config=self._config,
            clock=self._clock,
        )

    @property
    def timezone(self) -> str:
        return self._config.library.timezone

    async def request_opened(self, request: RenewalRequest) -> bool:
        chat = self.chat.address
        if chat is None:
            return False
        reader = await self._readers.get_by_id(request.reader_id)
        topic_id = await self.chat.open_topic(
            self._messengers, topic_title(self.t, request, reader)
        )
        if topic_id is not None:
            await self._renewals.set_thread(request.id, StaffThread(chat, topic_id))
        card = dataclasses.replace(
            render_card(request, reader, self.t, self.timezone), thread_id=topic_id
        )
        return await self.chat.post(
            f"renewal:{request.id}:card",
            card,
            reader_id=request.reader_id,
            extra={RENEWAL_KEY: {"request": request.id, "card": True}},
        )

    async def show(self, request: RenewalRequest, *, refusing: bool = False) -> None:
        """Show the request's current state on its card: an edit in place once the card's
        message is known, otherwise the card posted anew."""
        chat = self.chat.address
        if chat is None:
            return
        reader = await self._readers.get_by_id(request.reader_id)
        card = render_card(request, reader, self.t, self.timezone, refusing=refusing)
        thread = request.thread
        topic_id = thread.topic_id if thread and thread.chat == chat else None
        extra: dict[str, object] = {RENEWAL_KEY: {"request": request.id, "card": True}}
        if thread is not None and thread.chat == chat and thread.card_message_id is not None:
            extra[EDIT_KEY] = thread.card_message_id
        await self.chat.post(
            f"renewal:{request.id}:card:{uuid.uuid4().hex}",
            dataclasses.replace(card, thread_id=topic_id),
            reader_id=request.reader_id,
            extra=extra,
        )

    async def list_line(self, request: RenewalRequest) -> str:
        """One open request in the staff's list: number, reader, card, when it came."""
        reader = await self._readers.get_by_id(request.reader_id)
        name = (reader.display_name if reader else None) or self.t("renewal-reader-anonymous")
        return self.t(
            "renewal-list-line",
            number=request.id,
            name=name,
            card=request.card_number,
            at=moment_text(request.created_at, self.timezone),
        )

    async def say(self, request: RenewalRequest, key: str, text: str) -> None:
        """Post a short notice in the request's thread (its topic, or a reply to its card)."""
        thread = request.thread
        reply = Reply(text=text)
        if thread is not None and thread.chat == self.chat.address:
            reply = dataclasses.replace(
                reply, thread_id=thread.topic_id, reply_to=thread.card_message_id
            )
        await self.chat.post(key, reply, reader_id=request.reader_id)

    async def tell_reader(self, request: RenewalRequest) -> None:
        """The decision, to the reader in their language, through the outbox."""
        reader = await self._readers.get_by_id(request.reader_id)
        if reader is None or request.status is RenewalStatus.OPEN:
            return
        t = self._catalog.translator(reader.language)
        if request.status is RenewalStatus.RENEWED and request.renewed_until is not None:
            until = day_text(t, request.renewed_until, self.timezone)
            text = t("loans-staff-renewed", number=request.id, until=until)
        else:
            text = t("loans-staff-refused", number=request.id, reason=refusal_words(t, request))
        await self._outbox.enqueue(
            f"renewal:{request.id}:outcome",
            reader.address,
            Reply(text=text).to_dict(),
            reader_id=reader.id,
        )

    async def on_sent(self, item: OutboxItem, message_id: int) -> None:
        """The outbox sender's after-send hook: remember the card's message, so that it can be
        edited and staff replies to it find the request. Other rows are ignored."""
        link = item.payload.get(RENEWAL_KEY)
        if not isinstance(link, dict) or not isinstance(link.get("request"), int):
            return
        if link.get("card") is not True:
            return
        request = await self._renewals.get(link["request"])
        if request is None:
            return
        topic_id = Reply.from_dict(item.payload).thread_id
        await self._renewals.set_thread(request.id, StaffThread(item.address, topic_id, message_id))
