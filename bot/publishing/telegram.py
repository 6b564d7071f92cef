"""Posts to the Telegram channel: text, a photo, an album, a poll (plain text, no parse mode)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BufferedInputFile, InputMediaPhoto, InputPollOption
from aiogram.types.media_union import MediaUnion

from bot.publishing.images import ImageFetcher
from bot.telegram.errors import neutral_errors
from handlers.core.messenger import PermanentError
from handlers.publishing.posts import Image, Post
from storage.models import Platform


def channel_id(channel: str) -> int | str:
    """``TELEGRAM_CHANNEL`` as the Bot API takes it: a numeric id, or ``@username``."""
    text = channel.strip()
    try:
        return int(text)
    except ValueError:
        return text if text.startswith("@") else f"@{text}"


class TelegramPublisher:
    platform = Platform.TELEGRAM

    def __init__(self, bot: Bot, channel: str, images: ImageFetcher) -> None:
        self._bot = bot
        self._chat = channel_id(channel)
        self._images = images

    async def publish(self, post: Post, key: str) -> int:
        # The Bot API has no idempotency key: a repeat after a lost answer posts twice.
        if post.poll is not None:
            with neutral_errors():
                sent = await self._bot.send_poll(
                    self._chat,
                    post.poll.question,
                    [InputPollOption(text=option) for option in post.poll.options],
                    question_parse_mode=None,
                )
            return sent.message_id
        if len(post.images) == 1:
            image = post.images[0]
            photo = await self._photo(image, 0)
            with neutral_errors():
                sent = await self._bot.send_photo(
                    self._chat, photo, caption=image.caption or None, parse_mode=None
                )
            return sent.message_id
        if post.images:
            media: list[MediaUnion] = [
                InputMediaPhoto(
                    media=await self._photo(image, number),
                    caption=image.caption or None,
                    parse_mode=None,
                )
                for number, image in enumerate(post.images)
            ]
            with neutral_errors():
                album = await self._bot.send_media_group(self._chat, media)
            return album[0].message_id
        if not post.text.strip():
            raise PermanentError("an empty post")
        with neutral_errors():
            sent = await self._bot.send_message(self._chat, post.text, parse_mode=None)
        return sent.message_id

    async def _photo(self, image: Image, number: int) -> BufferedInputFile | str:
        if image.platform is Platform.TELEGRAM and image.ref and not image.url:
            return image.ref
        data = await self._images.fetch(image)
        return BufferedInputFile(data, filename=f"cover{number + 1}.jpg")
