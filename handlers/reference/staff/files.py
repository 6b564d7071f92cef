"""Stored attachment metadata turned back into attachments the outbox can relay."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from handlers.core.events import Attachment, AttachmentKind
from handlers.core.i18n import Translator
from storage.models import Platform


def relayable(items: Iterable[dict[str, Any]]) -> tuple[Attachment, ...]:
    """Files passed by their platform reference; the outbox sender downloads and uploads
    them when the target is another platform. Files without a reference (unsupported media)
    cannot be sent and are left out."""
    result = []
    for item in items:
        kind = _kind(item.get("kind"))
        if kind is AttachmentKind.UNSUPPORTED or not item.get("ref"):
            continue
        platform = item.get("platform")
        size = item.get("size")
        result.append(
            Attachment(
                kind=kind,
                platform=Platform(platform) if platform else None,
                ref=str(item["ref"]),
                file_name=item.get("file_name"),
                mime_type=item.get("mime_type"),
                size=int(size) if size is not None else None,
            )
        )
    return tuple(result)


def file_names(items: Sequence[dict[str, Any]], t: Translator) -> str:
    """The files' names for a card or a transcript, in the order sent."""
    names = []
    for item in items:
        name = item.get("file_name")
        names.append(str(name) if name else t(f"desk-file-{_kind(item.get('kind'))}"))
    return ", ".join(names)


def _kind(raw: Any) -> AttachmentKind:
    try:
        return AttachmentKind(raw)
    except ValueError:
        return AttachmentKind.DOCUMENT
