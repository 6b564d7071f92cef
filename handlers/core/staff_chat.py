"""Posting into the staff chat through the durable outbox, in the right thread."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from handlers.core.events import Event
from handlers.core.messenger import DeliveryError, Messenger
from handlers.core.ports import EDIT_KEY, EXPIRES_KEY, Outbox
from handlers.core.replies import Reply
from storage.models import Address, Platform, Ticket

log = logging.getLogger(__name__)

T = TypeVar("T")
PostLookup = Callable[[Address, int], Awaitable[T | None]]
"""Finds what a staff-chat thread belongs to by its chat and a topic or message id."""

LINK_KEY = "link"
"""The outbox payload key that ties a staff-chat post to its ticket (see ``on_sent``)."""

CONFIRMATION_WORTH = timedelta(minutes=2)
"""How long a confirmation to staff is worth sending. Past that the staff chat is over its
budget, the card already shows what happened, and the message would only delay others."""


class StaffChat:
    """The staff chat as the staff side writes to it.

    Every post goes through the outbox, so the sender keeps within the group's rate limits
    and a restart loses nothing. A post about a ticket carries ``"link"`` in its payload: once
    sent, its message id is recorded so that a staff reply to it threads to the ticket; the
    row also names the ticket in storage, so that erasing the ticket deletes the post.
    """

    def __init__(self, outbox: Outbox, chat: Address | None, clock: Callable[[], datetime]) -> None:
        self._outbox = outbox
        self.address = chat
        self._clock = clock

    def on(self, outbox: Outbox) -> StaffChat:
        """The same staff chat, queueing through ``outbox`` (one unit of work's)."""
        return StaffChat(outbox, self.address, self._clock)

    async def post(
        self,
        key: str,
        reply: Reply,
        *,
        ticket_id: int | None = None,
        card: bool = False,
        reader_id: int | None = None,
        extra: dict[str, object] | None = None,
    ) -> bool:
        """Queue one message; False when there is no staff chat or the key was used.

        ``reader_id`` names the reader whose data the post carries (erased with them);
        ``extra`` adds payload keys (``EDIT_KEY``, or another feature's link)."""
        if self.address is None:
            return False
        payload = reply.to_dict() | (extra or {})
        if ticket_id is not None:
            payload[LINK_KEY] = {"ticket": ticket_id, "card": card}
        return await self._outbox.enqueue(
            key, self.address, payload, reader_id=reader_id, ticket_id=ticket_id
        )

    async def open_topic(self, messengers: Mapping[Platform, Messenger], title: str) -> int | None:
        """Open a forum topic in the staff chat; None where the chat has no topics, or when
        the platform refused (then posts go to the chat itself)."""
        chat = self.address
        messenger = messengers.get(chat.platform) if chat else None
        if chat is None or messenger is None:
            return None
        try:
            return await messenger.create_topic(chat, title)
        except DeliveryError as error:
            log.warning("could not open a topic in the staff chat: %s", error)
            return None

    async def confirm(self, key: str, reply: Reply, *, ticket_id: int) -> bool:
        """Queue a confirmation of a staff action: like ``post``, but dropped unsent if the
        staff chat's budget holds it back longer than ``CONFIRMATION_WORTH``."""
        if self.address is None:
            return False
        payload = reply.to_dict() | {
            LINK_KEY: {"ticket": ticket_id, "card": False},
            EXPIRES_KEY: (self._clock() + CONFIRMATION_WORTH).isoformat(),
        }
        return await self._outbox.enqueue(key, self.address, payload, ticket_id=ticket_id)

    async def edit_card(self, ticket_id: int, message_id: int, card: Reply) -> bool:
        """Queue an edit of the ticket's card (message ``message_id``) to ``card``.

        Edits of one card message coalesce: this one replaces an edit still waiting, and is
        dropped when the card already shows ``card``, so a burst of changes spends one of the
        staff chat's 20 messages a minute. False when nothing was queued.
        """
        return await self._latest_card(ticket_id, card, f"{message_id}", {EDIT_KEY: message_id})

    async def post_card(self, ticket_id: int, card: Reply) -> bool:
        """Queue the ticket's card as a new message in the staff chat.

        Like edits, posts of one ticket's card coalesce: a change made while the card still
        waits for the staff chat's budget replaces the waiting card instead of queueing a
        second one, and a card equal to the one already posted is not queued again.
        """
        if self.address is None:
            return False
        where = f"{self.address.platform}:{self.address.peer_id}:post"
        return await self._latest_card(ticket_id, card, where, {})

    async def _latest_card(
        self, ticket_id: int, card: Reply, where: str, extra: dict[str, object]
    ) -> bool:
        if self.address is None:
            return False
        payload = card.to_dict() | {LINK_KEY: {"ticket": ticket_id, "card": True}} | extra
        group = f"card:{ticket_id}:{where}"
        # A state may come back after another was shown, so each one needs a key of its own;
        # the group is what keeps a repeat from being sent twice.
        key = f"{group}:{uuid.uuid4().hex}"
        return await self._outbox.enqueue_latest(
            key, self.address, payload, group, ticket_id=ticket_id
        )

    async def post_all(
        self,
        key: str,
        replies: Sequence[Reply],
        *,
        ticket_id: int | None = None,
    ) -> int:
        """Queue several messages under ``key:0``, ``key:1``…; returns how many were new."""
        added = 0
        for index, reply in enumerate(replies):
            added += await self.post(f"{key}:{index}", reply, ticket_id=ticket_id)
        return added


def in_thread(ticket: Ticket, reply: Reply) -> Reply:
    """Place a post in the ticket's thread: its forum topic, or a reply to its card."""
    thread = ticket.thread
    if thread is None:
        return reply
    if thread.topic_id is not None:
        return dataclasses.replace(reply, thread_id=thread.topic_id)
    return dataclasses.replace(reply, reply_to=thread.card_message_id)


def answering(reply: Reply, thread_id: int | None, message_id: int | None) -> Reply:
    """Place a post as an answer to a staff message: same topic, replying to it."""
    return dataclasses.replace(reply, thread_id=thread_id, reply_to=message_id)


async def thread_owner(event: Event, by_topic: PostLookup[T], by_post: PostLookup[T]) -> T | None:
    """What a staff message is about: the item whose forum topic it is in, else the item
    whose post it replies to; None for other chatter."""
    if event.thread_id is not None:
        owner = await by_topic(event.address, event.thread_id)
        if owner is not None:
            return owner
    if event.reply_to_message_id is not None:
        return await by_post(event.address, event.reply_to_message_id)
    return None


def event_key(event: Event) -> str:
    """Names one staff message, so that a platform's repeated delivery of it acts once."""
    mark = event.message_id if event.message_id is not None else uuid.uuid4().hex
    return f"{event.address}:{mark}"


def is_note(text: str | None, prefix: str) -> bool:
    """A staff message starting with the note prefix is an internal note, even when it
    looks like a command (so that a prefix such as ``//`` works)."""
    return bool(prefix) and (text or "").strip().startswith(prefix)
