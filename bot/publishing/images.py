"""The bytes of a post's pictures: a cover from the web, or a file a staff member sent."""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp

from handlers.core.events import Attachment, AttachmentKind
from handlers.core.messenger import Messenger, PermanentError, TransientError
from handlers.publishing.posts import Image
from storage.models import Platform

MAX_IMAGE_BYTES = 10 * 1024 * 1024
"""Telegram takes photos of up to 10 MB."""


class ImageFetcher:
    def __init__(
        self,
        messengers: Mapping[Platform, Messenger],
        session: aiohttp.ClientSession,
        max_bytes: int = MAX_IMAGE_BYTES,
    ) -> None:
        self._messengers = messengers
        self._session = session
        self._max_bytes = max_bytes

    async def fetch(self, image: Image) -> bytes:
        if image.url:
            return await self._download(image.url)
        source = self._messengers.get(image.platform) if image.platform else None
        if source is None or not image.ref:
            raise PermanentError("the picture is neither a web address nor a known file")
        return await source.download(
            Attachment(AttachmentKind.PHOTO, platform=image.platform, ref=image.ref)
        )

    async def _download(self, url: str) -> bytes:
        if not url.startswith(("http://", "https://")):
            raise PermanentError("a picture's address must be http(s)")
        try:
            async with self._session.get(url) as response:
                if response.status >= 500:
                    raise TransientError(f"picture download failed: HTTP {response.status}")
                if response.status != 200:
                    raise PermanentError(f"picture download failed: HTTP {response.status}")
                data = await response.content.read(self._max_bytes + 1)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise TransientError(f"picture download failed: {type(error).__name__}") from None
        if len(data) > self._max_bytes:
            raise PermanentError("the picture is over 10 MB")
        if not data:
            raise PermanentError("the picture is empty")
        return data
