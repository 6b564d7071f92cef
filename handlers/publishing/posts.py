"""A public post, whatever the platform: text, images, or a poll, kept in outbox payloads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storage.models import Address, Platform

PUBLICATION_KEY = "publication"
"""The outbox payload key that marks a row as a public post (not a message to a chat)."""

PUBLIC_PEER = 0
"""The peer id of a platform's public destination (the channel, the community wall) in outbox
rows: no reader or chat has it, so the outbox paces public posts on their own."""


def public_address(platform: Platform) -> Address:
    return Address(platform, PUBLIC_PEER)


@dataclass(frozen=True, slots=True)
class Image:
    """A picture to post: a web address (a cover), or a file a staff member sent on a
    platform (``platform`` + ``ref``)."""

    url: str | None = None
    platform: Platform | None = None
    ref: str | None = None
    caption: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "platform": None if self.platform is None else str(self.platform),
            "ref": self.ref,
            "caption": self.caption,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Image:
        platform = data.get("platform")
        return cls(
            url=data.get("url"),
            platform=Platform(platform) if platform else None,
            ref=data.get("ref"),
            caption=str(data.get("caption") or ""),
        )


@dataclass(frozen=True, slots=True)
class Poll:
    question: str
    options: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Post:
    """Plain text (posted without a parse mode, so nothing in it needs escaping), optional
    images, or a poll."""

    text: str = ""
    images: tuple[Image, ...] = field(default_factory=tuple)
    poll: Poll | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "images": [image.to_dict() for image in self.images],
            "poll": None
            if self.poll is None
            else {"question": self.poll.question, "options": list(self.poll.options)},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Post:
        poll = data.get("poll")
        return cls(
            text=str(data.get("text") or ""),
            images=tuple(Image.from_dict(i) for i in data.get("images") or []),
            poll=None
            if not poll
            else Poll(str(poll["question"]), tuple(str(o) for o in poll["options"])),
        )

    def payload(self) -> dict[str, Any]:
        """The outbox payload of this post."""
        return {PUBLICATION_KEY: self.to_dict()}


def post_of(payload: dict[str, Any]) -> Post | None:
    """The post an outbox payload carries, or None for an ordinary message."""
    data = payload.get(PUBLICATION_KEY)
    return Post.from_dict(data) if isinstance(data, dict) else None
