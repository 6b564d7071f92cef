"""Neutral outgoing replies that each adapter renders in its own way."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from handlers.core.events import Attachment, AttachmentKind
from storage.models import Platform


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    payload: str


@dataclass(frozen=True, slots=True)
class Reply:
    """Plain text (never markup: adapters send it without a parse mode), optional rows of
    buttons and optional files."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = field(default_factory=tuple)
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    thread_id: int | None = None
    """Send into this forum topic (Telegram forum supergroups; ignored elsewhere)."""
    reply_to: int | None = None
    """Send as a reply to this message of the same chat, where the platform can."""

    def flat_buttons(self) -> list[Button]:
        return [button for row in self.buttons for button in row]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe form, for the outbox table."""
        return {
            "text": self.text,
            "buttons": [[[b.text, b.payload] for b in row] for row in self.buttons],
            "attachments": [_attachment_to_dict(a) for a in self.attachments],
            "thread_id": self.thread_id,
            "reply_to": self.reply_to,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        return cls(
            text=str(data.get("text", "")),
            buttons=tuple(
                tuple(Button(str(text), str(payload)) for text, payload in row)
                for row in data.get("buttons", [])
            ),
            attachments=tuple(_attachment_from_dict(a) for a in data.get("attachments", [])),
            thread_id=_optional_int(data.get("thread_id")),
            reply_to=_optional_int(data.get("reply_to")),
        )


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _attachment_to_dict(attachment: Attachment) -> dict[str, Any]:
    data = attachment.metadata()
    if attachment.data is not None:
        data["data"] = base64.b64encode(attachment.data).decode("ascii")
    return data


def _attachment_from_dict(data: dict[str, Any]) -> Attachment:
    raw = data.get("data")
    platform = data.get("platform")
    return Attachment(
        kind=AttachmentKind(data.get("kind", AttachmentKind.DOCUMENT)),
        platform=Platform(platform) if platform else None,
        ref=data.get("ref"),
        file_name=data.get("file_name"),
        mime_type=data.get("mime_type"),
        size=data.get("size"),
        data=base64.b64decode(raw) if raw else None,
    )
