"""Hands a submitted form to the staff chat through the durable outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from handlers.core.config import ServiceConfig
from handlers.core.events import Attachment, AttachmentKind
from handlers.core.i18n import Translator, platform_name
from handlers.core.ports import Outbox
from handlers.core.replies import Reply
from storage.models import Platform, Reader


async def notify_staff(
    outbox: Outbox,
    config: ServiceConfig,
    staff_t: Translator,
    reader: Reader,
    kind: str,
    body: str,
    files: list[dict[str, Any]],
    at: datetime,
) -> bool:
    """Queue the request for the staff chat; False when no staff chat is configured.

    The key is derived from the reader and the moment of submission, so a retried turn does
    not post the same request twice.
    """
    if config.staff_chat is None:
        return False
    header = staff_t(
        "staff-new-request",
        kind=staff_t(kind),
        name=reader.display_name or staff_t("staff-anonymous"),
        platform=platform_name(staff_t, reader.address.platform),
    )
    reply = Reply(text=f"{header}\n\n{body}", attachments=tuple(_relayable(files)))
    key = f"staff:{kind}:{reader.id}:{at.strftime('%Y%m%dT%H%M%S%f')}"
    # The notice carries the reader's name and words: it is erased with the reader.
    await outbox.enqueue(key, config.staff_chat, reply.to_dict(), reader_id=reader.id)
    return True


def _relayable(files: list[dict[str, Any]]) -> list[Attachment]:
    """Files a reader sent, passed by platform reference; the sender relays them."""
    result = []
    for item in files:
        platform = item.get("platform")
        result.append(
            Attachment(
                kind=AttachmentKind(item.get("kind", AttachmentKind.DOCUMENT)),
                platform=Platform(platform) if platform else None,
                ref=item.get("ref"),
                file_name=item.get("file_name"),
                mime_type=item.get("mime_type"),
                size=item.get("size"),
            )
        )
    return result
