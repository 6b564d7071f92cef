"""Neutral incoming events: what a reader or staff member did, whatever the platform."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from handlers.core.wellformed import well_formed
from storage.models import Address, Platform


class AttachmentKind(enum.StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"
    UNSUPPORTED = "unsupported"
    """Voice, video, stickers, locations and the like: acknowledged, never processed."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file a user sent, or one to send.

    ``ref`` is the platform's own handle (a Telegram ``file_id``, a VK attachment URL) and is
    only meaningful on ``platform``; ``data`` holds the bytes when the file is uploaded anew.
    """

    kind: AttachmentKind
    platform: Platform | None = None
    ref: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    size: int | None = None
    data: bytes | None = None

    def __post_init__(self) -> None:
        _make_well_formed(self, ("ref", "file_name", "mime_type"))

    def metadata(self) -> dict[str, str | int | None]:
        """What is kept of the attachment in the stored conversation (never the bytes)."""
        return {
            "kind": str(self.kind),
            "platform": str(self.platform) if self.platform else None,
            "ref": self.ref,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "size": self.size,
        }


@dataclass(frozen=True, slots=True)
class Event:
    """One update from a platform, reduced to what the handlers need.

    A button press has ``payload`` set; a message has ``text`` and/or ``attachments``.
    ``address`` is where to answer; ``sender_id`` is the person who acted (they differ in
    group chats).
    """

    address: Address
    sender_id: int
    display_name: str = ""
    language_code: str | None = None
    text: str | None = None
    payload: str | None = None
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    message_id: int | None = None
    callback_id: str | None = None
    media_group_id: str | None = None
    is_private: bool = True
    buttons_supported: bool = True
    thread_id: int | None = None
    """The forum topic the message was written in (Telegram forum supergroups only)."""
    reply_to_message_id: int | None = None
    """The message this one replies to, in the same chat."""
    replied_attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    """The files of the message this one replies to, where the update carries them (both
    platforms do): a staff command replied to a file acts on that file."""

    def __post_init__(self) -> None:
        _make_well_formed(
            self,
            ("display_name", "language_code", "text", "payload", "callback_id", "media_group_id"),
        )

    @property
    def platform(self) -> Platform:
        return self.address.platform

    @property
    def is_button(self) -> bool:
        return self.payload is not None

    @property
    def command(self) -> str | None:
        """The bot command without its slash and any ``@botname``, lower-cased, if any.

        A command is a slash directly followed by its name. A lone slash, or a slash followed
        by whitespace (any Unicode whitespace, as ``str.split`` sees it), is plain text, as
        it is to Telegram.
        """
        if not self.text or not self.text.startswith("/"):
            return None
        rest = self.text[1:]
        if not rest or rest[0].isspace():
            return None
        head = rest.split(maxsplit=1)[0]
        return head.split("@", 1)[0].lower() or None


def _make_well_formed(instance: Attachment | Event, names: tuple[str, ...]) -> None:
    """Every text that came from a platform is well-formed from the moment an event exists,
    so no layer after it meets a lone surrogate or NUL (see :mod:`handlers.core.wellformed`)."""
    for name in names:
        value = getattr(instance, name)
        if isinstance(value, str):
            object.__setattr__(instance, name, well_formed(value))
