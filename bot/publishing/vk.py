"""Posts to the VK community wall with a community admin's user token.

``wall.post`` and wall photo uploads refuse a community token (error 27), so this client
holds the separate ``VK_USER_TOKEN``. A photo goes ``photos.getWallUploadServer`` → upload →
``photos.saveWallPhoto``; a poll is made with ``polls.create`` and attached; the post is
``wall.post`` with ``owner_id=-group_id`` and ``from_group=1``.
"""

from __future__ import annotations

import json
from io import BytesIO

import aiohttp
from vkbottle import PhotoWallUploader

from bot.publishing.images import ImageFetcher
from bot.vk.api import VkApi
from bot.vk.errors import delivery_errors
from handlers.core.messenger import PermanentError, TransientError
from handlers.publishing.posts import Image, Post
from storage.models import Platform


class VkWallPublisher:
    platform = Platform.VK

    def __init__(self, api: VkApi, group_id: int, images: ImageFetcher) -> None:
        self._api = api
        self._group_id = group_id
        self._images = images

    async def publish(self, post: Post, key: str) -> int:
        attachments = [await self._photo(index, image) for index, image in enumerate(post.images)]
        if post.poll is not None:
            with delivery_errors():
                poll = await self._api.call(
                    "polls.create",
                    question=post.poll.question,
                    add_answers=json.dumps(list(post.poll.options), ensure_ascii=False),
                    owner_id=-self._group_id,
                )
            attachments.append(f"poll{poll['owner_id']}_{poll['id']}")
        if not post.text.strip() and not attachments:
            raise PermanentError("an empty post")
        # VK drops a second wall.post with the same guid, so a retry after a lost answer
        # does not post twice (the photos and the poll would be made again, unattached).
        params: dict[str, object] = {"owner_id": -self._group_id, "from_group": 1, "guid": key}
        if post.text.strip():
            params["message"] = post.text
        if attachments:
            params["attachments"] = ",".join(attachments)
        with delivery_errors():
            answer = await self._api.call("wall.post", **params)
        return int(answer["post_id"])

    async def _photo(self, index: int, image: Image) -> str:
        data = await self._images.fetch(image)
        uploader = PhotoWallUploader(self._api, attachment_name=f"cover{index + 1}.jpg")
        try:
            with delivery_errors():
                return str(await uploader.upload(BytesIO(data), group_id=self._group_id))
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise TransientError(f"wall photo upload failed: {type(error).__name__}") from None
