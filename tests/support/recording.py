"""A messenger that records what the core would have sent, for handler tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.core.events import Attachment, Event
from handlers.core.messenger import PermanentError
from handlers.core.replies import Reply
from storage.models import Address, Platform, StaffMember


@dataclass
class RecordingMessenger:
    platform: Platform = Platform.TELEGRAM
    sent: list[tuple[Address, Reply]] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    notices: list[str | None] = field(default_factory=list)
    """The pop-up notice of each acknowledged press, in order."""
    edits: list[tuple[Address, int, Reply]] = field(default_factory=list)
    forum: bool = False
    topics: list[str] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    admins: set[int] = field(default_factory=set)
    names: dict[int, str] = field(default_factory=dict)
    """The names ``chat_admins`` gives the admins (``Admin <id>`` otherwise)."""
    failures: list[Exception] = field(default_factory=list)
    """Raised by the next sends, one each, before sends succeed again."""
    deleted: list[tuple[Address, int]] = field(default_factory=list)
    undeletable: set[int] = field(default_factory=set)
    """Message ids the platform refuses to delete (too old)."""
    renamed: list[tuple[int, str]] = field(default_factory=list)
    files: dict[str, bytes | Exception] = field(default_factory=dict)
    """What ``download`` gives (or raises) for a file reference; other files are empty."""

    async def send(self, to: Address, reply: Reply, *, idempotency_key: str | None = None) -> int:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((to, reply))
        return len(self.sent)

    async def edit(self, to: Address, message_id: int, reply: Reply) -> None:
        self.edits.append((to, message_id, reply))

    async def delete(self, to: Address, message_id: int) -> None:
        if message_id in self.undeletable:
            raise PermanentError("message can't be deleted for everyone")
        self.deleted.append((to, message_id))

    async def acknowledge(self, event: Event, notice: str | None = None) -> None:
        if event.callback_id:
            self.acknowledged.append(event.callback_id)
            self.notices.append(notice)

    async def download(self, attachment: Attachment) -> bytes:
        stored = self.files.get(attachment.ref or "", b"")
        if isinstance(stored, Exception):
            raise stored
        return stored

    async def create_topic(self, chat: Address, title: str) -> int | None:
        if not self.forum:
            return None
        self.topics.append(title)
        return 100 + len(self.topics)

    async def reopen_topic(self, chat: Address, topic_id: int) -> None:
        self.reopened.append(topic_id)

    async def rename_topic(self, chat: Address, topic_id: int, title: str) -> None:
        self.renamed.append((topic_id, title))

    async def is_chat_admin(self, chat: Address, user_id: int) -> bool:
        return user_id in self.admins

    async def chat_admins(self, chat: Address) -> list[StaffMember]:
        return [
            StaffMember(self.platform, user_id, self.names.get(user_id, f"Admin {user_id}"))
            for user_id in sorted(self.admins)
        ]

    def replies_to(self, address: Address) -> list[Reply]:
        return [reply for to, reply in self.sent if to == address]

    def last(self, address: Address) -> Reply:
        return self.replies_to(address)[-1]

    def clear(self) -> None:
        self.sent.clear()
