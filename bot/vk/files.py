"""Files on their way to and from VK: downloads, and uploads through VK's upload servers."""

from __future__ import annotations

import re
from io import BytesIO

import aiohttp
from vkbottle import DocMessagesUploader, PhotoMessageUploader

from bot.vk.api import VkApi
from bot.vk.errors import delivery_errors
from handlers.core.events import Attachment, AttachmentKind
from handlers.core.messenger import PermanentError, TransientError
from storage.models import Platform

ATTACHMENT_STRING = re.compile(r"^(photo|doc)-?\d+_\d+(_[0-9a-zA-Z]+)?$")
"""An attachment VK already holds, such as ``photo-1001_457239017_ak1``."""


async def fetch(api: VkApi, url: str) -> bytes:
    """The bytes at ``url`` (a file VK serves), with failures as delivery errors."""
    if not url.startswith(("http://", "https://")):
        raise PermanentError("the attachment has no download URL")
    try:
        status, body = await api.fetch(url)
    except (aiohttp.ClientError, TimeoutError) as error:
        raise TransientError(f"download failed: {type(error).__name__}") from error
    if status >= 500:
        raise TransientError(f"download failed: HTTP {status}")
    if status != 200:
        raise PermanentError(f"download failed: HTTP {status}")
    return body


async def attachment_string(api: VkApi, attachment: Attachment, peer_id: int | None) -> str:
    """What ``messages.send`` takes in ``attachment`` for one file.

    A VK attachment string is reused as it is; otherwise the bytes (given, or fetched from a
    VK URL) go up through the messages upload server, which is what lets a community send
    them to ``peer_id``.
    """
    if (
        attachment.platform is Platform.VK
        and attachment.ref
        and ATTACHMENT_STRING.match(attachment.ref)
    ):
        return attachment.ref
    data = attachment.data
    if data is None and attachment.platform is Platform.VK and attachment.ref:
        data = await fetch(api, attachment.ref)
    if data is None:
        raise PermanentError("the attachment has neither bytes nor a VK reference")
    try:
        with delivery_errors():
            if attachment.kind is AttachmentKind.PHOTO:
                photos = PhotoMessageUploader(api, attachment_name=attachment.file_name)
                return str(await photos.upload(BytesIO(data), peer_id=peer_id))
            if attachment.kind is AttachmentKind.DOCUMENT:
                docs = DocMessagesUploader(api)
                title = attachment.file_name or "document"
                return str(await docs.upload(BytesIO(data), peer_id=peer_id, title=title))
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        raise TransientError(f"upload failed: {type(error).__name__}") from error
    raise PermanentError(f"cannot send a {attachment.kind} attachment on VK")
