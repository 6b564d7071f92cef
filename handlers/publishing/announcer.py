"""Putting a post in the outbox for every public destination, one row per platform call."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from handlers.core.ports import Outbox
from handlers.publishing.layout import pieces
from handlers.publishing.posts import Post, public_address
from storage.models import Platform


class Announcer:
    """Posts to the channel and the wall of ``platforms`` (those set up for public posts).

    The rows' keys are ``<key>:<platform>:<n>``: announcing the same post under the same key
    again (a job repeated after a restart) adds nothing.
    """

    def __init__(self, outbox: Outbox, platforms: Collection[Platform]) -> None:
        self._outbox = outbox
        self.platforms = tuple(sorted(platforms))

    async def announce(self, key: str, post: Post, not_before: datetime | None = None) -> int:
        """Queue ``post``; returns how many rows were new."""
        added = 0
        for platform in self.platforms:
            for number, piece in enumerate(pieces(post, platform), 1):
                if await self._outbox.enqueue(
                    f"{key}:{platform}:{number}",
                    public_address(platform),
                    piece.payload(),
                    not_before=not_before,
                ):
                    added += 1
        return added
