"""Carrying files across platforms: a file that lives on one platform is downloaded from it
so that the other platform's messenger can upload it."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping

from handlers.core.events import Attachment
from handlers.core.messenger import Messenger, PermanentError
from handlers.core.replies import Reply
from storage.models import Platform

log = logging.getLogger(__name__)

MAX_RELAY_BYTES = 20 * 1024 * 1024
"""Telegram lets a bot download files of up to 20 MB; the same cap keeps VK relays sane."""

Notice = Callable[[str, str], str]
"""Builds the line that stands in for a file that could not be relayed: (file name, reason
message id) → text in the recipient's language."""


class AttachmentRelay:
    """Prepares a reply for its target platform.

    A file already on the target platform (or carrying its bytes) goes as it is. Any other is
    downloaded through its own platform's messenger. A file too large to relay, or one its
    platform no longer serves, is named in the text instead: never dropped silently. A
    transient download failure propagates, so that the outbox retries the whole row later.
    """

    def __init__(
        self,
        messengers: Mapping[Platform, Messenger],
        notice: Notice,
        max_bytes: int = MAX_RELAY_BYTES,
    ) -> None:
        self._messengers = messengers
        self._notice = notice
        self._max_bytes = max_bytes

    async def prepare(self, reply: Reply, target: Platform) -> Reply:
        if all(self._ready(a, target) for a in reply.attachments):
            return reply
        kept: list[Attachment] = []
        notes: list[str] = []
        for attachment in reply.attachments:
            if self._ready(attachment, target):
                kept.append(attachment)
                continue
            relayed, reason = await self._fetch(attachment)
            if relayed is not None:
                kept.append(relayed)
            else:
                notes.append(self._notice(attachment.file_name or str(attachment.kind), reason))
        text = "\n\n".join(part for part in (reply.text, "\n".join(notes)) if part)
        return dataclasses.replace(reply, text=text, attachments=tuple(kept))

    @staticmethod
    def _ready(attachment: Attachment, target: Platform) -> bool:
        return attachment.data is not None or attachment.platform is target

    async def _fetch(self, attachment: Attachment) -> tuple[Attachment | None, str]:
        if attachment.size is not None and attachment.size > self._max_bytes:
            return None, "relay-file-too-big"
        source = self._messengers.get(attachment.platform) if attachment.platform else None
        if source is None or attachment.ref is None:
            return None, "relay-file-unavailable"
        try:
            data = await source.download(attachment)
        except PermanentError as error:
            log.info("relay: %s file unavailable: %s", attachment.platform, type(error).__name__)
            return None, "relay-file-unavailable"
        if len(data) > self._max_bytes:
            return None, "relay-file-too-big"
        return dataclasses.replace(attachment, data=data, size=len(data)), ""
