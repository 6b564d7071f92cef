"""The port through which the outbox sender posts to a platform's public destination."""

from __future__ import annotations

from typing import Protocol

from handlers.publishing.posts import Post
from storage.models import Platform


class Publisher(Protocol):
    platform: Platform

    async def publish(self, post: Post, key: str) -> int:
        """Make one platform call carrying ``post`` (one piece of
        :func:`handlers.publishing.layout.pieces`); returns the id of what was posted.
        ``key`` is the outbox row's idempotency key: where the platform can (VK's ``guid``),
        a repeat with the same key posts nothing new. Raises the neutral
        ``DeliveryError``s."""
        ...
