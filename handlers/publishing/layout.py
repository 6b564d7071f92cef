"""Cutting a post into what one platform call can carry.

Each piece becomes an outbox row of its own, so a retry repeats one call, never a whole
digest. Telegram: a text message (4096), a photo with a caption (1024), an album of 2–10
photos (the caption on its first item), a poll. VK: a wall post with up to 10 photos or a
poll attached.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from handlers.core.text_split import longest_prefix, split_text, utf16_length
from handlers.publishing.posts import Image, Post
from storage.models import Platform

TELEGRAM_TEXT = 4096
TELEGRAM_CAPTION = 1024
ALBUM_MAX = 10
VK_WALL_TEXT = 16_000
"""Kept under the 16,384 characters a VK wall post holds."""
VK_WALL_ATTACHMENTS = 10


def pieces(post: Post, platform: Platform) -> list[Post]:
    """The post as a sequence of single calls on ``platform``."""
    if platform is Platform.TELEGRAM:
        return list(_telegram(post))
    return list(_vk(post))


def _telegram(post: Post) -> Iterator[Post]:
    images = list(post.images)
    text = post.text.strip()
    if post.poll is not None:
        yield from (Post(text=part) for part in split_text(text, TELEGRAM_TEXT))
        yield Post(poll=post.poll)
        return
    if not images:
        yield from (Post(text=part) for part in split_text(text, TELEGRAM_TEXT))
        return
    caption_fits = bool(text) and utf16_length(text) <= TELEGRAM_CAPTION
    if text and not caption_fits:
        yield from (Post(text=part) for part in split_text(text, TELEGRAM_TEXT))
    groups = _albums(images)
    for index, group in enumerate(groups):
        captioned = [_short_caption(image) for image in group]
        if index == 0 and caption_fits:
            captioned[0] = dataclasses.replace(captioned[0], caption=text)
        yield Post(images=tuple(captioned))


def _albums(images: list[Image]) -> list[list[Image]]:
    """Groups of at most ten, none of one where it can be helped (an album needs two)."""
    groups = [images[i : i + ALBUM_MAX] for i in range(0, len(images), ALBUM_MAX)]
    if len(groups) > 1 and len(groups[-1]) == 1:
        groups[-1].insert(0, groups[-2].pop())
    return groups


def _short_caption(image: Image) -> Image:
    if utf16_length(image.caption) <= TELEGRAM_CAPTION:
        return image
    return dataclasses.replace(
        image, caption=longest_prefix(image.caption, TELEGRAM_CAPTION - 1) + "…"
    )


def _vk(post: Post) -> Iterator[Post]:
    texts = split_text(post.text, VK_WALL_TEXT) or [""]
    plain = [dataclasses.replace(image, caption="") for image in post.images]
    groups = [plain[i : i + VK_WALL_ATTACHMENTS] for i in range(0, len(plain), VK_WALL_ATTACHMENTS)]
    if post.poll is not None:
        yield from (Post(text=part) for part in texts[:-1])
        yield Post(text=texts[-1], poll=post.poll)
        return
    first_images = tuple(groups[0]) if groups else ()
    yield Post(text=texts[0], images=first_images)
    yield from (Post(text=part) for part in texts[1:])
    yield from (Post(images=tuple(group)) for group in groups[1:])
