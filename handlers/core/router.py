"""Which side of the desk an event belongs to: the staff chat, or a reader's private chat."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.core.events import Event
from storage.models import Address

Handler = Callable[[Event], Awaitable[None]]


class EventRouter:
    """Events from the staff chat go to the staff side, private chats to the reader side;
    other group chats the bot happens to be in are ignored."""

    def __init__(self, *, reader: Handler, staff: Handler, staff_chat: Address | None) -> None:
        self._reader = reader
        self._staff = staff
        self._staff_chat = staff_chat

    async def handle(self, event: Event) -> None:
        if self._staff_chat is not None and event.address == self._staff_chat:
            await self._staff(event)
        elif event.is_private:
            await self._reader(event)
