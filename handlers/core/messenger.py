"""The narrow port through which handlers talk to a platform, and the errors it raises."""

from __future__ import annotations

from typing import Protocol

from handlers.core.events import Attachment, Event
from handlers.core.replies import Reply
from storage.models import Address, Platform, StaffMember


class DeliveryError(Exception):
    """A platform refused or failed a call. Subclasses tell the caller what to do next."""


class RetryAfter(DeliveryError):
    """The platform asked us to slow down (Telegram 429, VK errors 6, 9 and 29)."""

    def __init__(self, seconds: float, reason: str = "") -> None:
        super().__init__(reason or f"retry after {seconds}s")
        self.seconds = seconds


class RecipientUnreachable(DeliveryError):
    """The reader blocked the bot or cannot receive its messages (Telegram 403, VK 901/7)."""


class TransientError(DeliveryError):
    """A 5xx answer or a network failure: worth retrying with back-off."""


class PermanentError(DeliveryError):
    """The call can never succeed as it is (a malformed request, a deleted chat)."""


class Messenger(Protocol):
    """What a platform adapter offers the neutral core."""

    platform: Platform

    async def send(self, to: Address, reply: Reply, *, idempotency_key: str | None = None) -> int:
        """Send a reply and return the platform's id of the (last) message sent.

        Where the platform supports it (VK ``random_id``), ``idempotency_key`` makes a resend
        of the same key a no-op.
        """
        ...

    async def edit(self, to: Address, message_id: int, reply: Reply) -> None:
        """Replace the text and buttons of a message the bot sent earlier."""
        ...

    async def delete(self, to: Address, message_id: int) -> None:
        """Delete, for everyone, a message the bot sent. Platforms allow it for a while only
        (Telegram: 48 hours; VK: 24 hours); past that, or for a message already gone, the
        call raises :class:`PermanentError`."""
        ...

    async def acknowledge(self, event: Event, notice: str | None = None) -> None:
        """Confirm a button press to the platform, optionally with a short pop-up notice."""
        ...

    async def download(self, attachment: Attachment) -> bytes:
        """Fetch the bytes of a file a user sent on this platform."""
        ...

    async def create_topic(self, chat: Address, title: str) -> int | None:
        """Open a forum topic in a group chat and return its id, or None where the chat (or
        the platform) has no topics: then everything goes to the chat itself."""
        ...

    async def reopen_topic(self, chat: Address, topic_id: int) -> None:
        """Reopen a closed forum topic (no-op where topics do not exist)."""
        ...

    async def rename_topic(self, chat: Address, topic_id: int, title: str) -> None:
        """Give a forum topic a new title (no-op where topics do not exist)."""
        ...

    async def is_chat_admin(self, chat: Address, user_id: int) -> bool:
        """Whether the user administers the group chat."""
        ...

    async def chat_admins(self, chat: Address) -> list[StaffMember]:
        """The people (not bots or communities) who administer the group chat, with their
        names. Raises :class:`DeliveryError` when the platform will not tell."""
        ...
